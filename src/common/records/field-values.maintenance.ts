import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { FieldDefinition, FieldKind, isIndexed } from '../../fields/field-definition';
import { convertValue } from '../../fields/value-conversion';
import { JsonObject, JsonValue } from './merge-patch';
import type { RecordKindSpec, StoredRecord } from './record-kind';
import { RecordKindsRegistry } from './record-kinds.registry';
import { RecordRowsRepository } from './record-rows.repository';
import { indexEntriesOf } from './search-index-values';
import { RecordIndexEntry, SearchIndexRepository } from './search-index.repository';

const SCAN_PAGE = 500;
export const CONVERSION_SAMPLE_SIZE = 50;

export interface ConversionOffender {
  id: string;
  value: JsonValue | null;
  reason: string;
}

/** What a definition change would do to the stored values. */
export interface ConversionPlan {
  wouldFail: number;
  wouldConvert: number;
  sample: ConversionOffender[];
  /** Converted values by record id (only those that change). */
  conversions: Map<string, JsonValue>;
}

/**
 * Moves, converts and removes the stored values of one field across every record of its kind,
 * inside the caller's transaction: JSON column, record version and search index together.
 */
@Injectable()
export class FieldValuesMaintenance {
  constructor(
    private readonly registry: RecordKindsRegistry,
    private readonly rows: RecordRowsRepository,
    private readonly index: SearchIndexRepository,
  ) {}

  async countValues(manager: EntityManager, kind: FieldKind, key: string): Promise<number> {
    const spec = this.registry.find(kind);
    return spec ? this.rows.countHoldingField(manager, spec, key) : 0;
  }

  async renameValues(manager: EntityManager, kind: FieldKind, key: string, newKey: string): Promise<number> {
    const moved = await this.rewriteHolding(manager, kind, key, (fields) => {
      const { [key]: value, ...rest } = fields;
      return { ...rest, [newKey]: value! };
    });
    await this.index.renameField(manager, kind, key, newKey);
    return moved;
  }

  async purgeValues(manager: EntityManager, kind: FieldKind, key: string): Promise<number> {
    const removed = await this.rewriteHolding(manager, kind, key, (fields) => {
      const { [key]: _removed, ...rest } = fields;
      return rest;
    });
    await this.index.deleteField(manager, kind, key);
    return removed;
  }

  /** Checks every stored value against a changed definition (type, constraints, required, unique) without writing. */
  async planConversion(manager: EntityManager, next: FieldDefinition, previous: FieldDefinition): Promise<ConversionPlan> {
    const plan: ConversionPlan = { wouldFail: 0, wouldConvert: 0, sample: [], conversions: new Map() };
    const spec = this.registry.find(next.kind);
    if (!spec) return plan;
    const offend = (offender: ConversionOffender): void => {
      plan.wouldFail++;
      if (plan.sample.length < CONVERSION_SAMPLE_SIZE) plan.sample.push(offender);
    };
    const checkRequired = next.required === true && previous.required !== true;
    const seen = new Set<string>();
    await this.scan(manager, spec, checkRequired ? null : next.key, (record) => {
      const value = record.fields[next.key];
      if (value === undefined) {
        if (checkRequired) offend({ id: record.id, value: null, reason: 'required: the field has no value' });
        return;
      }
      const result = convertValue(value, next);
      if (!result.ok) return offend({ id: record.id, value, reason: result.reason });
      if (next.unique) {
        const identity = JSON.stringify(indexEntriesOf(next.type, result.value));
        if (seen.has(identity)) return offend({ id: record.id, value, reason: 'not_unique: another record holds the same value' });
        seen.add(identity);
      }
      if (result.changed) {
        plan.wouldConvert++;
        plan.conversions.set(record.id, result.value);
      }
    });
    return plan;
  }

  async applyConversion(manager: EntityManager, definition: FieldDefinition, plan: ConversionPlan): Promise<void> {
    if (plan.conversions.size === 0) return;
    await this.rewriteHolding(manager, definition.kind, definition.key, (fields, id) =>
      plan.conversions.has(id) ? { ...fields, [definition.key]: plan.conversions.get(id)! } : fields,
    );
  }

  /** Rebuilds the field's search index rows from the stored values (after a type change or when it becomes searchable/unique). */
  async reindexField(manager: EntityManager, definition: FieldDefinition): Promise<void> {
    await this.index.deleteField(manager, definition.kind, definition.key);
    const spec = this.registry.find(definition.kind);
    if (!spec || !isIndexed(definition)) return;
    await this.scan(manager, spec, definition.key, async (record) => {
      const value = record.fields[definition.key];
      if (value === undefined) return;
      const entries: RecordIndexEntry[] = indexEntriesOf(definition.type, value).map((entry) => ({
        ...entry,
        recordId: record.id,
        recordCreatedAt: record.createdAt,
        key: definition.key,
      }));
      await this.index.insert(manager, definition.kind, entries);
    });
  }

  private async rewriteHolding(
    manager: EntityManager,
    kind: FieldKind,
    key: string,
    rewrite: (fields: JsonObject, id: string) => JsonObject,
  ): Promise<number> {
    const spec = this.registry.find(kind);
    if (!spec) return 0;
    const updatedAt = new Date().toISOString();
    let count = 0;
    await this.scan(manager, spec, key, async (record) => {
      const fields = rewrite(record.fields, record.id);
      count++;
      if (fields === record.fields) return;
      await this.rows.update(manager, spec, { ...record, fields, version: record.version + 1, updatedAt });
    });
    return count;
  }

  /** Visits every record (key null) or every record holding the key, in id order, page by page. */
  private async scan(
    manager: EntityManager,
    spec: RecordKindSpec,
    key: string | null,
    visit: (record: StoredRecord) => void | Promise<void>,
  ): Promise<void> {
    let afterId: string | null = null;
    for (;;) {
      const page: StoredRecord[] =
        key === null
          ? await this.rows.pageAfter(manager, spec, afterId, SCAN_PAGE)
          : await this.rows.pageHoldingField(manager, spec, key, afterId, SCAN_PAGE);
      for (const record of page) await visit(record);
      if (page.length < SCAN_PAGE) return;
      afterId = page[page.length - 1]!.id;
    }
  }
}
