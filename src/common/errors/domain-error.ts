/** What kind of failure a domain error is; the problem filter maps each kind to one HTTP status. */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'precondition_required'
  | 'unprocessable'
  | 'rate_limited'
  | 'bad_gateway'
  | 'unavailable';

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

/** Base of every error a service throws on purpose. Never carries secrets. */
export abstract class DomainError extends Error {
  abstract readonly kind: ErrorKind;
  /** Stable, machine-readable code (problem+json `code`). */
  abstract readonly code: string;
  /** Field-level details for validation failures. */
  readonly errors?: FieldError[];
  /** Extra members added to the problem document. */
  readonly extensions?: Record<string, unknown>;
  /** Seconds after which a retry may succeed (sets Retry-After). */
  readonly retryAfterSeconds?: number;

  constructor(message: string, options?: { errors?: FieldError[]; extensions?: Record<string, unknown>; retryAfterSeconds?: number }) {
    super(message);
    this.name = new.target.name;
    this.errors = options?.errors;
    this.extensions = options?.extensions;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

export class ValidationFailedError extends DomainError {
  readonly kind = 'unprocessable';
  readonly code = 'validation_failed';
  constructor(errors: FieldError[], message = 'The request has invalid values.') {
    super(message, { errors });
  }
}

/** The request itself is not well formed (wrong parameter syntax, not a value problem). */
export class BadRequestError extends DomainError {
  readonly kind = 'bad_request';
  constructor(
    readonly code: string,
    message: string,
    errors?: FieldError[],
  ) {
    super(message, { errors });
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not_found';
  constructor(
    message: string,
    readonly code = 'not_found',
  ) {
    super(message);
  }
}

export class ConflictError extends DomainError {
  readonly kind = 'conflict';
  constructor(
    readonly code: string,
    message: string,
    extensions?: Record<string, unknown>,
  ) {
    super(message, { extensions });
  }
}

export class VersionConflictError extends DomainError {
  readonly kind = 'precondition_failed';
  readonly code = 'version_mismatch';
  constructor(message = 'The resource changed since you read it (If-Match does not match).', currentVersion?: number | null) {
    super(message, { extensions: currentVersion === undefined ? undefined : { currentVersion } });
  }
}

export class AlreadyExistsError extends DomainError {
  readonly kind = 'precondition_failed';
  readonly code = 'already_exists';
}

export class UnauthorizedError extends DomainError {
  readonly kind = 'unauthorized';
  readonly code = 'unauthorized';
}

export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden';
  readonly code = 'forbidden';
}
