import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { SyncLease } from './sync-lease.entity';
import { runSql } from './sql';

/** The per-job lease: one runner per job across every instance on the database. */
@Injectable()
export class SyncLeasesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the job's lease when nobody holds it or the holder let it expire. A single conditional
   * upsert, so two instances racing for it cannot both win (row lock on PostgreSQL, the write
   * lock on SQLite).
   */
  async tryAcquire(job: string, runId: string, holder: string, now: string, expiresAt: string): Promise<boolean> {
    const result = await runSql(
      this.dataSource.manager,
      `INSERT INTO "sync_leases" ("job", "run_id", "holder", "expires_at") VALUES (?, ?, ?, ?)
       ON CONFLICT ("job") DO UPDATE SET "run_id" = excluded."run_id", "holder" = excluded."holder", "expires_at" = excluded."expires_at"
       WHERE "sync_leases"."expires_at" < ?`,
      [job, runId, holder, expiresAt, now],
    );
    return result.affected === 1;
  }

  /** Extends the lease; false when it is no longer ours (expired and taken over). */
  async renew(job: string, holder: string, expiresAt: string): Promise<boolean> {
    const result = await this.dataSource.getRepository(SyncLease).update({ job, holder }, { expiresAt });
    return (result.affected ?? 0) > 0;
  }

  async assignRun(job: string, holder: string, runId: string): Promise<void> {
    await this.dataSource.getRepository(SyncLease).update({ job, holder }, { runId });
  }

  async release(job: string, holder: string): Promise<void> {
    await this.dataSource.getRepository(SyncLease).delete({ job, holder });
  }

  findByJob(job: string): Promise<SyncLease | null> {
    return this.dataSource.getRepository(SyncLease).findOneBy({ job });
  }
}
