import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { constraintsOf, FieldConstraints, FieldDefinition, FieldKind, FieldRole } from './field-definition';
import { FieldDefinitionEntity, FieldDefinitionHistoryEntity, FieldDefinitionRevisionEntity } from './field-definition.entity';

/** A definition with its storage id (stable across renames). */
export interface StoredFieldDefinition extends FieldDefinition {
  id: string;
}

export interface DefinitionHistoryEntry {
  version: number;
  change: string;
  changedBy: string | null;
  changedAt: string;
  definition: FieldDefinition;
}

function toDefinition(entity: FieldDefinitionEntity): StoredFieldDefinition {
  const roles = (csv: string): FieldRole[] => (csv === '' ? [] : (csv.split(',') as FieldRole[]));
  return {
    id: entity.id,
    kind: entity.kind,
    key: entity.key,
    label: entity.label,
    description: entity.description,
    group: entity.group,
    order: entity.order,
    type: entity.type,
    ...(JSON.parse(entity.constraints) as FieldConstraints),
    pii: Boolean(entity.pii),
    readRoles: roles(entity.readRoles),
    writeRoles: roles(entity.writeRoles),
    searchable: Boolean(entity.searchable),
    status: entity.status,
    version: entity.version,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}

function toEntity(definition: StoredFieldDefinition): FieldDefinitionEntity {
  return {
    id: definition.id,
    kind: definition.kind,
    key: definition.key,
    label: definition.label,
    description: definition.description,
    group: definition.group,
    order: definition.order,
    type: definition.type,
    constraints: JSON.stringify(constraintsOf(definition)),
    pii: definition.pii,
    readRoles: definition.readRoles.join(','),
    writeRoles: definition.writeRoles.join(','),
    searchable: definition.searchable,
    status: definition.status,
    version: definition.version,
    createdAt: definition.createdAt,
    updatedAt: definition.updatedAt,
  };
}

/** Strips the storage id: what the API and the history show. */
export function publicDefinition(definition: StoredFieldDefinition): FieldDefinition {
  const { id: _id, ...rest } = definition;
  return rest;
}

@Injectable()
export class FieldDefinitionsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async listByKind(kind: FieldKind): Promise<StoredFieldDefinition[]> {
    const rows = await this.dataSource.getRepository(FieldDefinitionEntity).find({ where: { kind } });
    return rows.map(toDefinition).sort(byGroupOrderKey);
  }

  async findByKey(manager: EntityManager, kind: FieldKind, key: string): Promise<StoredFieldDefinition | null> {
    const row = await manager.getRepository(FieldDefinitionEntity).findOneBy({ kind, key });
    return row ? toDefinition(row) : null;
  }

  async insert(manager: EntityManager, definition: StoredFieldDefinition): Promise<void> {
    await manager.getRepository(FieldDefinitionEntity).insert(toEntity(definition));
  }

  async replace(manager: EntityManager, definition: StoredFieldDefinition): Promise<void> {
    const { id, ...columns } = toEntity(definition);
    await manager.getRepository(FieldDefinitionEntity).update({ id }, columns);
  }

  async delete(manager: EntityManager, id: string): Promise<void> {
    await manager.getRepository(FieldDefinitionEntity).delete({ id });
  }

  async appendHistory(manager: EntityManager, definition: StoredFieldDefinition, change: string, changedBy: string | null): Promise<void> {
    await manager.getRepository(FieldDefinitionHistoryEntity).insert({
      id: randomUUID(),
      definitionId: definition.id,
      kind: definition.kind,
      key: definition.key,
      version: definition.version,
      change,
      snapshot: JSON.stringify(publicDefinition(definition)),
      changedBy,
      changedAt: definition.updatedAt,
    });
  }

  async historyOf(definitionId: string): Promise<DefinitionHistoryEntry[]> {
    const rows = await this.dataSource
      .getRepository(FieldDefinitionHistoryEntity)
      .find({ where: { definitionId }, order: { version: 'DESC' } });
    return rows.map((row) => ({
      version: row.version,
      change: row.change,
      changedBy: row.changedBy,
      changedAt: row.changedAt,
      definition: JSON.parse(row.snapshot) as FieldDefinition,
    }));
  }

  /**
   * Marks the kind's definitions as changed. Taken first in every definition change, the row lock
   * also serializes definition changes of a kind on PostgreSQL.
   */
  async bumpRevision(manager: EntityManager, kind: FieldKind): Promise<void> {
    await manager
      .createQueryBuilder()
      .update(FieldDefinitionRevisionEntity)
      .set({ revision: () => 'revision + 1' })
      .where('kind = :kind', { kind })
      .execute();
  }
}

function byGroupOrderKey(a: FieldDefinition, b: FieldDefinition): number {
  return (a.group ?? '').localeCompare(b.group ?? '') || a.order - b.order || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
}
