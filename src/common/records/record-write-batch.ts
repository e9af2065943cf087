import type { EntityManager } from 'typeorm';
import { diffFields } from '../../audit/audit-diff';
import type { AuditEntry, AuditTrail } from '../../audit/audit-trail';
import { isIndexed } from '../../fields/field-definition';
import type { KindDefinitions } from '../../fields/field-definitions.cache';
import type { FieldError } from '../errors/domain-error';
import { jsonEquals, JsonObject, JsonValue } from './merge-patch';
import { computeNextFields, WriteMode } from './record-fields';
import type { RecordKindSpec, StoredRecord } from './record-kind';
import type { RecordRowsRepository } from './record-rows.repository';
import { indexColumnOf, indexEntriesOf } from './search-index-values';
import type { RecordIndexEntry, SearchIndexRepository } from './search-index.repository';
import type { SqlDialect } from './sql-dialect';

export type StagedWrite =
  { status: 'created' | 'updated' | 'unchanged'; record: StoredRecord } | { status: 'invalid'; errors: FieldError[] };

export interface RecordWriteContext {
  manager: EntityManager;
  spec: RecordKindSpec;
  definitions: KindDefinitions;
  role: string;
  actorKeyId: string | null;
  rows: RecordRowsRepository;
  index: SearchIndexRepository;
  audit: AuditTrail;
  dialect: SqlDialect;
}

/**
 * The writes of one transaction: load (and lock) the records, stage each write in memory
 * (validation, uniqueness, version bump, audit entry), then flush rows, search index and audit
 * trail together. A single PUT is a batch of one; an import is batches of many.
 */
export class RecordWriteBatch {
  private readonly original = new Map<string, StoredRecord>();
  private readonly state = new Map<string, StoredRecord | null>();
  private readonly changed = new Set<string>();
  private readonly auditEntries: AuditEntry[] = [];
  private readonly lockedUniqueFields = new Set<string>();
  private readonly now = new Date().toISOString();

  constructor(private readonly context: RecordWriteContext) {}

  async load(ids: string[]): Promise<void> {
    const unseen = [...new Set(ids)].filter((id) => !this.state.has(id));
    for (const record of await this.context.rows.lockByIds(this.context.manager, this.context.spec, unseen)) {
      this.original.set(record.id, record);
      this.state.set(record.id, record);
    }
    for (const id of unseen) if (!this.state.has(id)) this.state.set(id, null);
  }

  /** The record as it stands in this batch (after earlier staged writes). Load it first. */
  current(id: string): StoredRecord | null {
    const record = this.state.get(id);
    if (record === undefined) throw new Error(`record ${id} was not loaded into the batch`);
    return record;
  }

  async stage(id: string, mode: WriteMode, input: JsonObject): Promise<StagedWrite> {
    const { definitions, role } = this.context;
    const before = this.current(id);
    const { fields, errors } = computeNextFields(definitions, before?.fields ?? null, mode, input, role);
    if (errors.length === 0) errors.push(...(await this.uniquenessErrors(id, before?.fields ?? {}, fields)));
    if (errors.length > 0) return { status: 'invalid', errors };
    if (before && jsonEquals(before.fields, fields)) return { status: 'unchanged', record: before };

    const record: StoredRecord = before
      ? { ...before, fields, version: before.version + 1, updatedAt: this.now }
      : { id, fields, version: 1, createdAt: this.now, updatedAt: this.now };
    this.state.set(id, record);
    this.changed.add(id);
    this.recordAudit(id, before ? 'update' : 'create', before?.fields ?? null, fields);
    return { status: before ? 'updated' : 'created', record };
  }

  stageDelete(id: string): StoredRecord | null {
    const before = this.current(id);
    if (!before) return null;
    this.state.set(id, null);
    this.changed.add(id);
    this.recordAudit(id, 'delete', before.fields, null);
    return before;
  }

  async flush(): Promise<void> {
    const { manager, spec, rows, index, audit } = this.context;
    const inserts: StoredRecord[] = [];
    const entries: RecordIndexEntry[] = [];
    for (const id of this.changed) {
      const final = this.state.get(id) ?? null;
      const stored = this.original.get(id);
      if (final === null) {
        if (stored) await rows.delete(manager, spec, id);
        continue;
      }
      if (stored) await rows.update(manager, spec, final);
      else inserts.push(final);
      entries.push(...this.indexEntriesFor(final));
    }
    await rows.insertMany(manager, spec, inserts);
    await index.replaceForRecords(manager, spec.kind, [...this.changed], entries);
    await audit.record(manager, this.auditEntries);
  }

  private indexEntriesFor(record: StoredRecord): RecordIndexEntry[] {
    const entries: RecordIndexEntry[] = [];
    for (const definition of this.context.definitions.all) {
      const value = record.fields[definition.key];
      if (value === undefined || !isIndexed(definition)) continue;
      for (const entry of indexEntriesOf(definition.type, value))
        entries.push({ ...entry, recordId: record.id, recordCreatedAt: record.createdAt, key: definition.key });
    }
    return entries;
  }

  private async uniquenessErrors(id: string, before: JsonObject, after: JsonObject): Promise<FieldError[]> {
    const errors: FieldError[] = [];
    for (const definition of this.context.definitions.active()) {
      const value = after[definition.key];
      if (!definition.unique || value === undefined || jsonEquals(before[definition.key], value)) continue;
      if (await this.isTakenByAnother(id, definition.key, definition.type, value)) {
        errors.push({ field: `fields.${definition.key}`, code: 'not_unique', message: 'is already used by another record' });
      }
    }
    return errors;
  }

  private async isTakenByAnother(id: string, key: string, type: Parameters<typeof indexEntriesOf>[0], value: JsonValue): Promise<boolean> {
    const { manager, spec, index, dialect } = this.context;
    if (!this.lockedUniqueFields.has(key)) {
      await dialect.lockResource(manager, `unique:${spec.kind}:${key}`);
      this.lockedUniqueFields.add(key);
    }
    for (const [otherId, other] of this.state) {
      if (otherId !== id && other && this.changed.has(otherId) && jsonEquals(other.fields[key], value)) return true;
    }
    const entry = indexEntriesOf(type, value)[0]!;
    const holders = await index.holdersOf(manager, spec.kind, key, indexColumnOf(type), entry.num ?? entry.text!);
    // Records staged in this batch were checked above with their new values.
    return holders.some((holder) => holder !== id && !this.changed.has(holder));
  }

  private recordAudit(id: string, action: string, before: JsonObject | null, after: JsonObject | null): void {
    const { definitions, spec, actorKeyId } = this.context;
    this.auditEntries.push({
      actorKeyId,
      entityType: spec.noun,
      entityId: id,
      action,
      at: this.now,
      ...diffFields(before, after, (key) => definitions.isPii(key)),
    });
  }
}
