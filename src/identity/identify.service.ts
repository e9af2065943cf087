import { Injectable, Logger } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../auth/roles';
import { ExtendedRecordsFactory, ExtendedRecordsService } from '../common/records/extended-records.service';
import type { JsonObject } from '../common/records/merge-patch';
import { TransactionRunner } from '../database/transaction-runner';
import { OPIGNO_USER_UUID_PATTERN } from '../opigno/opigno.types';
import { PROFILE_KIND } from '../profiles/profile-kind';
import { ENROLMENT_KIND, trainingRecordId } from '../trainings/training-kinds';
import { TrainingRecordsRepository } from '../trainings/training-records.repository';
import { AlreadyMergedError, CannotMergeIdentifiedError, JunkIdentifierError, MergeInvalidError } from './identity.errors';
import { IdentityLinksRepository } from './identity-links.repository';
import { PendingUpstreamActionsRepository } from './pending-upstream-actions.repository';
import { UserContextLinksRepository } from './user-context-links.repository';
import { isAnonymousId, UserContextsService } from './user-contexts.service';

/** Placeholders that clients send when they have no real id (lower-cased). */
const JUNK_IDENTIFIERS = new Set([
  '',
  'null',
  'undefined',
  'nil',
  'none',
  '0',
  '-1',
  'nan',
  'anonymous',
  'anon',
  'guest',
  'unknown',
  'user',
  'id',
  '[object object]',
  'false',
  'true',
]);

export interface IdentifyResult {
  anonymousId: string;
  userId: string;
  mergedAt: string;
  profile: { created: boolean; movedFields: string[]; keptFields: string[] };
  trainings: { moved: string[]; merged: string[] };
  upstream: { deactivated: boolean; pendingRetry: boolean; code?: string };
}

/** Only a fresh merge is new; repeating the same pair answers the stored result. */
export interface IdentifyOutcome {
  result: IdentifyResult;
  repeated: boolean;
}

/** The role merges run with: they move values regardless of the caller's per-field write permissions. */
const systemRole = (caller: Caller): Caller => ({ keyId: caller.keyId, role: 'admin' });

function gapFill(from: JsonObject, into: JsonObject, activeKeys: Set<string>): JsonObject {
  const patch: JsonObject = {};
  for (const [key, value] of Object.entries(from)) if (!(key in into) && activeKeys.has(key)) patch[key] = value;
  return patch;
}

/**
 * An anonymous learner becomes a known one (the moment a visitor logs in). Rules as analytics
 * systems settled them: identified values win, anonymous values fill gaps, two identified users are
 * never merged, repeating is a no-op, and everything happens in one transaction.
 */
@Injectable()
export class IdentifyService {
  private readonly logger = new Logger(IdentifyService.name);
  private readonly profiles: ExtendedRecordsService;
  private readonly enrolments: ExtendedRecordsService;
  private readonly inFlight = new Map<string, Promise<IdentifyOutcome>>();

  constructor(
    factory: ExtendedRecordsFactory,
    private readonly runner: TransactionRunner,
    private readonly records: TrainingRecordsRepository,
    private readonly links: IdentityLinksRepository,
    private readonly contextLinks: UserContextLinksRepository,
    private readonly contexts: UserContextsService,
    private readonly pending: PendingUpstreamActionsRepository,
  ) {
    this.profiles = factory.forKind(PROFILE_KIND);
    this.enrolments = factory.forKind(ENROLMENT_KIND);
  }

  async identify(anonymousId: string, userId: string, caller: Caller): Promise<IdentifyOutcome> {
    this.assertUsable('anonymousId', anonymousId);
    this.assertUsable('userId', userId);
    // Identical calls arriving while the first is still at work share its answer.
    const pair = `${anonymousId}\n${userId}`;
    const inFlight = this.inFlight.get(pair);
    if (inFlight) return { result: (await inFlight).result, repeated: true };
    const work = this.identifyOnce(anonymousId, userId, caller).finally(() => this.inFlight.delete(pair));
    this.inFlight.set(pair, work);
    return work;
  }

  private async identifyOnce(anonymousId: string, userId: string, caller: Caller): Promise<IdentifyOutcome> {
    const existing = await this.links.findByAnonymousId(anonymousId);
    if (existing) return this.repeat(existing.userId, existing.result as IdentifyResult, anonymousId, userId);

    const contextLink = await this.contextLinks.findByUuid(anonymousId);
    const anonymous = contextLink ? contextLink.anonymous : isAnonymousId(anonymousId);
    if (!anonymous) throw new CannotMergeIdentifiedError(anonymousId);
    if (isAnonymousId(userId) || (await this.contextLinks.findByUuid(userId))?.anonymous) throw new CannotMergeIdentifiedError(userId);
    if (anonymousId === userId) throw new CannotMergeIdentifiedError(userId);

    let merged: { result: IdentifyResult; pendingActionId: string };
    try {
      merged = await this.runner.run((manager) => this.merge(manager, anonymousId, userId, caller));
    } catch (error) {
      // A concurrent identical identify (another instance) may have won the race: answer like a repeat.
      const winner = await this.links.findByAnonymousId(anonymousId);
      if (winner) return this.repeat(winner.userId, winner.result as IdentifyResult, anonymousId, userId);
      throw error;
    }
    const result = await this.deactivateAnonymousContext(merged.result, merged.pendingActionId);
    return { result, repeated: false };
  }

  private repeat(mergedInto: string, stored: IdentifyResult, anonymousId: string, userId: string): IdentifyOutcome {
    if (mergedInto !== userId) throw new AlreadyMergedError(anonymousId, mergedInto);
    return { result: stored, repeated: true };
  }

  private assertUsable(field: string, value: string): void {
    if (typeof value !== 'string' || JUNK_IDENTIFIERS.has(value.trim().toLowerCase()) || !OPIGNO_USER_UUID_PATTERN.test(value)) {
      throw new JunkIdentifierError(field, String(value));
    }
  }

  private async merge(
    manager: EntityManager,
    anonymousId: string,
    userId: string,
    caller: Caller,
  ): Promise<{ result: IdentifyResult; pendingActionId: string }> {
    const system = systemRole(caller);
    const mergedAt = new Date().toISOString();

    // Profiles: the identified user's values win; anonymous values fill the gaps.
    const { batch: profileBatch, definitions: profileDefinitions } = await this.profiles.batchWithin(manager, system);
    await profileBatch.load([anonymousId, userId]);
    const anonymousProfile = profileBatch.current(anonymousId);
    const userProfile = profileBatch.current(userId);
    const activeProfileKeys = new Set(profileDefinitions.active().map((d) => d.key));
    const profile: IdentifyResult['profile'] = { created: false, movedFields: [], keptFields: [] };
    if (anonymousProfile) {
      const patch = gapFill(anonymousProfile.fields, userProfile?.fields ?? {}, activeProfileKeys);
      profile.movedFields = Object.keys(patch).sort();
      profile.keptFields = Object.keys(anonymousProfile.fields)
        .filter((k) => userProfile && k in userProfile.fields)
        .sort();
      profileBatch.stageDelete(anonymousId);
      if (Object.keys(patch).length > 0 || !userProfile) {
        const staged = await profileBatch.stage(userId, 'merge', patch);
        if (staged.status === 'invalid') throw new MergeInvalidError(staged.errors);
        profile.created = staged.status === 'created';
      }
      await profileBatch.flush();
    }

    // Training records: move what only the anonymous learner has; where both have one, keep the user's and fill enrolment gaps.
    const { batch: enrolmentBatch, definitions: enrolmentDefinitions } = await this.enrolments.batchWithin(manager, system);
    const activeEnrolmentKeys = new Set(enrolmentDefinitions.active().map((d) => d.key));
    const anonymousRecords = await this.records.lockAllForUser(manager, anonymousId);
    const userRecords = new Map((await this.records.lockAllForUser(manager, userId)).map((r) => [r.lpId, r]));
    const trainings: IdentifyResult['trainings'] = { moved: [], merged: [] };
    for (const record of anonymousRecords) {
      const target = trainingRecordId(userId, record.lpId);
      const userRecord = userRecords.get(record.lpId);
      if (!userRecord) await this.records.insertMoved(manager, { ...record, fields: {} }, userId, mergedAt);
      await enrolmentBatch.load([record.id, target]);
      const patch = gapFill(record.fields, userRecord?.fields ?? {}, activeEnrolmentKeys);
      if (Object.keys(patch).length > 0) {
        const staged = await enrolmentBatch.stage(target, 'merge', patch);
        if (staged.status === 'invalid') throw new MergeInvalidError(staged.errors);
      }
      enrolmentBatch.stageDelete(record.id);
      (userRecord ? trainings.merged : trainings.moved).push(record.lpId);
    }
    await enrolmentBatch.flush();

    const result: IdentifyResult = {
      anonymousId,
      userId,
      mergedAt,
      profile,
      trainings,
      upstream: { deactivated: false, pendingRetry: true },
    };
    await this.links.insert(manager, { anonymousId, userId, mergedAt, mergedBy: caller.keyId, result });
    // The upstream deactivation is queued with the merge, so a crash right after commit still retries it.
    const pendingActionId = await this.pending.enqueue('deactivate', anonymousId, 'queued with the merge', manager);
    return { result, pendingActionId };
  }

  /** After the merge, the anonymous context upstream is deactivated; a failure stays queued for the retry-pending job, not fatal. */
  private async deactivateAnonymousContext(merged: IdentifyResult, pendingActionId: string): Promise<IdentifyResult> {
    try {
      await this.contexts.deactivateUpstream(merged.anonymousId);
    } catch (error) {
      const code = (error as { code?: string }).code ?? 'internal';
      this.logger.warn(
        { anonymousId: merged.anonymousId, code },
        'Could not deactivate the merged anonymous context upstream; left for retry',
      );
      await this.pending.markFailed(pendingActionId, code);
      const result = { ...merged, upstream: { deactivated: false, pendingRetry: true, code } };
      await this.links.updateResult(merged.anonymousId, result);
      return result;
    }
    const result = { ...merged, upstream: { deactivated: true, pendingRetry: false } };
    await this.runner.run(async (manager) => {
      await this.pending.markDone(pendingActionId, manager);
      await this.links.updateResult(merged.anonymousId, result, manager);
    });
    return result;
  }
}
