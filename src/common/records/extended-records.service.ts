import { Injectable } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { EntityManager } from 'typeorm';
import { AuditEventView, AuditTrail } from '../../audit/audit-trail';
import type { Caller } from '../../auth/roles';
import { FieldDefinitionsCache, KindDefinitions } from '../../fields/field-definitions.cache';
import { TransactionRunner } from '../../database/transaction-runner';
import {
  AlreadyExistsError,
  BadRequestError,
  FieldError,
  NotFoundError,
  ValidationFailedError,
  VersionConflictError,
} from '../errors/domain-error';
import { Page } from '../pagination/cursor';
import { ifMatchSatisfied, WritePreconditions } from './etag';
import { parseListQuery } from './list-query';
import { isJsonObject, JsonObject } from './merge-patch';
import type { WriteMode } from './record-fields';
import type { RecordKindSpec, RecordView, StoredRecord } from './record-kind';
import { RecordKindsRegistry } from './record-kinds.registry';
import { buildListSql } from './record-list-query';
import { RecordRow, RecordRowsRepository } from './record-rows.repository';
import { RecordWriteBatch } from './record-write-batch';
import { SearchIndexRepository } from './search-index.repository';
import { isUniqueViolation, SqlDialect } from './sql-dialect';

export const IMPORT_BATCH_SIZE = 500;
const EXPORT_PAGE_SIZE = 500;
const CREATE_RACE_RETRIES = 3;

export interface ImportLineResult {
  line: number;
  /** The record id (named after the kind's idProperty in the HTTP answer). */
  id: string | null;
  status: 'created' | 'updated' | 'unchanged' | 'invalid';
  errors?: FieldError[];
}

export interface ImportReport {
  results: ImportLineResult[];
  totals: { lines: number; created: number; updated: number; unchanged: number; invalid: number };
}

interface ParsedLine {
  line: number;
  id: string | null;
  fields?: JsonObject;
  errors?: FieldError[];
}

/** A record's JSON answer and the version its ETag names. */
export interface SerializedRecord {
  version: number;
  json: string;
}

/** NDJSON line members besides id and fields that an import accepts and ignores (so an export can be re-imported). */
const IGNORED_IMPORT_MEMBERS = new Set(['version', 'createdAt', 'updatedAt']);

/**
 * Everything an extended record kind does, independent of the kind: reads with role-filtered fields,
 * PUT/PATCH with validation, ETags and row locks, delete, filtered lists, NDJSON import/export, history.
 * Get one per kind from ExtendedRecordsFactory.
 */
export class ExtendedRecordsService {
  constructor(
    readonly spec: RecordKindSpec,
    private readonly deps: ExtendedRecordsFactory,
  ) {}

  assertValidId(id: string): void {
    if (!this.spec.idPattern.test(id)) {
      throw new BadRequestError(this.spec.invalidIdCode, `${this.spec.idProperty} must match ${this.spec.idPattern.source}.`, [
        { field: this.spec.idProperty, code: this.spec.invalidIdCode, message: `must match ${this.spec.idPattern.source}` },
      ]);
    }
  }

  async get(id: string, caller: Caller): Promise<RecordView> {
    this.assertValidId(id);
    const [definitions, record] = await Promise.all([this.deps.cache.current(this.spec.kind), this.deps.rows.findById(this.spec, id)]);
    if (!record) throw this.notFound(id);
    return this.view(record, definitions, caller);
  }

  /** The record as the caller may see it, already serialized as JSON (see serialize). */
  async getSerialized(id: string, caller: Caller): Promise<SerializedRecord> {
    this.assertValidId(id);
    // Definitions checked within the last second come without a promise (the usual case on this hot path).
    const cached = this.deps.cache.fresh(this.spec.kind);
    const [definitions, row] = cached
      ? [cached, await this.deps.rows.findRowById(this.spec, id)]
      : await Promise.all([this.deps.cache.current(this.spec.kind), this.deps.rows.findRowById(this.spec, id)]);
    if (!row) throw this.notFound(id);
    return { version: Number(row.version), json: this.serialize(row, definitions, caller) };
  }

  /** The records that exist among these ids, as the caller may see them. */
  async getMany(ids: string[], caller: Caller): Promise<RecordView[]> {
    const valid = ids.filter((id) => this.spec.idPattern.test(id));
    const [definitions, records] = await Promise.all([this.deps.cache.current(this.spec.kind), this.deps.rows.findByIds(this.spec, valid)]);
    return records.map((record) => this.view(record, definitions, caller));
  }

  put(
    id: string,
    fields: JsonObject,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<{ record: RecordView; created: boolean }> {
    return this.writeOne(id, 'replace', fields, caller, preconditions);
  }

  async patch(id: string, patch: JsonObject, caller: Caller, preconditions: WritePreconditions): Promise<RecordView> {
    return (await this.writeOne(id, 'merge', patch, caller, preconditions)).record;
  }

  async delete(id: string, caller: Caller, preconditions: WritePreconditions): Promise<void> {
    this.assertValidId(id);
    await this.deps.runner.run(async (manager) => {
      const batch = this.newBatch(manager, await this.deps.cache.forWrite(manager, this.spec.kind), caller);
      await batch.load([id]);
      const current = batch.current(id);
      if (!current) throw this.notFound(id);
      this.checkPreconditions(current, preconditions);
      batch.stageDelete(id);
      await batch.flush();
    });
  }

  /** A page of records as its JSON answer, `{ items, nextCursor }`; each item is the document a single read answers. */
  async listSerialized(queryString: string, caller: Caller): Promise<string> {
    const query = parseListQuery(queryString);
    const definitions = await this.deps.cache.current(this.spec.kind);
    const sql = buildListSql(this.spec, definitions, query, caller.role);
    const rows = await this.deps.rows.list(this.spec, sql, query.limit + 1);
    const page = rows.slice(0, query.limit);
    const nextCursor = rows.length > query.limit ? sql.cursorAfter(page[page.length - 1]!) : null;
    const items = page.map((row) => this.serialize(row, definitions, caller));
    return `{"items":[${items.join(',')}],"nextCursor":${JSON.stringify(nextCursor)}}`;
  }

  /** Upserts one `{ <idProperty>, fields }` per line, IMPORT_BATCH_SIZE lines per transaction; bad lines are reported, good ones stored. */
  async import(ndjson: string, caller: Caller): Promise<ImportReport> {
    const lines = this.parseImportLines(ndjson);
    const results: ImportLineResult[] = [];
    for (let start = 0; start < lines.length; start += IMPORT_BATCH_SIZE) {
      results.push(...(await this.importBatch(lines.slice(start, start + IMPORT_BATCH_SIZE), caller)));
    }
    const count = (status: ImportLineResult['status']): number => results.filter((r) => r.status === status).length;
    return {
      results,
      totals: {
        lines: results.length,
        created: count('created'),
        updated: count('updated'),
        unchanged: count('unchanged'),
        invalid: count('invalid'),
      },
    };
  }

  /** Every record as NDJSON, read in keyset pages so memory stays bounded. */
  export(caller: Caller): Readable {
    return Readable.from(this.exportLines(caller));
  }

  async history(id: string, caller: Caller, limit: number, cursor?: string): Promise<Page<AuditEventView>> {
    this.assertValidId(id);
    const [definitions, page] = await Promise.all([
      this.deps.cache.current(this.spec.kind),
      this.deps.audit.listFor(this.spec.noun, id, limit, cursor),
    ]);
    const readable = new Set(definitions.readableBy(caller.role).map((d) => d.key));
    // Values of fields the caller may not read (or that no longer exist) are not shown.
    for (const event of page.items) {
      for (const key of Object.keys(event.changes)) if (!readable.has(key)) delete event.changes[key];
    }
    return page;
  }

  private async writeOne(
    id: string,
    mode: WriteMode,
    input: JsonObject,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<{ record: RecordView; created: boolean }> {
    this.assertValidId(id);
    return this.retryingCreateRace(() =>
      this.deps.runner.run(async (manager) => {
        const definitions = await this.deps.cache.forWrite(manager, this.spec.kind);
        const batch = this.newBatch(manager, definitions, caller);
        await batch.load([id]);
        const current = batch.current(id);
        if (mode === 'merge' && !current) throw this.notFound(id);
        this.checkPreconditions(current, preconditions);
        const staged = await batch.stage(id, mode, input);
        if (staged.status === 'invalid') throw new ValidationFailedError(staged.errors);
        await batch.flush();
        return { record: this.view(staged.record, definitions, caller), created: staged.status === 'created' };
      }),
    );
  }

  private async importBatch(lines: ParsedLine[], caller: Caller): Promise<ImportLineResult[]> {
    return this.retryingCreateRace(() =>
      this.deps.runner.run(async (manager) => {
        const batch = this.newBatch(manager, await this.deps.cache.forWrite(manager, this.spec.kind), caller);
        await batch.load(lines.flatMap((line) => (line.fields ? [line.id!] : [])));
        const results: ImportLineResult[] = [];
        for (const line of lines) {
          if (!line.fields) {
            results.push({ line: line.line, id: line.id, status: 'invalid', errors: line.errors });
            continue;
          }
          const staged = await batch.stage(line.id!, 'replace', line.fields);
          results.push(
            staged.status === 'invalid'
              ? { line: line.line, id: line.id, status: 'invalid', errors: staged.errors }
              : { line: line.line, id: line.id, status: staged.status },
          );
        }
        await batch.flush();
        return results;
      }),
    );
  }

  private parseImportLines(ndjson: string): ParsedLine[] {
    const parsed: ParsedLine[] = [];
    const lines = ndjson.split('\n');
    for (let index = 0; index < lines.length; index++) {
      const text = lines[index]!.trim();
      if (text.length > 0) parsed.push(this.parseImportLine(index + 1, text));
    }
    return parsed;
  }

  private parseImportLine(line: number, text: string): ParsedLine {
    const invalid = (field: string, code: string, message: string, id: string | null = null): ParsedLine => ({
      line,
      id,
      errors: [{ field, code, message }],
    });
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return invalid('line', 'malformed_json', 'is not valid JSON');
    }
    if (!isJsonObject(value)) return invalid('line', 'invalid_line', `must be an object { ${this.spec.idProperty}, fields }`);
    const { idProperty, idPattern, invalidIdCode } = this.spec;
    const id = value[idProperty];
    if (typeof id !== 'string' || !idPattern.test(id)) return invalid(idProperty, invalidIdCode, `must match ${idPattern.source}`);
    const unknown = Object.keys(value).find(
      (member) => member !== idProperty && member !== 'fields' && !IGNORED_IMPORT_MEMBERS.has(member),
    );
    if (unknown !== undefined) return invalid(unknown, 'unknown_field', 'is not allowed on an import line', id);
    if (!isJsonObject(value.fields)) return invalid('fields', 'invalid_type', 'must be an object', id);
    return { line, id, fields: value.fields };
  }

  private async *exportLines(caller: Caller): AsyncGenerator<string> {
    const definitions = await this.deps.cache.current(this.spec.kind);
    let afterId: string | null = null;
    for (;;) {
      const page = await this.deps.rows.pageAfter(this.deps.dialect.dataSource, this.spec, afterId, EXPORT_PAGE_SIZE);
      if (page.length === 0) return;
      yield page.map((record) => JSON.stringify(this.exportLine(record, definitions, caller)) + '\n').join('');
      if (page.length < EXPORT_PAGE_SIZE) return;
      afterId = page[page.length - 1]!.id;
    }
  }

  private exportLine(record: StoredRecord, definitions: KindDefinitions, caller: Caller): Record<string, unknown> {
    const { id, ...rest } = this.view(record, definitions, caller);
    return { [this.spec.idProperty]: id, ...rest };
  }

  private checkPreconditions(current: StoredRecord | null, preconditions: WritePreconditions): void {
    if (preconditions.ifNoneMatchAny && current) throw new AlreadyExistsError(`The ${this.spec.noun} already exists (If-None-Match: *).`);
    if (!ifMatchSatisfied(preconditions.ifMatch, current?.version ?? null)) {
      throw new VersionConflictError(
        `The ${this.spec.noun} changed since you read it (If-Match does not match).`,
        current?.version ?? null,
      );
    }
  }

  /** Two concurrent creates of one id both see it absent on PostgreSQL; the loser retries and then sees it. */
  private async retryingCreateRace<T>(work: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= CREATE_RACE_RETRIES || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /** A write batch inside the caller's own transaction, for operations spanning several records (identity merge, erase). */
  async batchWithin(manager: EntityManager, caller: Caller): Promise<{ batch: RecordWriteBatch; definitions: KindDefinitions }> {
    const definitions = await this.deps.cache.forWrite(manager, this.spec.kind);
    return { batch: this.newBatch(manager, definitions, caller), definitions };
  }

  private newBatch(manager: EntityManager, definitions: KindDefinitions, caller: Caller): RecordWriteBatch {
    const { rows, index, audit, dialect } = this.deps;
    return new RecordWriteBatch({
      manager,
      spec: this.spec,
      definitions,
      role: caller.role,
      actorKeyId: caller.keyId,
      rows,
      index,
      audit,
      dialect,
    });
  }

  /**
   * The record's JSON document as the caller may see it. When the caller's role sees every field of the kind, the
   * stored fields document is sent as it is, without parsing and re-serializing it (the same values; keys in stored
   * order rather than definition order).
   */
  private serialize(row: RecordRow, definitions: KindDefinitions, caller: Caller): string {
    const fields = definitions.showsEverythingTo(caller.role)
      ? row.fields
      : JSON.stringify(definitions.visibleFields(JSON.parse(row.fields) as JsonObject, caller.role));
    return (
      `{${JSON.stringify(this.spec.idProperty)}:${JSON.stringify(row.id)},"fields":${fields},"version":${Number(row.version)},` +
      `"createdAt":${JSON.stringify(row.created_at)},"updatedAt":${JSON.stringify(row.updated_at)}}`
    );
  }

  /** What a caller may see of a stored record: readable, active fields only. */
  view(record: StoredRecord, definitions: KindDefinitions, caller: Caller): RecordView {
    return {
      id: record.id,
      fields: definitions.visibleFields(record.fields, caller.role),
      version: record.version,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
  }

  private notFound(id: string): NotFoundError {
    return new NotFoundError(`No ${this.spec.noun} with ${this.spec.idProperty} ${id}.`, this.spec.notFoundCode);
  }
}

/** Builds the ExtendedRecordsService of a kind and registers the kind's table (so definition changes reach its values). */
@Injectable()
export class ExtendedRecordsFactory {
  constructor(
    readonly cache: FieldDefinitionsCache,
    readonly rows: RecordRowsRepository,
    readonly index: SearchIndexRepository,
    readonly audit: AuditTrail,
    readonly runner: TransactionRunner,
    readonly dialect: SqlDialect,
    private readonly registry: RecordKindsRegistry,
  ) {}

  forKind(spec: RecordKindSpec): ExtendedRecordsService {
    this.registry.register(spec);
    return new ExtendedRecordsService(spec, this);
  }
}
