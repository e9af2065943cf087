import { DomainError } from '../../common/errors/domain-error';

export class InvalidWebhookSignatureError extends DomainError {
  readonly kind = 'unauthorized';
  readonly code = 'invalid_signature';
  constructor() {
    super('The X-Opigno-LIP-Signature header is missing or does not match the body.');
  }
}

export class WebhooksNotConfiguredError extends DomainError {
  readonly kind = 'unavailable';
  readonly code = 'webhooks_not_configured';
  constructor() {
    super('Webhooks are not accepted: OPIGNO_WEBHOOK_SECRET is not configured.');
  }
}
