import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { JsonObject } from '../common/records/merge-patch';
import { SqlDialect } from '../common/records/sql-dialect';
import { FieldDefinition, FieldKind, mayRead } from './field-definition';
import { FieldDefinitionsRepository, StoredFieldDefinition } from './field-definitions.repository';

/** How long an instance trusts its cached definitions before checking the revision row (changes made elsewhere). */
export const DEFINITIONS_RECHECK_MS = 1000;

/** The definitions of one kind at one revision, with lookups precomputed for the hot paths. */
export class KindDefinitions {
  private readonly byKey = new Map<string, StoredFieldDefinition>();
  private readonly readableByRole = new Map<string, FieldDefinition[]>();

  constructor(
    readonly revision: number,
    readonly all: StoredFieldDefinition[],
  ) {
    for (const definition of all) this.byKey.set(definition.key, definition);
  }

  /** Active or archived. */
  get(key: string): StoredFieldDefinition | undefined {
    return this.byKey.get(key);
  }

  active(): StoredFieldDefinition[] {
    return this.all.filter((d) => d.status === 'active');
  }

  isPii(key: string): boolean {
    return this.byKey.get(key)?.pii === true;
  }

  readableBy(role: string): FieldDefinition[] {
    let readable = this.readableByRole.get(role);
    if (!readable) {
      readable = this.all.filter((d) => d.status === 'active' && mayRead(d, role));
      this.readableByRole.set(role, readable);
    }
    return readable;
  }

  /**
   * Whether a stored fields document is exactly what this role may see: every definition is
   * active and readable by the role. Stored keys are always defined ones (a definition is deleted
   * only with its values), so nothing would be filtered out.
   */
  showsEverythingTo(role: string): boolean {
    return this.readableBy(role).length === this.all.length;
  }

  /** The values a role may see: active, readable fields only. */
  visibleFields(fields: JsonObject, role: string): JsonObject {
    const visible: JsonObject = {};
    for (const definition of this.readableBy(role)) {
      const value = fields[definition.key];
      if (value !== undefined) visible[definition.key] = value;
    }
    return visible;
  }
}

interface CacheEntry {
  definitions: KindDefinitions;
  checkedAt: number;
}

/**
 * In-memory field definitions per kind. Local changes invalidate immediately; changes by other
 * instances are noticed through the per-kind revision row, checked at most every DEFINITIONS_RECHECK_MS
 * on reads and always (under a share lock on PostgreSQL) inside write transactions.
 */
@Injectable()
export class FieldDefinitionsCache {
  private readonly entries = new Map<FieldKind, CacheEntry>();
  private readonly loading = new Map<FieldKind, { revision: number; promise: Promise<KindDefinitions> }>();

  constructor(
    private readonly repository: FieldDefinitionsRepository,
    private readonly dialect: SqlDialect,
  ) {}

  /** The cached definitions when checked within DEFINITIONS_RECHECK_MS, without a promise; otherwise undefined. */
  fresh(kind: FieldKind): KindDefinitions | undefined {
    const entry = this.entries.get(kind);
    return entry && Date.now() - entry.checkedAt < DEFINITIONS_RECHECK_MS ? entry.definitions : undefined;
  }

  async current(kind: FieldKind): Promise<KindDefinitions> {
    const fresh = this.fresh(kind);
    if (fresh) return fresh;
    const revision = await this.revisionOf(this.dialect.dataSource, kind, '');
    return this.atRevision(kind, revision);
  }

  /** For write transactions: the definitions as of now, with definition changes blocked until commit on PostgreSQL. */
  async forWrite(manager: EntityManager, kind: FieldKind): Promise<KindDefinitions> {
    const revision = await this.revisionOf(manager, kind, this.dialect.forShare);
    return this.atRevision(kind, revision);
  }

  invalidate(kind: FieldKind): void {
    this.entries.delete(kind);
  }

  private async atRevision(kind: FieldKind, revision: number): Promise<KindDefinitions> {
    const entry = this.entries.get(kind);
    if (entry && entry.definitions.revision === revision) {
      entry.checkedAt = Date.now();
      return entry.definitions;
    }
    const pending = this.loading.get(kind);
    if (pending && pending.revision === revision) return pending.promise;
    const promise = this.load(kind, revision).finally(() => {
      if (this.loading.get(kind)?.promise === promise) this.loading.delete(kind);
    });
    this.loading.set(kind, { revision, promise });
    return promise;
  }

  private async load(kind: FieldKind, revision: number): Promise<KindDefinitions> {
    const definitions = new KindDefinitions(revision, await this.repository.listByKind(kind));
    this.entries.set(kind, { definitions, checkedAt: Date.now() });
    return definitions;
  }

  private async revisionOf(executor: Pick<EntityManager, 'query'>, kind: FieldKind, lock: string): Promise<number> {
    const rows = await this.dialect.query<{ revision: number }>(
      executor,
      `SELECT revision FROM field_definition_revisions WHERE kind = ?${lock}`,
      [kind],
    );
    return Number(rows[0]?.revision ?? 0);
  }
}
