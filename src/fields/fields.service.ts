import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { diffFields } from '../audit/audit-diff';
import { AuditTrail } from '../audit/audit-trail';
import type { Caller } from '../auth/roles';
import { ConflictError, ValidationFailedError, VersionConflictError } from '../common/errors/domain-error';
import { ifMatchSatisfied, WritePreconditions } from '../common/records/etag';
import { FieldValuesMaintenance } from '../common/records/field-values.maintenance';
import { jsonEquals, JsonObject } from '../common/records/merge-patch';
import { TransactionRunner } from '../database/transaction-runner';
import { checkDefinitionRules } from './definition-rules';
import type { CreateFieldDefinitionDto, UpdateFieldDefinitionDto } from './dto/field-definition.dto';
import { constraintsOf, FieldDefinition, FieldKind, FIELD_ROLES, isFieldKind, isIndexed } from './field-definition';
import { FieldDefinitionsCache } from './field-definitions.cache';
import {
  DefinitionHistoryEntry,
  FieldDefinitionsRepository,
  publicDefinition,
  StoredFieldDefinition,
} from './field-definitions.repository';
import { FieldChangeConflictError, FieldNotFoundError, UnknownFieldKindError } from './field-errors';

export interface FieldChangePreview {
  wouldFail: number;
  wouldConvert: number;
  sample: Array<{ id: string; value: unknown; reason: string }>;
}

/** Attributes PATCH may not set to null (only constraints and descriptive text can be removed). */
const NOT_NULLABLE = ['label', 'order', 'type', 'pii', 'readRoles', 'writeRoles', 'searchable', 'status'] as const;

@Injectable()
export class FieldsService {
  constructor(
    private readonly definitions: FieldDefinitionsRepository,
    private readonly cache: FieldDefinitionsCache,
    private readonly values: FieldValuesMaintenance,
    private readonly audit: AuditTrail,
    private readonly runner: TransactionRunner,
  ) {}

  async list(kind: string): Promise<FieldDefinition[]> {
    return (await this.cache.current(this.kindOf(kind))).all.map(publicDefinition);
  }

  async get(kind: string, key: string): Promise<FieldDefinition> {
    const definition = (await this.cache.current(this.kindOf(kind))).get(key);
    if (!definition) throw new FieldNotFoundError(kind, key);
    return publicDefinition(definition);
  }

  async history(kind: string, key: string): Promise<DefinitionHistoryEntry[]> {
    const definition = (await this.cache.current(this.kindOf(kind))).get(key);
    if (!definition) throw new FieldNotFoundError(kind, key);
    return this.definitions.historyOf(definition.id);
  }

  async create(kind: string, input: CreateFieldDefinitionDto, caller: Caller): Promise<FieldDefinition> {
    const fieldKind = this.kindOf(kind);
    const now = new Date().toISOString();
    const definition: StoredFieldDefinition = {
      id: randomUUID(),
      kind: fieldKind,
      key: input.key,
      label: input.label,
      description: input.description ?? null,
      group: input.group ?? null,
      order: input.order ?? 0,
      type: input.type,
      ...withoutNulls(constraintsOf(input as FieldDefinition)),
      pii: input.pii ?? false,
      readRoles: input.readRoles ?? [...FIELD_ROLES],
      writeRoles: input.writeRoles ?? [...FIELD_ROLES],
      searchable: input.searchable ?? false,
      status: input.status ?? 'active',
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    assertCoherent(definition);
    return this.changeDefinitions(fieldKind, async (manager) => {
      if (await this.definitions.findByKey(manager, fieldKind, definition.key)) {
        throw new ConflictError('field_exists', `A ${kind} field with key ${definition.key} already exists.`);
      }
      await this.definitions.insert(manager, definition);
      await this.recordChange(manager, null, definition, 'created', caller);
      return publicDefinition(definition);
    });
  }

  /** Answers what a PATCH would do to stored values, changing nothing. */
  async previewUpdate(kind: string, key: string, patch: UpdateFieldDefinitionDto): Promise<FieldChangePreview> {
    const fieldKind = this.kindOf(kind);
    return this.runner.run(async (manager) => {
      const current = await this.findOrFail(manager, fieldKind, key);
      const next = applyDefinitionPatch(current, patch, current.updatedAt);
      const { wouldFail, wouldConvert, sample } = await this.values.planConversion(manager, next, current);
      return { wouldFail, wouldConvert, sample };
    });
  }

  /** Applies a PATCH; a type change or tightened constraint converts stored values only if all of them fit, else 409. */
  async update(
    kind: string,
    key: string,
    patch: UpdateFieldDefinitionDto,
    caller: Caller,
    preconditions: WritePreconditions,
  ): Promise<FieldDefinition> {
    const fieldKind = this.kindOf(kind);
    return this.changeDefinitions(fieldKind, async (manager) => {
      const current = await this.findOrFail(manager, fieldKind, key);
      if (!ifMatchSatisfied(preconditions.ifMatch, current.version)) throw new VersionConflictError(undefined, current.version);
      const next = applyDefinitionPatch(current, patch, new Date().toISOString());
      if (valueRulesChanged(current, next)) {
        const plan = await this.values.planConversion(manager, next, current);
        if (plan.wouldFail > 0) throw new FieldChangeConflictError(plan.wouldFail, plan.sample, plan.wouldConvert);
        await this.values.applyConversion(manager, next, plan);
      }
      if (current.type !== next.type || isIndexed(current) !== isIndexed(next)) await this.values.reindexField(manager, next);
      await this.definitions.replace(manager, next);
      await this.recordChange(manager, current, next, 'updated', caller);
      return publicDefinition(next);
    });
  }

  /** Moves every stored value and index entry to the new key in one transaction. */
  async rename(kind: string, key: string, newKey: string, caller: Caller): Promise<FieldDefinition> {
    const fieldKind = this.kindOf(kind);
    return this.changeDefinitions(fieldKind, async (manager) => {
      const current = await this.findOrFail(manager, fieldKind, key);
      if (newKey === key) return publicDefinition(current);
      if (await this.definitions.findByKey(manager, fieldKind, newKey)) {
        throw new ConflictError('field_exists', `A ${kind} field with key ${newKey} already exists (archived fields keep their key).`);
      }
      await this.values.renameValues(manager, fieldKind, key, newKey);
      const next: StoredFieldDefinition = { ...current, key: newKey, version: current.version + 1, updatedAt: new Date().toISOString() };
      await this.definitions.replace(manager, next);
      await this.recordChange(manager, current, next, 'renamed', caller);
      return publicDefinition(next);
    });
  }

  /** Deletes a definition; one that holds values needs purge (which removes them) and otherwise answers 409 with the count. */
  async remove(kind: string, key: string, purge: boolean, caller: Caller): Promise<{ key: string; removedValues: number }> {
    const fieldKind = this.kindOf(kind);
    return this.changeDefinitions(fieldKind, async (manager) => {
      const current = await this.findOrFail(manager, fieldKind, key);
      const held = await this.values.countValues(manager, fieldKind, key);
      if (held > 0 && !purge) {
        throw new ConflictError('field_has_values', `The field holds ${held} value(s); delete with ?purge=true to remove them too.`, {
          values: held,
        });
      }
      const removedValues = held > 0 ? await this.values.purgeValues(manager, fieldKind, key) : 0;
      await this.definitions.delete(manager, current.id);
      const gone = { ...current, version: current.version + 1, updatedAt: new Date().toISOString() };
      await this.recordChange(manager, current, null, 'deleted', caller, gone);
      return { key, removedValues };
    });
  }

  private kindOf(kind: string): FieldKind {
    if (!isFieldKind(kind)) throw new UnknownFieldKindError(kind);
    return kind;
  }

  private async findOrFail(manager: EntityManager, kind: FieldKind, key: string): Promise<StoredFieldDefinition> {
    const definition = await this.definitions.findByKey(manager, kind, key);
    if (!definition) throw new FieldNotFoundError(kind, key);
    return definition;
  }

  /** Every definition change: revision bump first (the per-kind lock), then the work; caches reload after commit. */
  private async changeDefinitions<T>(kind: FieldKind, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.runner.run(async (manager) => {
        await this.definitions.bumpRevision(manager, kind);
        return work(manager);
      });
    } finally {
      this.cache.invalidate(kind);
    }
  }

  private async recordChange(
    manager: EntityManager,
    before: StoredFieldDefinition | null,
    after: StoredFieldDefinition | null,
    change: 'created' | 'updated' | 'renamed' | 'deleted',
    caller: Caller,
    historyEntry: StoredFieldDefinition | null = after,
  ): Promise<void> {
    const subject = (after ?? before)!;
    await this.definitions.appendHistory(manager, historyEntry!, change, caller.keyId);
    const asJson = (definition: StoredFieldDefinition | null): JsonObject | null =>
      definition ? (JSON.parse(JSON.stringify(publicDefinition(definition))) as JsonObject) : null;
    // A pii field's default may itself be personal data.
    const diff = diffFields(asJson(before), asJson(after), (attribute) => attribute === 'default' && subject.pii);
    await this.audit.record(manager, [
      {
        actorKeyId: caller.keyId,
        entityType: 'field_definition',
        entityId: `${subject.kind}:${before?.key ?? subject.key}`,
        action: change,
        ...diff,
      },
    ]);
  }
}

function withoutNulls<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null && v !== undefined)) as T;
}

function assertCoherent(definition: StoredFieldDefinition): void {
  const errors = checkDefinitionRules(definition);
  if (errors.length > 0) throw new ValidationFailedError(errors, 'The field definition is not coherent.');
}

/** PATCH semantics for definitions: absent keeps, null removes a constraint or descriptive text. */
function applyDefinitionPatch(current: StoredFieldDefinition, patch: UpdateFieldDefinitionDto, now: string): StoredFieldDefinition {
  const nulled = NOT_NULLABLE.filter((name) => (patch as Record<string, unknown>)[name] === null);
  if (nulled.length > 0)
    throw new ValidationFailedError(nulled.map((field) => ({ field, code: 'not_nullable', message: 'cannot be removed' })));
  const next: StoredFieldDefinition = { ...current, version: current.version + 1, updatedAt: now };
  for (const [name, value] of Object.entries(patch) as Array<[string, unknown]>) {
    if (value === undefined) continue;
    if (value === null) delete (next as unknown as Record<string, unknown>)[name];
    else (next as unknown as Record<string, unknown>)[name] = value;
  }
  next.description ??= null;
  next.group ??= null;
  assertCoherent(next);
  return next;
}

function valueRulesChanged(current: FieldDefinition, next: FieldDefinition): boolean {
  const rules = (definition: FieldDefinition): Record<string, unknown> => {
    const { default: _default, ...constraints } = constraintsOf(definition);
    return { type: definition.type, ...constraints };
  };
  return !jsonEquals(rules(current), rules(next));
}
