import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';

export type Engine = 'sqlite' | 'postgres';

export interface Database {
  env: Record<string, string>;
  /** The SQLite file, for the baseline server and EXPLAIN QUERY PLAN; null on PostgreSQL. */
  sqlitePath: string | null;
  drop(): Promise<void>;
}

export interface BenchContext {
  workdir: string;
  postgresServerUrl: string | undefined;
  database(engine: Engine, name: string): Promise<Database>;
  cleanup(): Promise<void>;
}

export function createContext(postgresServerUrl: string | undefined): BenchContext {
  const workdir = mkdtempSync(join(tmpdir(), 'companion-bench-'));
  const drops: Array<() => Promise<void>> = [];
  return {
    workdir,
    postgresServerUrl,
    async database(engine, name): Promise<Database> {
      if (engine === 'sqlite') {
        const sqlitePath = join(workdir, `${name}.sqlite`);
        return { env: { SQLITE_PATH: sqlitePath }, sqlitePath, drop: async () => undefined };
      }
      const database = `companion_bench_${name}_${randomBytes(3).toString('hex')}`;
      const admin = new Client({ connectionString: postgresServerUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${database}`);
      await admin.end();
      const url = new URL(postgresServerUrl!);
      url.pathname = `/${database}`;
      const drop = async (): Promise<void> => {
        const client = new Client({ connectionString: postgresServerUrl });
        await client.connect();
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        await client.end();
      };
      drops.push(drop);
      return { env: { DATABASE_URL: url.toString() }, sqlitePath: null, drop };
    },
    async cleanup() {
      for (const drop of drops) await drop().catch(() => undefined);
      rmSync(workdir, { recursive: true, force: true });
    },
  };
}
