import { Inject, Injectable } from '@nestjs/common';
import { setImmediate as nextEventLoopTurn } from 'node:timers/promises';
import type { Caller } from '../auth/roles';
import { BadRequestError, DomainError, NotFoundError } from '../common/errors/domain-error';
import type { JsonObject } from '../common/records/merge-patch';
import { Semaphore } from '../common/semaphore';
import { opignoConfig, OpignoConfig } from '../config/configuration';
import { OpignoClient } from '../opigno/opigno.client';
import type { LearningPath, TrainingProgress, UserContext } from '../opigno/opigno.types';
import { ProfilesService } from '../profiles/profiles.service';
import { assertLpId, assertUserUuid, TrainingRecordsService, TrainingRecordView } from '../trainings/training-records.service';
import { TrainingsService, TrainingView } from '../trainings/trainings.service';
import { CachedAnswer, UpstreamCache } from './upstream-cache';

export const PROFILE_PARTS = ['context', 'trainings'] as const;
export type ProfilePart = (typeof PROFILE_PARTS)[number];
export const TRAINING_PARTS = ['upstream'] as const;
export type TrainingPart = (typeof TRAINING_PARTS)[number];

export interface ReadOptions {
  strict: boolean;
  /** Cache-Control: no-cache from the caller: skip the cache (still coalesced). */
  fresh: boolean;
}

/** How one upstream part of an answer went. */
export interface PartReport {
  status: 'ok' | 'unavailable' | 'not_found';
  stale?: boolean;
  /** seconds since the upstream answered this data */
  age?: number;
  code?: string;
  retryAfter?: number;
  /** For trainings: 'local' when the upstream failed and the last synced local records are shown. */
  source?: 'upstream' | 'local';
}

export interface CombinedTraining {
  lpId: string;
  title: string | null;
  status: string | null;
  progress: number | null;
  score: number | null;
  registeredAt: string | null;
  completedAt: string | null;
  timeSpent: number | null;
  /** Local extended training fields of the learning path, or null when none are stored. */
  training: { fields: JsonObject; version: number } | null;
  /** Local enrolment values of this user on this path, or null when the companion holds no record. */
  enrolment: { fields: JsonObject; version: number; syncedAt: string | null } | null;
}

export interface CombinedProfile {
  uuid: string;
  fields: JsonObject;
  version: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  context?: (Omit<UserContext, 'id'> & { opignoId: string }) | null;
  trainings?: CombinedTraining[];
  meta: { upstream: Partial<Record<ProfilePart, PartReport>> };
}

export interface CombinedLearningPath {
  lpId: string;
  fields: JsonObject;
  version: number | null;
  createdAt: string | null;
  updatedAt: string | null;
  upstream?: { title: string | null; certificationEnabled: boolean | null } | null;
  meta: { upstream: Partial<Record<TrainingPart, PartReport>> };
}

export interface BatchItem {
  uuid: string;
  status: number;
  profile?: CombinedProfile;
  problem?: { code: string; detail: string };
}

type Settled<T> = { ok: true; answer: CachedAnswer<T> } | { ok: false; error: unknown };

function settle<T>(promise: Promise<CachedAnswer<T>>): Promise<Settled<T>> {
  return promise.then(
    (answer) => ({ ok: true as const, answer }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

function isNotFound(error: unknown): boolean {
  return error instanceof DomainError && error.kind === 'not_found';
}

function report<T>(settled: Settled<T>): PartReport {
  if (settled.ok) {
    const base: PartReport = { status: 'ok' };
    if (settled.answer.stale) return { ...base, stale: true, age: Math.round(settled.answer.ageMs / 1000) };
    return base;
  }
  if (isNotFound(settled.error)) return { status: 'not_found', code: (settled.error as DomainError).code };
  const error = settled.error as Partial<DomainError>;
  return {
    status: 'unavailable',
    code: typeof error.code === 'string' ? error.code : 'upstream_unavailable',
    ...(error.retryAfterSeconds !== undefined ? { retryAfter: Math.ceil(error.retryAfterSeconds) } : {}),
  };
}

/**
 * An upstream request reaches its socket only after the promise chain that starts it (token, circuit, concurrency cap)
 * and the nextTick in which node:http writes it. Local reads are synchronous SQLite work: started at once they would
 * run first and hold the request back. One turn of the event loop lets every started request go out, so the local
 * reads overlap the round trip instead of preceding it (scenario 2 of the benchmark: p50 0.3 to 0.5 ms lower).
 */
const untilStartedRequestsAreSent = (): Promise<void> => nextEventLoopTurn();

/** Parses ?include=a,b against the parts a resource offers; an unknown part is a 400. */
export function parseInclude<P extends string>(raw: string | undefined, allowed: readonly P[]): P[] {
  if (raw === undefined || raw.trim() === '') return [];
  const parts = [...new Set(raw.split(',').map((p) => p.trim()))];
  const unknown = parts.filter((p) => !(allowed as readonly string[]).includes(p));
  if (unknown.length > 0) {
    throw new BadRequestError('invalid_include', `include takes any of: ${allowed.join(', ')}.`, [
      { field: 'include', code: 'invalid_include', message: `unknown part(s): ${unknown.join(', ')}` },
    ]);
  }
  return parts as P[];
}

/**
 * Local data combined with the user's Opigno context and training progress in one answer. The upstream
 * parts are asked for in one request when both are needed, run while the local reads do, are cached and
 * reported per (user, part), and only ever name the user being read in Opigno-Client-UUID.
 */
@Injectable()
export class CombinedReadsService {
  private readonly cache: UpstreamCache;
  private readonly batchLimiter: Semaphore;

  constructor(
    private readonly profiles: ProfilesService,
    private readonly trainings: TrainingsService,
    private readonly records: TrainingRecordsService,
    private readonly opigno: OpignoClient,
    @Inject(opignoConfig.KEY) config: OpignoConfig,
  ) {
    this.cache = new UpstreamCache({ ttlMs: config.cache.ttlMs, staleWindowMs: config.cache.staleWindowMs, maxEntries: 50_000 });
    this.batchLimiter = new Semaphore(config.cache.batchConcurrency);
  }

  async readProfile(uuid: string, caller: Caller, include: ProfilePart[], options: ReadOptions): Promise<CombinedProfile> {
    assertUserUuid(uuid);
    const wants = new Set(include);
    // Upstream calls first, so the local reads overlap their round trips.
    const { context, progress, calling } = this.startUpstreamParts(uuid, wants, options);
    if (calling) await untilStartedRequestsAreSent();
    const local = this.profiles.find(uuid, caller);
    const localRecords = wants.has('trainings') ? this.records.allForUser(uuid, caller) : Promise.resolve([]);
    // While the upstream answers, the extended trainings are read of the paths the user has locally and of those Opigno
    // named the last time it was asked (kept even past the TTL): after the answer only new paths are left to read.
    const lastKnownProgress = wants.has('trainings') ? (this.cache.peek<TrainingProgress[]>(`trainings:${uuid}`) ?? []) : [];
    const lookedUp = new Set<string>();
    const knownTrainings = wants.has('trainings')
      ? localRecords.then((records) => {
          for (const { lpId } of [...records, ...lastKnownProgress]) lookedUp.add(lpId);
          return this.trainings.getMany([...lookedUp], caller);
        })
      : Promise.resolve([]);

    const [profile, contextResult, progressResult, records, prefetched] = await Promise.all([
      local,
      context,
      progress,
      localRecords,
      knownTrainings,
    ]);
    const failures = [contextResult, progressResult].filter(
      (r): r is { ok: false; error: unknown } => r !== undefined && !r.ok && !isNotFound(r.error),
    );
    if (options.strict && failures.length > 0) throw failures[0]!.error;

    if (!profile) await this.assertUpstreamKnows(uuid, contextResult, progressResult, records, options);

    const answer: CombinedProfile = {
      uuid,
      fields: profile?.fields ?? {},
      version: profile?.version ?? null,
      createdAt: profile?.createdAt ?? null,
      updatedAt: profile?.updatedAt ?? null,
      meta: { upstream: {} },
    };
    if (contextResult) {
      answer.context = contextResult.ok ? this.contextView(contextResult.answer.value) : null;
      answer.meta.upstream.context = report(contextResult);
    }
    if (progressResult) {
      answer.trainings = await this.mergeTrainings(
        progressResult.ok ? progressResult.answer.value : null,
        records,
        { trainings: prefetched, lookedUp },
        caller,
      );
      answer.meta.upstream.trainings = { ...report(progressResult), source: progressResult.ok ? 'upstream' : 'local' };
    }
    return answer;
  }

  async readLearningPath(lpId: string, caller: Caller, include: TrainingPart[], options: ReadOptions): Promise<CombinedLearningPath> {
    assertLpId(lpId);
    const upstreamKey = `learning-path:${lpId}`;
    const wantsUpstream = include.includes('upstream');
    const calling = wantsUpstream && this.cache.wouldLoad(upstreamKey, options);
    const upstream = wantsUpstream ? settle(this.cached(upstreamKey, () => this.opigno.getLearningPath(lpId), options)) : undefined;
    if (calling) await untilStartedRequestsAreSent();
    const [local, upstreamResult] = await Promise.all([this.trainings.find(lpId, caller), upstream]);
    if (options.strict && upstreamResult && !upstreamResult.ok && !isNotFound(upstreamResult.error)) throw upstreamResult.error;
    const path: LearningPath | null = upstreamResult?.ok ? upstreamResult.answer.value : null;
    if (!local && !path) {
      if (upstreamResult && !upstreamResult.ok && !isNotFound(upstreamResult.error)) throw upstreamResult.error;
      throw new NotFoundError(`Neither the companion nor Opigno knows learning path ${lpId}.`, 'training_not_found');
    }
    const answer: CombinedLearningPath = {
      lpId,
      fields: local?.fields ?? {},
      version: local?.version ?? null,
      createdAt: local?.createdAt ?? null,
      updatedAt: local?.updatedAt ?? null,
      meta: { upstream: {} },
    };
    if (upstreamResult) {
      answer.upstream = path ? { title: path.title, certificationEnabled: path.certificationEnabled } : null;
      answer.meta.upstream.upstream = upstreamResult.ok && !path ? { status: 'not_found' } : report(upstreamResult);
    }
    return answer;
  }

  /** Many learners at once (a team page): local reads as they come, upstream work bounded by UPSTREAM_BATCH_CONCURRENCY. */
  async readMany(uuids: string[], caller: Caller, include: ProfilePart[], options: ReadOptions): Promise<BatchItem[]> {
    return Promise.all(
      uuids.map((uuid) =>
        this.batchLimiter
          .run(() => this.readProfile(uuid, caller, include, options))
          .then(
            (profile): BatchItem => ({ uuid, status: 200, profile }),
            (error: unknown): BatchItem => {
              if (!(error instanceof DomainError)) throw error;
              const status =
                error.kind === 'not_found' ? 404 : error.kind === 'bad_request' ? 400 : error.kind === 'bad_gateway' ? 502 : 503;
              return { uuid, status, problem: { code: error.code, detail: error.message } };
            },
          ),
      ),
    );
  }

  /**
   * The included upstream parts, each through its own cache entry. When both must be loaded they are asked for in one
   * request (OpignoClient.readUserContextWithTrainingProgress), and still settle, cache and go stale one by one.
   */
  private startUpstreamParts(
    uuid: string,
    wants: ReadonlySet<ProfilePart>,
    options: ReadOptions,
  ): { context?: Promise<Settled<UserContext>>; progress?: Promise<Settled<TrainingProgress[]>>; calling: boolean } {
    const contextKey = `context:${uuid}`;
    const trainingsKey = `trainings:${uuid}`;
    const loadsContext = wants.has('context') && this.cache.wouldLoad(contextKey, options);
    const loadsTrainings = wants.has('trainings') && this.cache.wouldLoad(trainingsKey, options);
    let loadContext = (): Promise<UserContext> => this.opigno.getUserContext(uuid);
    let loadTrainings = (): Promise<TrainingProgress[]> => this.opigno.getAllUserTrainingProgress(uuid);
    if (loadsContext && loadsTrainings) {
      const joint = this.opigno.readUserContextWithTrainingProgress(uuid);
      loadContext = () => joint.context;
      loadTrainings = () => joint.trainings;
    }
    return {
      progress: wants.has('trainings') ? settle(this.cached(trainingsKey, loadTrainings, options)) : undefined,
      context: wants.has('context') ? settle(this.cached(contextKey, loadContext, options)) : undefined,
      calling: loadsContext || loadsTrainings,
    };
  }

  private cached<T>(key: string, load: () => Promise<T>, options: ReadOptions): Promise<CachedAnswer<T>> {
    // strict callers want a failure, not yesterday's answer.
    return this.cache.get(key, load, { fresh: options.fresh, allowStale: !options.strict });
  }

  /** Without a local profile, the answer exists only if Opigno knows the user; an outage that hides it is reported as such. */
  private async assertUpstreamKnows(
    uuid: string,
    context: Settled<UserContext> | undefined,
    progress: Settled<TrainingProgress[]> | undefined,
    records: TrainingRecordView[],
    options: ReadOptions,
  ): Promise<void> {
    if (records.length > 0) return;
    if (progress?.ok && progress.answer.value.length > 0) return;
    const lookup = context ?? (await settle(this.cached(`context:${uuid}`, () => this.opigno.getUserContext(uuid), options)));
    if (lookup.ok) return;
    if (isNotFound(lookup.error)) throw new NotFoundError(`Neither the companion nor Opigno knows user ${uuid}.`, 'profile_not_found');
    throw lookup.error;
  }

  private contextView(context: UserContext): CombinedProfile['context'] {
    const { id, ...rest } = context;
    return { ...rest, opignoId: id };
  }

  private async mergeTrainings(
    upstream: TrainingProgress[] | null,
    records: TrainingRecordView[],
    prefetched: { trainings: TrainingView[]; lookedUp: ReadonlySet<string> },
    caller: Caller,
  ): Promise<CombinedTraining[]> {
    const recordsByLpId = new Map(records.map((r) => [r.lpId, r]));
    const lpIds = upstream ? upstream.map((p) => p.lpId) : records.map((r) => r.lpId);
    const missing = lpIds.filter((lpId) => !prefetched.lookedUp.has(lpId));
    const fetched = missing.length > 0 ? await this.trainings.getMany(missing, caller) : [];
    const trainingsByLpId = new Map([...prefetched.trainings, ...fetched].map((t) => [t.lpId, t]));
    const enrolmentOf = (lpId: string): CombinedTraining['enrolment'] => {
      const record = recordsByLpId.get(lpId);
      return record ? { fields: record.fields, version: record.version, syncedAt: record.syncedAt } : null;
    };
    const trainingOf = (lpId: string): CombinedTraining['training'] => {
      const training = trainingsByLpId.get(lpId);
      return training ? { fields: training.fields, version: training.version } : null;
    };
    if (upstream) {
      return upstream.map((p) => ({
        lpId: p.lpId,
        title: p.title,
        status: p.status,
        progress: p.progress,
        score: p.score,
        registeredAt: p.registeredAt,
        completedAt: p.completedAt,
        timeSpent: p.timeSpent,
        training: trainingOf(p.lpId),
        enrolment: enrolmentOf(p.lpId),
      }));
    }
    return records.map((r) => ({
      lpId: r.lpId,
      title: r.title,
      status: r.status,
      progress: r.progress,
      score: r.score,
      registeredAt: r.registeredAt,
      completedAt: r.completedAt,
      timeSpent: r.timeSpent,
      training: trainingOf(r.lpId),
      enrolment: enrolmentOf(r.lpId),
    }));
  }
}
