import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';

export const PROJECT_ROOT = join(__dirname, '..', '..');
let built = false;

/** Compiles the app once per test file, for suites that run it as a real process. */
export function buildOnce(): void {
  if (built) return;
  execFileSync(join(PROJECT_ROOT, 'node_modules', '.bin', 'nest'), ['build'], { cwd: PROJECT_ROOT, stdio: 'pipe' });
  built = true;
}

export interface RunningProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `node dist/src/main.js` (or another entry) with exactly the given environment on top of PATH/HOME. */
export function startProcess(
  env: Record<string, string>,
  cwd = PROJECT_ROOT,
  entry = join(PROJECT_ROOT, 'dist', 'src', 'main.js'),
): RunningProcess {
  let output = '';
  const child = spawn(process.execPath, [entry], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'UTC', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

export async function waitForHttp(url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}
