import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import type { DatabaseConfig } from '../../src/config/configuration';
import { buildDataSourceOptions } from '../../src/database/data-source-options';

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A new, empty PostgreSQL database on the server of `serverUrl`: its URL, and how to drop it. */
export async function createPostgresDatabase(
  serverUrl: string,
  prefix = 'companion_test',
): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${Date.now()}_${randomBytes(4).toString('hex')}`;
  await onServer(serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** An empty database on the engine under test (PostgreSQL when DATABASE_URL is set, else a SQLite file), and how to drop it. */
export async function freshDatabase(): Promise<{ config: DatabaseConfig; drop: () => Promise<void> }> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const dir = mkdtempSync(join(tmpdir(), 'companion-test-db-'));
    return {
      config: { engine: 'sqlite', path: join(dir, 'm.sqlite'), synchronous: 'NORMAL' },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const { url, drop } = await createPostgresDatabase(serverUrl);
  return { config: { engine: 'postgres', url, poolSize: 2 }, drop };
}

/** A fresh database on the engine under test with every migration run, and how to close and drop it. */
export async function migratedDataSource(): Promise<{ dataSource: DataSource; close: () => Promise<void> }> {
  const database = await freshDatabase();
  const dataSource = new DataSource(buildDataSourceOptions(database.config));
  await dataSource.initialize();
  await dataSource.runMigrations();
  return {
    dataSource,
    close: async () => {
      if (dataSource.isInitialized) await dataSource.destroy();
      await database.drop();
    },
  };
}
