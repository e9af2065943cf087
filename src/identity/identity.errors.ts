import { BadRequestError, ConflictError, DomainError, FieldError, ValidationFailedError } from '../common/errors/domain-error';

export class InvalidUserContextRequestError extends DomainError {
  readonly kind = 'unprocessable';
  readonly code = 'validation_failed';
}

export class CannotMergeIdentifiedError extends ConflictError {
  constructor(anonymousId: string) {
    super('cannot_merge_identified', `${anonymousId} is an identified user; two identified users are never merged.`);
  }
}

export class AlreadyMergedError extends ConflictError {
  constructor(anonymousId: string, userId: string) {
    super('already_merged', `${anonymousId} was already merged into another user.`, { anonymousId, mergedInto: userId });
  }
}

export class JunkIdentifierError extends BadRequestError {
  constructor(field: string, value: string) {
    super('invalid_identifier', `${field} "${value}" is not a usable identifier.`, [
      { field, code: 'junk_identifier', message: `"${value}" is a placeholder, not an identifier` },
    ]);
  }
}

/** Merged values that no longer satisfy the definitions (e.g. a tightened constraint): nothing is written. */
export class MergeInvalidError extends ValidationFailedError {
  constructor(errors: FieldError[]) {
    super(errors, 'The merged record would not be valid; nothing was merged.');
  }
}
