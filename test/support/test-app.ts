import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createApp } from '../../src/app.factory';
import { createPostgresDatabase } from './fresh-database';

/** The PostgreSQL server URL the suite was started with (CI sets it); each app gets its own database on it. */
const POSTGRES_SERVER_URL = process.env.DATABASE_URL;

export const TEST_ADMIN_KEY = 'test-admin-key-' + 'x'.repeat(24);

export interface ApiAnswer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Raw body, sent as is (with contentType). */
  raw?: string | Buffer;
  contentType?: string;
  /** API key; defaults to the admin key. Pass null to send none. */
  key?: string | null;
  headers?: Record<string, string>;
}

export interface TestApp {
  app: NestFastifyApplication;
  url: string;
  /** Log lines of every app this test file booted (see sharedLogs). */
  logs: string[];
  adminKey: string;
  engine: 'sqlite' | 'postgres';
  /** Where this app's database is (DATABASE_URL or SQLITE_PATH), for a second instance on it. */
  databaseEnv: Record<string, string>;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<ApiAnswer<T>>;
  /** Creates an API key of a role and answers the key. */
  createKey(role: 'admin' | 'service' | 'sync', label?: string): Promise<string>;
  close(): Promise<void>;
}

/**
 * nestjs-pino keeps one root logger per process, so every app booted by a test file writes to the
 * stream of the first one: all apps of a file therefore share one log sink.
 */
const sharedLogs: string[] = [];
const sharedLogStream = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    sharedLogs.push(chunk.toString());
    callback();
  },
});

/** Boots the real app on a random port against a fresh database (SQLite file, or PostgreSQL when DATABASE_URL is set). */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'companion-test-'));
  let dropDatabase = async (): Promise<void> => undefined;
  const baseEnv: Record<string, string> = {
    NODE_ENV: 'test',
    TZ: 'UTC',
    LOG_LEVEL: 'info',
    SQLITE_PATH: join(dir, 'companion.sqlite'),
    ADMIN_API_KEY: TEST_ADMIN_KEY,
    SIMULATOR_ENABLED: 'false',
    SYNC_SCHEDULER_ENABLED: 'false',
    RATE_LIMIT_PER_MINUTE: '1000000',
    ENCRYPTION_KEY: 'a'.repeat(64),
  };
  if (POSTGRES_SERVER_URL) {
    const database = await createPostgresDatabase(POSTGRES_SERVER_URL);
    baseEnv.DATABASE_URL = database.url;
    dropDatabase = database.drop;
  } else {
    delete process.env.DATABASE_URL;
  }
  Object.assign(process.env, baseEnv, env);

  const app = await createApp({ logStream: sharedLogStream });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}`;

  const request = async <T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const key = options.key === undefined ? TEST_ADMIN_KEY : options.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | Buffer | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/json';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const response = await fetch(url + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, headers: response.headers, body: parsed as T, text };
  };

  return {
    app,
    url,
    logs: sharedLogs,
    adminKey: TEST_ADMIN_KEY,
    engine: POSTGRES_SERVER_URL ? 'postgres' : 'sqlite',
    databaseEnv: process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : { SQLITE_PATH: process.env.SQLITE_PATH! },
    request,
    createKey: async (role, label = `${role} key`) => {
      const answer = await request<{ key: string }>('POST', '/v1/admin/api-keys', { body: { role, label } });
      if (answer.status !== 201) throw new Error(`could not create key: ${answer.status} ${answer.text}`);
      return answer.body.key;
    },
    close: async () => {
      await app.close();
      await dropDatabase();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Another instance on the same database as `first` (multi-instance behaviour: leases, schedules). */
export function startTestAppSharing(first: TestApp, env: Record<string, string> = {}): Promise<TestApp> {
  return startTestApp({ ...env, ...first.databaseEnv });
}
