import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { FieldKind } from '../../fields/field-definition';
import { IndexColumn, IndexEntry } from './search-index-values';
import { SqlDialect } from './sql-dialect';

export interface RecordIndexEntry extends IndexEntry {
  recordId: string;
  /** The record's creation time: lists filtered by one value find their page in creation order from the index. */
  recordCreatedAt: string;
  key: string;
}

const INSERT_CHUNK = 200;

/** The search index shared by every kind of extended record: one row per indexed value. */
@Injectable()
export class SearchIndexRepository {
  constructor(private readonly dialect: SqlDialect) {}

  /** Replaces every entry of the given records with the given ones. */
  async replaceForRecords(manager: EntityManager, kind: FieldKind, recordIds: string[], entries: RecordIndexEntry[]): Promise<void> {
    for (let start = 0; start < recordIds.length; start += 500) {
      const ids = recordIds.slice(start, start + 500);
      await this.dialect.query(
        manager,
        `DELETE FROM record_search_index WHERE kind = ? AND record_id IN (${SqlDialect.list(ids.length)})`,
        [kind, ...ids],
      );
    }
    await this.insert(manager, kind, entries);
  }

  async insert(manager: EntityManager, kind: FieldKind, entries: RecordIndexEntry[]): Promise<void> {
    await this.dialect.insertRows(
      manager,
      'INSERT INTO record_search_index (kind, field_key, record_id, record_created_at, value_text, value_num)',
      entries.map((e) => [kind, e.key, e.recordId, e.recordCreatedAt, e.text, e.num]),
      INSERT_CHUNK,
    );
  }

  async deleteForRecord(manager: EntityManager, kind: FieldKind, recordId: string): Promise<void> {
    await this.dialect.query(manager, 'DELETE FROM record_search_index WHERE kind = ? AND record_id = ?', [kind, recordId]);
  }

  async deleteField(manager: EntityManager, kind: FieldKind, key: string): Promise<void> {
    await this.dialect.query(manager, 'DELETE FROM record_search_index WHERE kind = ? AND field_key = ?', [kind, key]);
  }

  async renameField(manager: EntityManager, kind: FieldKind, key: string, newKey: string): Promise<void> {
    await this.dialect.query(manager, 'UPDATE record_search_index SET field_key = ? WHERE kind = ? AND field_key = ?', [newKey, kind, key]);
  }

  /** Ids of the records holding exactly this value (for unique fields). */
  async holdersOf(manager: EntityManager, kind: FieldKind, key: string, column: IndexColumn, value: string | number): Promise<string[]> {
    const rows = await this.dialect.query<{ record_id: string }>(
      manager,
      `SELECT record_id FROM record_search_index WHERE kind = ? AND field_key = ? AND ${column} = ? LIMIT 10`,
      [kind, key, value],
    );
    return rows.map((row) => row.record_id);
  }
}
