import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, LessThan } from 'typeorm';
import { decodeCursor, encodeCursor, invalidCursor, Page } from '../common/pagination/cursor';
import { AuditEventEntity } from './audit-event.entity';
import type { ValueChange } from './audit-diff';

export interface AuditEntry {
  actorKeyId: string | null;
  /** e.g. 'profile', 'field_definition'. */
  entityType: string;
  entityId: string;
  action: string;
  changedFields: string[];
  changes?: Record<string, ValueChange>;
  /** Defaults to now. */
  at?: string;
}

export interface AuditEventView {
  id: number;
  at: string;
  actorKeyId: string | null;
  action: string;
  changedFields: string[];
  changes: Record<string, ValueChange>;
}

const INSERT_CHUNK = 200;

/** The append-only trail of who changed what. Writes join the caller's transaction. */
@Injectable()
export class AuditTrail {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(manager: EntityManager, entries: AuditEntry[]): Promise<void> {
    const now = new Date().toISOString();
    const rows = entries.map((entry) => ({
      occurredAt: entry.at ?? now,
      actorKeyId: entry.actorKeyId,
      entityType: entry.entityType,
      entityId: entry.entityId,
      action: entry.action,
      changedFields: JSON.stringify(entry.changedFields),
      changes: entry.changes ? JSON.stringify(entry.changes) : null,
    }));
    for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
      await manager.insert(AuditEventEntity, rows.slice(start, start + INSERT_CHUNK));
    }
  }

  /** Newest first. */
  async listFor(entityType: string, entityId: string, limit: number, cursor?: string): Promise<Page<AuditEventView>> {
    const before = cursor === undefined ? undefined : positionOf(cursor);
    const rows = await this.dataSource.getRepository(AuditEventEntity).find({
      where: { entityType, entityId, ...(before === undefined ? {} : { id: LessThan(before) }) },
      order: { id: 'DESC' },
      take: limit + 1,
    });
    const items = rows.slice(0, limit).map(toView);
    return { items, nextCursor: rows.length > limit ? encodeCursor({ before: items[items.length - 1]!.id }) : null };
  }
}

function positionOf(cursor: string): number {
  const { before } = decodeCursor(cursor);
  if (!Number.isSafeInteger(before)) throw invalidCursor();
  return before as number;
}

function toView(row: AuditEventEntity): AuditEventView {
  return {
    id: row.id,
    at: row.occurredAt,
    actorKeyId: row.actorKeyId,
    action: row.action,
    changedFields: JSON.parse(row.changedFields) as string[],
    changes: row.changes ? (JSON.parse(row.changes) as Record<string, ValueChange>) : {},
  };
}
