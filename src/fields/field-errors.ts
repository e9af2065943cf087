import { ConflictError, NotFoundError } from '../common/errors/domain-error';
import type { ConversionOffender } from '../common/records/field-values.maintenance';

export class FieldNotFoundError extends NotFoundError {
  constructor(kind: string, key: string) {
    super(`No ${kind} field with key ${key}.`, 'field_not_found');
  }
}

export class UnknownFieldKindError extends NotFoundError {
  constructor(kind: string) {
    super(`Unknown field kind ${JSON.stringify(kind.slice(0, 40))}; use profile, training or enrolment.`, 'unknown_field_kind');
  }
}

/** A type change or tightened constraint that some stored values cannot satisfy: nothing was changed. */
export class FieldChangeConflictError extends ConflictError {
  constructor(wouldFail: number, sample: ConversionOffender[], wouldConvert: number) {
    super('field_change_conflict', `${wouldFail} stored value(s) would not be valid after this change; nothing was changed.`, {
      wouldFail,
      wouldConvert,
      sample,
    });
  }
}
