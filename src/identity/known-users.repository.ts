import { Injectable } from '@nestjs/common';
import { SqlDialect } from '../common/records/sql-dialect';

/** Where known users come from; each listing is ordered by code point (collation "C" on PostgreSQL, like SQLite). */
const SOURCES = [
  { table: 'profiles', distinct: false },
  { table: 'user_context_links', distinct: false },
  { table: 'training_records', distinct: true },
] as const;

/**
 * The users the companion knows: anyone with a profile, a user-context link or a training record.
 * Paged in uuid order for the sync jobs: each source is read by its index from the cursor on, and the
 * three sorted pages are merged, so a page costs the same whatever the number of users.
 */
@Injectable()
export class KnownUsersRepository {
  constructor(private readonly dialect: SqlDialect) {}

  async pageAfter(afterUuid: string | null, limit: number): Promise<string[]> {
    const pages = await Promise.all(SOURCES.map((source) => this.sourcePage(source.table, source.distinct, afterUuid, limit)));
    const merged = new Set<string>();
    for (const page of pages) for (const uuid of page) merged.add(uuid);
    // uuids are ASCII (see OPIGNO_USER_UUID_PATTERN), so JavaScript order equals code-point order.
    return [...merged].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, limit);
  }

  async count(): Promise<number> {
    const c = this.dialect.isPostgres ? ' COLLATE "C"' : '';
    const union = SOURCES.map((s) => `SELECT uuid${c} AS uuid FROM ${s.table}`).join(' UNION ');
    const rows = await this.dialect.query<{ count: number | string }>(
      this.dialect.dataSource,
      `SELECT COUNT(*) AS count FROM (${union}) known`,
    );
    return Number(rows[0]?.count ?? 0);
  }

  private async sourcePage(table: string, distinct: boolean, afterUuid: string | null, limit: number): Promise<string[]> {
    const c = this.dialect.isPostgres ? ' COLLATE "C"' : '';
    const where = afterUuid === null ? '' : ` WHERE uuid${c} > ?`;
    const column = `uuid${c}`;
    const sql = `SELECT ${distinct ? 'DISTINCT ' : ''}${column} AS uuid FROM ${table}${where} ORDER BY ${column} LIMIT ?`;
    const rows = await this.dialect.query<{ uuid: string }>(
      this.dialect.dataSource,
      sql,
      afterUuid === null ? [limit] : [afterUuid, limit],
    );
    return rows.map((r) => r.uuid);
  }
}
