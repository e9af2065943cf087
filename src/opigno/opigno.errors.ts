import { DomainError } from '../common/errors/domain-error';

/** Errors of upstream calls. Messages name the operation and the failure, never a secret, token or header. */

const MAX_VIOLATIONS = 50;
const MAX_VIOLATION_LENGTH = 500;

/** No upstream is configured (or its stored secret is unusable). */
export class UpstreamNotConfiguredError extends DomainError {
  readonly kind = 'unavailable';
  readonly code = 'upstream_not_configured';
}

/** The upstream refused the request: payload `errors` (violations) or top-level GraphQL errors that are not about authentication. */
export class UpstreamRejectedError extends DomainError {
  readonly kind = 'unprocessable';
  readonly code = 'upstream_rejected';
  readonly violations: string[];

  constructor(operation: string, violations: string[]) {
    const kept = violations
      .slice(0, MAX_VIOLATIONS)
      .map((v) => (v.length > MAX_VIOLATION_LENGTH ? `${v.slice(0, MAX_VIOLATION_LENGTH)}…` : v));
    super(`Opigno rejected ${operation}: ${kept.join('; ') || 'no reason given'}`, { extensions: { violations: kept } });
    this.violations = kept;
  }
}

export type UnavailableReason = 'server_error' | 'network' | 'circuit_open' | 'rate_limited';

/** 5xx, 429, a network failure, or the circuit is open. */
export class UpstreamUnavailableError extends DomainError {
  readonly kind = 'unavailable';
  readonly code = 'upstream_unavailable';

  constructor(
    message: string,
    readonly reason: UnavailableReason,
    retryAfterSeconds = 1,
  ) {
    super(message, { retryAfterSeconds });
  }
}

export class UpstreamTimeoutError extends DomainError {
  readonly kind = 'unavailable';
  readonly code = 'upstream_timeout';

  constructor(message: string) {
    super(message, { retryAfterSeconds: 1 });
  }
}

/** The token endpoint refused the client credentials, or the upstream refused a fresh token. */
export class UpstreamAuthError extends DomainError {
  readonly kind = 'bad_gateway';
  readonly code = 'upstream_auth_failed';

  constructor(message: string, upstream?: { error?: string; errorDescription?: string; status?: number }) {
    const extensions: Record<string, unknown> = {};
    if (upstream?.status !== undefined) extensions.upstreamStatus = upstream.status;
    if (upstream?.error !== undefined) extensions.upstreamError = upstream.error;
    if (upstream?.errorDescription !== undefined) extensions.upstreamErrorDescription = upstream.errorDescription;
    super(message, { extensions });
  }
}

/** The upstream answered something this client cannot read (not JSON, wrong shape, unexpected status). */
export class UpstreamMalformedError extends DomainError {
  readonly kind = 'bad_gateway';
  readonly code = 'upstream_malformed';
}

/** getUserContext says the context does not exist. */
export class UpstreamNotFoundError extends DomainError {
  readonly kind = 'not_found';
  readonly code = 'upstream_user_not_found';
}

/** Refusals that say nothing about the upstream's health: they must not trip the circuit breaker or be retried. */
export function isUpstreamRefusal(error: unknown): boolean {
  return (
    error instanceof UpstreamRejectedError ||
    error instanceof UpstreamNotFoundError ||
    error instanceof UpstreamAuthError ||
    error instanceof UpstreamNotConfiguredError
  );
}

/** Failures worth another attempt (the upstream or the network may recover within the backoff). */
export function isRetryableUpstreamFailure(error: unknown): boolean {
  return (error instanceof UpstreamUnavailableError && error.reason !== 'circuit_open') || error instanceof UpstreamTimeoutError;
}
