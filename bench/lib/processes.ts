import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, PROJECT_ROOT, RunningProcess, startProcess, waitForHttp } from '../../test/support/built-app';

export const ADMIN_KEY = 'bench-admin-key-0123456789abcdefghij';
export const SIM_KEY = 'bench-client';
export const SIM_SECRET = 'bench-client-secret-0123456789';

export interface ProcessMemory {
  rssMb: number;
  peakRssMb: number;
}

/** Resident and peak resident memory of a process, from /proc. */
export function memoryOf(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

export interface RunningService {
  url: string;
  process: RunningProcess;
  pid: number;
  stop(): Promise<void>;
}

async function stopProcess(process: RunningProcess): Promise<void> {
  process.child.kill('SIGTERM');
  await process.exited;
}

/** The built app (or another build's entry) as a real process, tuned for load (no rate limit, warn-level logs). */
export async function startApp(
  env: Record<string, string>,
  cwd: string,
  entry?: string,
): Promise<RunningService & { startedInMs: number }> {
  const port = await freePort();
  const started = performance.now();
  const process = startProcess(
    {
      PORT: String(port),
      HOST: '127.0.0.1',
      ADMIN_API_KEY: ADMIN_KEY,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      SYNC_SCHEDULER_ENABLED: 'false',
      SIMULATOR_ENABLED: 'false',
      IMPORT_BODY_LIMIT_BYTES: String(200 * 1024 * 1024),
      ...env,
    },
    cwd,
    entry,
  );
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, 60_000).catch((error: unknown) => {
    throw new Error(`app did not start: ${String(error)}\n${process.output()}`);
  });
  return { url, process, pid: process.child.pid!, startedInMs: performance.now() - started, stop: () => stopProcess(process) };
}

/** The Opigno simulator as its own process, so it does not share the benchmark's event loop. */
export async function startSimulatorProcess(flags: Record<string, string | number> = {}): Promise<RunningService> {
  const port = await freePort();
  const args = Object.entries({ port, 'client-key': SIM_KEY, 'client-secret': SIM_SECRET, ...flags }).map(([k, v]) => `--${k}=${v}`);
  const { spawn } = await import('node:child_process');
  let output = '';
  const child = spawn(process.execPath, [join(PROJECT_ROOT, 'dist', 'src', 'simulator', 'main.js'), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const running: RunningProcess = { child, output: () => output, exited };
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/__admin/health`, 30_000);
  return { url, process: running, pid: child.pid!, stop: () => stopProcess(running) };
}

export function upstreamEnv(sim: RunningService): Record<string, string> {
  return { OPIGNO_BASE_URL: sim.url, OPIGNO_CLIENT_KEY: SIM_KEY, OPIGNO_CLIENT_SECRET: SIM_SECRET, OPIGNO_TIMEOUT_MS: '5000' };
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

/** A JSON call with the bench admin key. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const isText = typeof body === 'string';
  const response = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(body === undefined ? {} : { 'content-type': isText ? 'application/x-ndjson' : 'application/json' }),
      ...headers,
    },
    body: body === undefined ? undefined : isText ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON */
  }
  return { status: response.status, body: parsed, headers: response.headers };
}
