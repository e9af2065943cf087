import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { AuditEventView } from '../audit/audit-trail';
import type { Caller } from '../auth/roles';
import { Page, parsePageLimit } from '../common/pagination/cursor';
import type { WritePreconditions } from '../common/records/etag';
import { ExtendedRecordsFactory, ExtendedRecordsService, ImportReport } from '../common/records/extended-records.service';
import type { JsonObject } from '../common/records/merge-patch';
import type { RecordView } from '../common/records/record-kind';
import { TRAINING_KIND } from './training-kinds';

export interface TrainingView {
  lpId: string;
  fields: JsonObject;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface TrainingImportReport {
  results: Array<{ line: number; lpId: string | null; status: string; errors?: unknown[] }>;
  totals: ImportReport['totals'];
}

function toTraining({ id, ...rest }: RecordView): TrainingView {
  return { lpId: id, ...rest };
}

/** Extended trainings: admin-defined `training` fields per Opigno learning path. */
@Injectable()
export class TrainingsService {
  private readonly records: ExtendedRecordsService;

  constructor(factory: ExtendedRecordsFactory) {
    this.records = factory.forKind(TRAINING_KIND);
  }

  async get(lpId: string, caller: Caller): Promise<TrainingView> {
    return toTraining(await this.records.get(lpId, caller));
  }

  async getMany(lpIds: string[], caller: Caller): Promise<TrainingView[]> {
    return (await this.records.getMany(lpIds, caller)).map(toTraining);
  }

  /** The local training, or null when none is stored (combined reads still answer upstream data). */
  async find(lpId: string, caller: Caller): Promise<TrainingView | null> {
    try {
      return await this.get(lpId, caller);
    } catch (error) {
      if ((error as { code?: string }).code === TRAINING_KIND.notFoundCode) return null;
      throw error;
    }
  }

  async put(
    lpId: string,
    fields: JsonObject,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<{ training: TrainingView; created: boolean }> {
    const { record, created } = await this.records.put(lpId, fields, caller, preconditions);
    return { training: toTraining(record), created };
  }

  async patch(lpId: string, fields: JsonObject, caller: Caller, preconditions: WritePreconditions): Promise<TrainingView> {
    return toTraining(await this.records.patch(lpId, fields, caller, preconditions));
  }

  delete(lpId: string, caller: Caller, preconditions: WritePreconditions): Promise<void> {
    return this.records.delete(lpId, caller, preconditions);
  }

  async list(queryString: string, caller: Caller): Promise<Page<TrainingView>> {
    const page = await this.records.list(queryString, caller);
    return { items: page.items.map(toTraining), nextCursor: page.nextCursor };
  }

  async import(ndjson: string, caller: Caller): Promise<TrainingImportReport> {
    const report = await this.records.import(ndjson, caller);
    return { results: report.results.map(({ line, id, ...rest }) => ({ line, lpId: id, ...rest })), totals: report.totals };
  }

  export(caller: Caller): Readable {
    return this.records.export(caller);
  }

  history(lpId: string, caller: Caller, limit: string | undefined, cursor: string | undefined): Promise<Page<AuditEventView>> {
    return this.records.history(lpId, caller, parsePageLimit(limit), cursor);
  }
}
