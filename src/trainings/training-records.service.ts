import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../auth/roles';
import { BadRequestError, NotFoundError } from '../common/errors/domain-error';
import { decodeCursor, encodeCursor, invalidCursor, Page, parsePageLimit } from '../common/pagination/cursor';
import type { WritePreconditions } from '../common/records/etag';
import { ExtendedRecordsFactory, ExtendedRecordsService } from '../common/records/extended-records.service';
import type { JsonObject } from '../common/records/merge-patch';
import { TransactionRunner } from '../database/transaction-runner';
import { OpignoClient } from '../opigno/opigno.client';
import { OPIGNO_USER_UUID_PATTERN, TRAINING_STATUSES, TrainingProgress } from '../opigno/opigno.types';
import { ENROLMENT_KIND, LP_ID_PATTERN, trainingRecordId } from './training-kinds';
import { TrainingRecordRow, TrainingRecordsRepository, UpstreamTrainingState, upstreamStateOf } from './training-records.repository';

/** A record as a caller sees it: enrolment fields filtered by the caller's role. */
export type TrainingRecordView = Omit<TrainingRecordRow, 'id'>;

export interface ProgressChanges {
  uuid: string;
  added: string[];
  updated: Array<{ lpId: string; changes: Record<string, { old: unknown; new: unknown }> }>;
  unchanged: number;
  missingUpstream: string[];
  syncedAt: string;
}

export type ProgressOutcome = 'added' | 'updated' | 'unchanged';

const STATE_KEYS: Array<keyof UpstreamTrainingState> = ['title', 'status', 'progress', 'score', 'registeredAt', 'completedAt', 'timeSpent'];

function diffState(before: UpstreamTrainingState, after: UpstreamTrainingState): Record<string, { old: unknown; new: unknown }> {
  const changes: Record<string, { old: unknown; new: unknown }> = {};
  for (const key of STATE_KEYS) if (before[key] !== after[key]) changes[key] = { old: before[key], new: after[key] };
  return changes;
}

export function outcomeOf(changes: ProgressChanges): ProgressOutcome {
  if (changes.added.length > 0) return 'added';
  return changes.updated.length > 0 ? 'updated' : 'unchanged';
}

/** Per-user training records: the upstream view (read-only to callers) plus local enrolment values. */
@Injectable()
export class TrainingRecordsService {
  private readonly enrolments: ExtendedRecordsService;

  constructor(
    private readonly factory: ExtendedRecordsFactory,
    private readonly records: TrainingRecordsRepository,
    private readonly runner: TransactionRunner,
    private readonly opigno: OpignoClient,
  ) {
    this.enrolments = this.factory.forKind(ENROLMENT_KIND);
  }

  async list(uuid: string, caller: Caller, query: { status?: string; limit?: string; cursor?: string }): Promise<Page<TrainingRecordView>> {
    assertUserUuid(uuid);
    if (query.status !== undefined && !(TRAINING_STATUSES as readonly string[]).includes(query.status)) {
      throw new BadRequestError('invalid_status', `status must be one of ${TRAINING_STATUSES.join(', ')}.`, [
        { field: 'status', code: 'invalid_status', message: `must be one of ${TRAINING_STATUSES.join(', ')}` },
      ]);
    }
    const limit = parsePageLimit(query.limit);
    const afterLpId = query.cursor === undefined ? null : cursorLpId(query.cursor);
    const rows = await this.records.listForUser(uuid, { status: query.status, afterLpId, limit: limit + 1 });
    const page = rows.slice(0, limit);
    const items = await this.views(page, caller);
    const nextCursor = rows.length > limit ? encodeCursor({ lpId: page[page.length - 1]!.lpId }) : null;
    return { items, nextCursor };
  }

  /** Every record of a user as the caller may see it (combined reads). */
  async allForUser(uuid: string, caller: Caller): Promise<TrainingRecordView[]> {
    return this.views(await this.records.allForUser(uuid), caller);
  }

  async get(uuid: string, lpId: string, caller: Caller): Promise<TrainingRecordView> {
    assertUserUuid(uuid);
    assertLpId(lpId);
    const row = await this.records.findOne(uuid, lpId);
    if (!row) throw recordNotFound(uuid, lpId);
    return (await this.views([row], caller))[0]!;
  }

  async patchEnrolment(
    uuid: string,
    lpId: string,
    fields: JsonObject,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<TrainingRecordView> {
    assertUserUuid(uuid);
    assertLpId(lpId);
    await this.enrolments.patch(trainingRecordId(uuid, lpId), fields, caller, preconditions);
    return this.get(uuid, lpId, caller);
  }

  /** Reads the user's progress upstream now and applies it; nothing changes locally when the upstream fails. */
  async refresh(uuid: string): Promise<ProgressChanges> {
    assertUserUuid(uuid);
    const progress = await this.opigno.getAllUserTrainingProgress(uuid);
    return this.applyUpstreamProgress(uuid, progress, { dryRun: false });
  }

  /** Upserts the upstream part of a user's records (refresh, webhook) in its own transaction. */
  applyUpstreamProgress(uuid: string, progress: TrainingProgress[], options: { dryRun: boolean }): Promise<ProgressChanges> {
    return this.runner.run((manager) => this.applyUpstreamProgressWithin(manager, uuid, progress, options));
  }

  /** The same inside the caller's transaction (sync jobs commit with their bookkeeping). A dry run computes the answer and writes nothing. */
  async applyUpstreamProgressWithin(
    manager: EntityManager,
    uuid: string,
    progress: TrainingProgress[],
    options: { dryRun: boolean },
  ): Promise<ProgressChanges> {
    const now = new Date().toISOString();
    const existing = new Map((await this.records.lockAllForUser(manager, uuid)).map((row) => [row.lpId, row]));
    const changes: ProgressChanges = { uuid, added: [], updated: [], unchanged: 0, missingUpstream: [], syncedAt: now };
    const seen = new Set<string>();
    const additions: Array<UpstreamTrainingState & { lpId: string }> = [];
    for (const item of progress) {
      seen.add(item.lpId);
      const state = upstreamStateOf(item);
      const current = existing.get(item.lpId);
      if (!current) {
        changes.added.push(item.lpId);
        additions.push({ ...state, lpId: item.lpId });
        continue;
      }
      const diff = diffState(current, state);
      if (Object.keys(diff).length === 0) {
        changes.unchanged += 1;
        continue;
      }
      changes.updated.push({ lpId: item.lpId, changes: diff });
      if (!options.dryRun) await this.records.updateUpstream(manager, current.id, state, now);
    }
    changes.missingUpstream = [...existing.keys()].filter((lpId) => !seen.has(lpId));
    if (options.dryRun) return changes;
    await this.records.insertManyFromUpstream(manager, uuid, additions, now);
    // Added and updated rows were written with synced_at; the user's other rows are marked here.
    if (changes.unchanged > 0 || changes.missingUpstream.length > 0) await this.records.markSynced(manager, uuid, now);
    return changes;
  }

  private async views(rows: TrainingRecordRow[], caller: Caller): Promise<TrainingRecordView[]> {
    if (rows.length === 0) return [];
    const definitions = await this.factory.cache.current(ENROLMENT_KIND.kind);
    return rows.map((row) => {
      const { fields } = this.enrolments.view(
        { id: row.id, fields: row.fields, version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt },
        definitions,
        caller,
      );
      return {
        uuid: row.uuid,
        lpId: row.lpId,
        title: row.title,
        status: row.status,
        progress: row.progress,
        score: row.score,
        registeredAt: row.registeredAt,
        completedAt: row.completedAt,
        timeSpent: row.timeSpent,
        syncedAt: row.syncedAt,
        fields,
        version: row.version,
        createdAt: row.createdAt,
        updatedAt: row.updatedAt,
      };
    });
  }
}

function recordNotFound(uuid: string, lpId: string): NotFoundError {
  return new NotFoundError(`No training record for user ${uuid} and learning path ${lpId}.`, ENROLMENT_KIND.notFoundCode);
}

function cursorLpId(cursor: string): string {
  const position = decodeCursor(cursor);
  if (typeof position.lpId !== 'string') throw invalidCursor();
  return position.lpId;
}

export function assertUserUuid(uuid: string): void {
  if (!OPIGNO_USER_UUID_PATTERN.test(uuid)) {
    throw new BadRequestError('invalid_uuid', `uuid must match ${OPIGNO_USER_UUID_PATTERN.source}.`, [
      { field: 'uuid', code: 'invalid_uuid', message: `must match ${OPIGNO_USER_UUID_PATTERN.source}` },
    ]);
  }
}

export function assertLpId(lpId: string): void {
  if (!LP_ID_PATTERN.test(lpId)) {
    throw new BadRequestError('invalid_lp_id', `lpId must match ${LP_ID_PATTERN.source}.`, [
      { field: 'lpId', code: 'invalid_lp_id', message: `must match ${LP_ID_PATTERN.source}` },
    ]);
  }
}
