import { createHmac, randomUUID } from 'crypto';

export const WEBHOOK_EVENTS = [
  'USER_REGISTERED_TO_TRAINING',
  'USER_COMPLETED_TRAINING',
  'LEARNING_PATH_NEW_REVISION',
  'CERTIFICATE_EXPIRED',
] as const;
export type WebhookEventName = (typeof WEBHOOK_EVENTS)[number];

export const WEBHOOK_SIGNATURE_HEADER = 'X-Opigno-LIP-Signature';

export interface WebhookPayload {
  uuid?: string;
  lpId?: string;
  [key: string]: unknown;
}

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface WebhookEnvelope {
  /** delivery id, unique per send (a receiver may use it to drop duplicates) */
  id: string;
  event: WebhookEventName;
  /** ISO 8601 */
  occurredAt: string;
  data: WebhookPayload;
}

export function isWebhookEvent(value: unknown): value is WebhookEventName {
  return (WEBHOOK_EVENTS as readonly unknown[]).includes(value);
}

/** Assumed scheme (see opigno-api.md): hex HMAC-SHA256 of the exact raw body. */
export function signWebhookBody(rawBody: string | Buffer, secret: string): string {
  return createHmac('sha256', secret).update(rawBody).digest('hex');
}

export function buildWebhookEnvelope(event: WebhookEventName, payload: WebhookPayload, now: Date = new Date()): WebhookEnvelope {
  return { id: randomUUID(), event, occurredAt: now.toISOString(), data: payload };
}

/** POSTs the signed envelope and resolves with the receiver's HTTP status. */
export async function deliverWebhook(target: WebhookTarget, envelope: WebhookEnvelope, timeoutMs = 10_000): Promise<number> {
  const body = JSON.stringify(envelope);
  const response = await fetch(target.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, target.secret),
      'User-Agent': 'opigno-simulator',
    },
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  // Drain the body so the connection is released at once.
  await response.arrayBuffer();
  return response.status;
}
