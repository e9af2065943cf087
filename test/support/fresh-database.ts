import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DatabaseConfig } from '../../src/config/configuration';

const POSTGRES_SERVER_URL = process.env.DATABASE_URL;

/** An empty database on the engine under test (PostgreSQL when DATABASE_URL is set, else a SQLite file), and how to drop it. */
export async function freshDatabase(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  if (!POSTGRES_SERVER_URL) {
    const dir = mkdtempSync(join(tmpdir(), 'companion-test-db-'));
    return {
      config: { engine: 'sqlite', path: join(dir, 'm.sqlite'), synchronous: 'NORMAL' },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const name = `companion_test_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = new Client({ connectionString: POSTGRES_SERVER_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_SERVER_URL);
  url.pathname = `/${name}`;
  return {
    config: { engine: 'postgres', url: url.toString(), poolSize: 2 },
    drop: async () => {
      const client = new Client({ connectionString: POSTGRES_SERVER_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
