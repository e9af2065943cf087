import { Injectable } from '@nestjs/common';
import { SqlDialect } from '../common/records/sql-dialect';

/**
 * The users the companion knows: anyone with a profile, a user-context link or a training record.
 * Paged in uuid order (code-point order on both engines) for the sync jobs.
 */
@Injectable()
export class KnownUsersRepository {
  constructor(private readonly dialect: SqlDialect) {}

  private get union(): string {
    // The tables' uuid columns differ in collation on PostgreSQL; compare all of them as "C" (code points), like SQLite.
    const c = this.dialect.isPostgres ? ' COLLATE "C"' : '';
    return `SELECT uuid${c} AS uuid FROM profiles UNION SELECT uuid${c} AS uuid FROM user_context_links UNION SELECT uuid${c} AS uuid FROM training_records`;
  }

  async pageAfter(afterUuid: string | null, limit: number): Promise<string[]> {
    const where = afterUuid === null ? '' : ' WHERE uuid > ?';
    const rows = await this.dialect.query<{ uuid: string }>(
      this.dialect.dataSource,
      `SELECT uuid FROM (${this.union}) known${where} ORDER BY uuid LIMIT ?`,
      afterUuid === null ? [limit] : [afterUuid, limit],
    );
    return rows.map((r) => r.uuid);
  }

  async count(): Promise<number> {
    const rows = await this.dialect.query<{ count: number | string }>(
      this.dialect.dataSource,
      `SELECT COUNT(*) AS count FROM (${this.union}) known`,
    );
    return Number(rows[0]?.count ?? 0);
  }
}
