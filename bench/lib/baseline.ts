import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { freePort, PROJECT_ROOT, waitForHttp } from '../../test/support/built-app';
import type { RunningService } from './processes';

/** The baseline server (bare Fastify + prepared better-sqlite3 statements) as its own process. */
export function startBaseline(sqlitePath: string): Promise<RunningService> {
  return startServerScript('baseline-server.ts', [sqlitePath], '/profiles/user-1');
}

/** The forwarding baseline (bare Fastify + one node:http call to the upstream per request) as its own process. */
export function startForwardingBaseline(upstreamUrl: string, token: string): Promise<RunningService> {
  return startServerScript('forwarding-baseline-server.ts', [upstreamUrl, token], '/profiles/user-1');
}

async function startServerScript(script: string, args: string[], readyPath: string): Promise<RunningService> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', script), ...args, String(port)], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}${readyPath}`, 30_000).catch((error: unknown) => {
    throw new Error(`${script} did not start: ${String(error)} ${output}`);
  });
  return {
    url,
    pid: child.pid!,
    process: { child, output: () => output, exited },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
