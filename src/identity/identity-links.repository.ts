import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlDialect, SqlExecutor } from '../common/records/sql-dialect';

export interface IdentityLink {
  anonymousId: string;
  userId: string;
  mergedAt: string;
  mergedBy: string;
  result: unknown;
}

interface RawLink {
  anonymous_id: string;
  user_id: string;
  merged_at: string;
  merged_by: string;
  result: string;
}

const toLink = (raw: RawLink): IdentityLink => ({
  anonymousId: raw.anonymous_id,
  userId: raw.user_id,
  mergedAt: raw.merged_at,
  mergedBy: raw.merged_by,
  result: JSON.parse(raw.result) as unknown,
});

/** Identity links: which anonymous id was merged into which user, when and by whom (kept for audit). */
@Injectable()
export class IdentityLinksRepository {
  constructor(private readonly dialect: SqlDialect) {}

  async findByAnonymousId(anonymousId: string, executor: SqlExecutor = this.dialect.dataSource): Promise<IdentityLink | null> {
    const rows = await this.dialect.query<RawLink>(
      executor,
      `SELECT * FROM identity_links WHERE anonymous_id = ?${executorLocks(executor, this.dialect)}`,
      [anonymousId],
    );
    return rows.length === 0 ? null : toLink(rows[0]!);
  }

  async listForUser(userId: string, executor: SqlExecutor = this.dialect.dataSource): Promise<IdentityLink[]> {
    const rows = await this.dialect.query<RawLink>(
      executor,
      'SELECT * FROM identity_links WHERE user_id = ? ORDER BY merged_at, anonymous_id',
      [userId],
    );
    return rows.map(toLink);
  }

  async insert(manager: EntityManager, link: IdentityLink): Promise<void> {
    await this.dialect.query(
      manager,
      'INSERT INTO identity_links (anonymous_id, user_id, merged_at, merged_by, result) VALUES (?, ?, ?, ?, ?)',
      [link.anonymousId, link.userId, link.mergedAt, link.mergedBy, JSON.stringify(link.result)],
    );
  }

  async updateResult(anonymousId: string, result: unknown, executor: SqlExecutor = this.dialect.dataSource): Promise<void> {
    await this.dialect.query(executor, 'UPDATE identity_links SET result = ? WHERE anonymous_id = ?', [
      JSON.stringify(result),
      anonymousId,
    ]);
  }

  async deleteInvolving(manager: EntityManager, uuid: string): Promise<number> {
    const rows = await this.dialect.query<{ count: number | string }>(
      manager,
      'SELECT COUNT(*) AS count FROM identity_links WHERE anonymous_id = ? OR user_id = ?',
      [uuid, uuid],
    );
    await this.dialect.query(manager, 'DELETE FROM identity_links WHERE anonymous_id = ? OR user_id = ?', [uuid, uuid]);
    return Number(rows[0]?.count ?? 0);
  }
}

function executorLocks(executor: SqlExecutor, dialect: SqlDialect): string {
  return executor === dialect.dataSource ? '' : dialect.forUpdate;
}
