import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { Caller } from '../auth/roles';
import { NotFoundError, ValidationFailedError } from '../common/errors/domain-error';
import type { StagedWrite } from '../common/records/record-write-batch';
import { ExtendedRecordsFactory, ExtendedRecordsService } from '../common/records/extended-records.service';
import type { StoredRecord } from '../common/records/record-kind';
import { SqlDialect, SqlExecutor } from '../common/records/sql-dialect';
import { TransactionRunner } from '../database/transaction-runner';
import { PROFILE_KIND } from '../profiles/profile-kind';
import { ENROLMENT_KIND } from '../trainings/training-kinds';
import { TrainingRecordRow, TrainingRecordsRepository } from '../trainings/training-records.repository';
import { IdentityLink, IdentityLinksRepository } from './identity-links.repository';
import { PendingUpstreamAction, PendingUpstreamActionsRepository } from './pending-upstream-actions.repository';
import { UserContextLink } from './user-context-link.entity';
import { UserContextLinksRepository } from './user-context-links.repository';
import { UserContextsService } from './user-contexts.service';

export type UpstreamErasure = 'anonymize' | 'deactivate';

export interface PrivacyExport {
  uuid: string;
  exportedAt: string;
  profile: StoredRecord | null;
  trainingRecords: TrainingRecordRow[];
  userContext: UserContextLink | null;
  aliases: IdentityLink[];
  pendingUpstreamActions: PendingUpstreamAction[];
  auditTrail: Array<Record<string, unknown>>;
}

export interface ErasureReport {
  uuidHash: string;
  erasedAt: string;
  removed: {
    profile: number;
    trainingRecords: number;
    auditEvents: number;
    aliases: number;
    userContext: number;
    pendingActions: number;
    syncState: number;
  };
  upstream: UpstreamErasure | null;
}

interface RawAuditEvent {
  id: number | string;
  occurred_at: string;
  actor_key_id: string | null;
  entity_type: string;
  entity_id: string;
  action: string;
  changed_fields: string;
  changes: string | null;
}

export function uuidHash(uuid: string): string {
  return createHash('sha256').update(uuid).digest('hex');
}

/** Everything the companion stores about one user: exported as one document, or erased with a tombstone left behind. */
@Injectable()
export class PrivacyService {
  private readonly profiles: ExtendedRecordsService;
  private readonly enrolments: ExtendedRecordsService;

  constructor(
    private readonly factory: ExtendedRecordsFactory,
    private readonly dialect: SqlDialect,
    private readonly runner: TransactionRunner,
    private readonly records: TrainingRecordsRepository,
    private readonly links: IdentityLinksRepository,
    private readonly contextLinks: UserContextLinksRepository,
    private readonly pending: PendingUpstreamActionsRepository,
    private readonly contexts: UserContextsService,
  ) {
    this.profiles = factory.forKind(PROFILE_KIND);
    this.enrolments = factory.forKind(ENROLMENT_KIND);
  }

  async export(uuid: string): Promise<PrivacyExport> {
    this.profiles.assertValidId(uuid);
    const [profile, trainingRecords, userContext, aliases, pendingUpstreamActions, auditTrail] = await Promise.all([
      this.factory.rows.findById(PROFILE_KIND, uuid),
      this.records.allForUser(uuid),
      this.contextLinks.findByUuid(uuid),
      this.aliasesOf(uuid),
      this.pending.listForUser(uuid),
      this.auditEventsOf(this.dialect.dataSource, uuid),
    ]);
    const holdsNothing =
      !profile && trainingRecords.length === 0 && !userContext && aliases.length === 0 && pendingUpstreamActions.length === 0;
    if (holdsNothing) throw new NotFoundError(`The companion stores nothing about user ${uuid}.`, 'profile_not_found');
    return {
      uuid,
      exportedAt: new Date().toISOString(),
      profile,
      trainingRecords,
      userContext,
      aliases,
      pendingUpstreamActions,
      auditTrail,
    };
  }

  async aliasesOf(uuid: string): Promise<IdentityLink[]> {
    const [asUser, asAnonymous] = await Promise.all([this.links.listForUser(uuid), this.links.findByAnonymousId(uuid)]);
    return asAnonymous ? [...asUser, asAnonymous] : asUser;
  }

  /** Removes every local record of the user (audit values included), after applying the upstream action if one was asked for. */
  async erase(uuid: string, caller: Caller, upstream: UpstreamErasure | null): Promise<ErasureReport> {
    this.profiles.assertValidId(uuid);
    // Upstream first: if Opigno refuses or is down, nothing local is lost and the caller can retry.
    if (upstream === 'anonymize') await this.contexts.anonymizeUpstream(uuid);
    if (upstream === 'deactivate') await this.contexts.deactivateUpstream(uuid);

    return this.runner.run(async (manager) => {
      const erasedAt = new Date().toISOString();
      const { batch: profileBatch } = await this.profiles.batchWithin(manager, caller);
      await profileBatch.load([uuid]);
      const profile = profileBatch.stageDelete(uuid) ? 1 : 0;
      await profileBatch.flush();

      const trainingRecords = await this.records.lockAllForUser(manager, uuid);
      const { batch: enrolmentBatch } = await this.enrolments.batchWithin(manager, caller);
      await enrolmentBatch.load(trainingRecords.map((r) => r.id));
      for (const record of trainingRecords) enrolmentBatch.stageDelete(record.id);
      await enrolmentBatch.flush();

      // The anonymous ids merged into the user identified the same person: their traces go too.
      const anonymousIds = (await this.links.listForUser(uuid, manager)).map((link) => link.anonymousId);
      const aliases = await this.links.deleteInvolving(manager, uuid);
      let auditEvents = 0;
      let userContext = 0;
      let pendingActions = 0;
      let syncState = 0;
      for (const id of [uuid, ...anonymousIds]) {
        auditEvents += await this.deleteAuditEventsOf(manager, id);
        userContext += await this.contextLinks.deleteByUuid(id, manager);
        pendingActions += await this.pending.deleteForUser(manager, id);
        syncState += await this.deleteSyncStateOf(manager, id);
      }
      const removed = { profile, trainingRecords: trainingRecords.length, auditEvents, aliases, userContext, pendingActions, syncState };
      if (profile + trainingRecords.length + aliases + userContext + pendingActions === 0) {
        throw new NotFoundError(`The companion stores nothing about user ${uuid}.`, 'profile_not_found');
      }
      // A user can come back and be erased again: the tombstone records the latest erasure.
      await this.dialect.query(manager, 'DELETE FROM erasure_tombstones WHERE uuid_hash = ?', [uuidHash(uuid)]);
      await this.dialect.query(manager, 'INSERT INTO erasure_tombstones (uuid_hash, erased_at, erased_by, upstream) VALUES (?, ?, ?, ?)', [
        uuidHash(uuid),
        erasedAt,
        caller.keyId,
        upstream,
      ]);
      return { uuidHash: uuidHash(uuid), erasedAt, removed, upstream };
    });
  }

  /** Replaces the upstream display name with a neutral one and clears the user's personal-data (pii) fields locally. */
  async anonymize(
    uuid: string,
    caller: Caller,
  ): Promise<{ context: Awaited<ReturnType<UserContextsService['anonymizeUpstream']>>; clearedFields: string[] }> {
    this.profiles.assertValidId(uuid);
    const context = await this.contexts.anonymizeUpstream(uuid);
    const clearedFields = await this.runner.run(async (manager) => {
      const cleared: string[] = [];
      const system: Caller = { keyId: caller.keyId, role: 'admin' };
      const { batch: profileBatch, definitions: profileDefinitions } = await this.profiles.batchWithin(manager, system);
      await profileBatch.load([uuid]);
      const profile = profileBatch.current(uuid);
      const profilePii = profile ? Object.keys(profile.fields).filter((key) => profileDefinitions.isPii(key)) : [];
      if (profilePii.length > 0) {
        refuseIfInvalid(await profileBatch.stage(uuid, 'merge', Object.fromEntries(profilePii.map((key) => [key, null]))));
        cleared.push(...profilePii.map((key) => `profile.${key}`));
      }
      await profileBatch.flush();

      const { batch: enrolmentBatch, definitions: enrolmentDefinitions } = await this.enrolments.batchWithin(manager, system);
      const records = await this.records.lockAllForUser(manager, uuid);
      await enrolmentBatch.load(records.map((r) => r.id));
      for (const record of records) {
        const pii = Object.keys(record.fields).filter((key) => enrolmentDefinitions.isPii(key));
        if (pii.length === 0) continue;
        refuseIfInvalid(await enrolmentBatch.stage(record.id, 'merge', Object.fromEntries(pii.map((key) => [key, null]))));
        cleared.push(...pii.map((key) => `trainings.${record.lpId}.${key}`));
      }
      await enrolmentBatch.flush();
      return cleared;
    });
    return { context, clearedFields };
  }

  private auditScope(uuid: string): { sql: string; parameters: string[] } {
    // substr instead of LIKE: user ids may contain "_", a LIKE wildcard.
    const prefix = `${uuid}/`;
    return {
      sql: `(entity_type = ? AND entity_id = ?) OR (entity_type = ? AND substr(entity_id, 1, ${prefix.length}) = ?)`,
      parameters: [PROFILE_KIND.noun, uuid, ENROLMENT_KIND.noun, prefix],
    };
  }

  private async auditEventsOf(executor: SqlExecutor, uuid: string): Promise<Array<Record<string, unknown>>> {
    const scope = this.auditScope(uuid);
    const rows = await this.dialect.query<RawAuditEvent>(
      executor,
      `SELECT * FROM audit_events WHERE ${scope.sql} ORDER BY id`,
      scope.parameters,
    );
    return rows.map((row) => ({
      id: Number(row.id),
      at: row.occurred_at,
      actorKeyId: row.actor_key_id,
      entityType: row.entity_type,
      entityId: row.entity_id,
      action: row.action,
      changedFields: JSON.parse(row.changed_fields) as unknown,
      changes: row.changes ? (JSON.parse(row.changes) as unknown) : {},
    }));
  }

  private async deleteAuditEventsOf(manager: EntityManager, uuid: string): Promise<number> {
    const scope = this.auditScope(uuid);
    const counted = await this.dialect.query<{ count: number | string }>(
      manager,
      `SELECT COUNT(*) AS count FROM audit_events WHERE ${scope.sql}`,
      scope.parameters,
    );
    await this.dialect.query(manager, `DELETE FROM audit_events WHERE ${scope.sql}`, scope.parameters);
    return Number(counted[0]?.count ?? 0);
  }

  /** Sync bookkeeping keyed by the user (per-user sync state and per-run item outcomes). */
  private async deleteSyncStateOf(manager: EntityManager, uuid: string): Promise<number> {
    let removed = 0;
    for (const table of ['sync_item_state', 'sync_run_items']) {
      const counted = await this.dialect.query<{ count: number | string }>(
        manager,
        `SELECT COUNT(*) AS count FROM ${table} WHERE "key" = ?`,
        [uuid],
      );
      await this.dialect.query(manager, `DELETE FROM ${table} WHERE "key" = ?`, [uuid]);
      removed += Number(counted[0]?.count ?? 0);
    }
    return removed;
  }
}

function refuseIfInvalid(staged: StagedWrite): void {
  if (staged.status === 'invalid') {
    throw new ValidationFailedError(staged.errors, 'Personal-data fields that are required cannot be cleared; make them optional first.');
  }
}
