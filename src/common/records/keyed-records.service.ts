import type { Readable } from 'node:stream';
import type { AuditEventView } from '../../audit/audit-trail';
import type { Caller } from '../../auth/roles';
import { Page, parsePageLimit } from '../pagination/cursor';
import type { WritePreconditions } from './etag';
import type { ExtendedRecordsService, ImportReport, SerializedRecord } from './extended-records.service';
import type { JsonObject } from './merge-patch';
import type { RecordView } from './record-kind';

/** A record as the API shows it: the id under the kind's own name (uuid, lpId). */
export type KeyedView<K extends string> = { [P in K]: string } & Omit<RecordView, 'id'>;

export interface KeyedImportReport<K extends string> {
  results: Array<{ line: number; status: string; errors?: unknown[] } & { [P in K]: string | null }>;
  totals: ImportReport['totals'];
}

/**
 * The HTTP-facing view of one kind of extended record (profiles by uuid, trainings by lpId): the
 * generic ExtendedRecordsService with the record id named as callers know it.
 */
export class KeyedRecordsService<K extends string> {
  constructor(
    protected readonly records: ExtendedRecordsService,
    private readonly idName: K,
  ) {}

  protected toView({ id, ...rest }: RecordView): KeyedView<K> {
    return { [this.idName]: id, ...rest } as KeyedView<K>;
  }

  async get(id: string, caller: Caller): Promise<KeyedView<K>> {
    return this.toView(await this.records.get(id, caller));
  }

  /** The record as its JSON answer (the same document get() answers), for the local-only read. */
  getSerialized(id: string, caller: Caller): Promise<SerializedRecord> {
    return this.records.getSerialized(id, caller);
  }

  /** The record, or null when none is stored (combined reads still answer upstream data). */
  async find(id: string, caller: Caller): Promise<KeyedView<K> | null> {
    try {
      return await this.get(id, caller);
    } catch (error) {
      if ((error as { code?: string }).code === this.records.spec.notFoundCode) return null;
      throw error;
    }
  }

  async getMany(ids: string[], caller: Caller): Promise<Array<KeyedView<K>>> {
    return (await this.records.getMany(ids, caller)).map((record) => this.toView(record));
  }

  async put(
    id: string,
    fields: JsonObject,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<{ view: KeyedView<K>; created: boolean }> {
    const { record, created } = await this.records.put(id, fields, caller, preconditions);
    return { view: this.toView(record), created };
  }

  async patch(id: string, fields: JsonObject, caller: Caller, preconditions: WritePreconditions): Promise<KeyedView<K>> {
    return this.toView(await this.records.patch(id, fields, caller, preconditions));
  }

  delete(id: string, caller: Caller, preconditions: WritePreconditions): Promise<void> {
    return this.records.delete(id, caller, preconditions);
  }

  /** A page as its JSON answer (`{ items, nextCursor }`, items as get() answers them). */
  listSerialized(queryString: string, caller: Caller): Promise<string> {
    return this.records.listSerialized(queryString, caller);
  }

  async import(ndjson: string, caller: Caller): Promise<KeyedImportReport<K>> {
    const report = await this.records.import(ndjson, caller);
    return {
      results: report.results.map(
        ({ line, id, ...rest }) => ({ line, [this.idName]: id, ...rest }) as KeyedImportReport<K>['results'][number],
      ),
      totals: report.totals,
    };
  }

  export(caller: Caller): Readable {
    return this.records.export(caller);
  }

  history(id: string, caller: Caller, limit: string | undefined, cursor: string | undefined): Promise<Page<AuditEventView>> {
    return this.records.history(id, caller, parsePageLimit(limit), cursor);
  }
}
