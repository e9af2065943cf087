import { Injectable } from '@nestjs/common';
import type { FieldKind } from '../../fields/field-definition';
import type { RecordKindSpec } from './record-kind';

/**
 * Which kinds have a record table. Field definitions of a kind without one (yet) hold no values,
 * so renames, purges and type changes have nothing to move.
 */
@Injectable()
export class RecordKindsRegistry {
  private readonly specs = new Map<FieldKind, RecordKindSpec>();

  register(spec: RecordKindSpec): void {
    this.specs.set(spec.kind, spec);
  }

  find(kind: FieldKind): RecordKindSpec | undefined {
    return this.specs.get(kind);
  }
}
