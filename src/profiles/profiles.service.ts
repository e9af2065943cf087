import { Injectable } from '@nestjs/common';
import type { Readable } from 'node:stream';
import type { AuditEventView } from '../audit/audit-trail';
import type { Caller } from '../auth/roles';
import { Page, parsePageLimit } from '../common/pagination/cursor';
import type { WritePreconditions } from '../common/records/etag';
import { ExtendedRecordsFactory, ExtendedRecordsService, ImportReport } from '../common/records/extended-records.service';
import type { JsonObject } from '../common/records/merge-patch';
import type { RecordView } from '../common/records/record-kind';
import { PROFILE_KIND } from './profile-kind';

export interface ProfileView {
  uuid: string;
  fields: JsonObject;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface ProfileImportReport {
  results: Array<{ line: number; uuid: string | null; status: string; errors?: unknown[] }>;
  totals: ImportReport['totals'];
}

function toProfile({ id, ...rest }: RecordView): ProfileView {
  return { uuid: id, ...rest };
}

/** Extended profiles: the generic extended-record behaviour, keyed by Opigno user UUID. */
@Injectable()
export class ProfilesService {
  private readonly records: ExtendedRecordsService;

  constructor(factory: ExtendedRecordsFactory) {
    this.records = factory.forKind(PROFILE_KIND);
  }

  async get(uuid: string, caller: Caller): Promise<ProfileView> {
    return toProfile(await this.records.get(uuid, caller));
  }

  /** The local profile, or null when none is stored. */
  async find(uuid: string, caller: Caller): Promise<ProfileView | null> {
    try {
      return await this.get(uuid, caller);
    } catch (error) {
      if ((error as { code?: string }).code === PROFILE_KIND.notFoundCode) return null;
      throw error;
    }
  }

  async put(
    uuid: string,
    fields: JsonObject,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<{ profile: ProfileView; created: boolean }> {
    const { record, created } = await this.records.put(uuid, fields, caller, preconditions);
    return { profile: toProfile(record), created };
  }

  async patch(uuid: string, fields: JsonObject, caller: Caller, preconditions: WritePreconditions): Promise<ProfileView> {
    return toProfile(await this.records.patch(uuid, fields, caller, preconditions));
  }

  delete(uuid: string, caller: Caller, preconditions: WritePreconditions): Promise<void> {
    return this.records.delete(uuid, caller, preconditions);
  }

  async list(queryString: string, caller: Caller): Promise<Page<ProfileView>> {
    const page = await this.records.list(queryString, caller);
    return { items: page.items.map(toProfile), nextCursor: page.nextCursor };
  }

  async import(ndjson: string, caller: Caller): Promise<ProfileImportReport> {
    const report = await this.records.import(ndjson, caller);
    return { results: report.results.map(({ line, id, ...rest }) => ({ line, uuid: id, ...rest })), totals: report.totals };
  }

  export(caller: Caller): Readable {
    return this.records.export(caller);
  }

  history(uuid: string, caller: Caller, limit: string | undefined, cursor: string | undefined): Promise<Page<AuditEventView>> {
    return this.records.history(uuid, caller, parsePageLimit(limit), cursor);
  }
}
