import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { startBaseline } from './lib/baseline';
import { createContext } from './lib/context';
import { runLoad } from './lib/load';
import { ADMIN_KEY, RunningService, startApp } from './lib/processes';
import { defineProfileFields, importProfiles } from './lib/seed';

/**
 * `npm run bench:compare -- before=/tmp/before/src/main.js after=dist/src/main.js`: scenario 1's keyed read against
 * builds of the app side by side, on one SQLite file, with the bare server as the reference. Each round measures every
 * build and the bare server for a few seconds, in an order that rotates from round to round, so the host's drift and
 * any advantage of a place in the order touch all of them alike. Per build it prints req/s and CPU µs per request of
 * every round, then the mean rate and its ratio to the bare server's. Naming one build twice shows the noise.
 * With DATABASE_URL the builds share a fresh PostgreSQL database instead, and the last build is the reference.
 * ROUNDS (default 8) and BLOCK_SECONDS (default 3) tune the run.
 */
const PROFILES = 10_000;
const CONNECTIONS = 50;

interface Contender {
  name: string;
  service: RunningService;
  path: string;
  headers: Record<string, string>;
  rates: number[];
}

/** User and system CPU time of a process so far, in clock ticks (1/100 s). */
function cpuTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function measure(contender: Contender, seconds: number): Promise<{ rate: number; cpuMicrosPerRequest: number }> {
  const before = cpuTicks(contender.service.pid);
  const load = await runLoad({
    url: contender.service.url,
    connections: CONNECTIONS,
    durationSeconds: seconds,
    headers: contender.headers,
    requests: [
      { method: 'GET', setupRequest: (req: any) => ({ ...req, path: contender.path + (1 + Math.floor(Math.random() * PROFILES)) }) },
    ],
  });
  if (load.non2xx + load.errors > 0) throw new Error(`${contender.name}: ${load.non2xx} non-2xx answers, ${load.errors} errors`);
  const ticks = cpuTicks(contender.service.pid) - before;
  return { rate: load.requestsPerSecond, cpuMicrosPerRequest: (ticks * 10_000) / load.total };
}

async function main(): Promise<void> {
  const builds = process.argv.slice(2).map((argument) => {
    const split = argument.indexOf('=');
    if (split <= 0) throw new Error(`expected name=path/to/main.js, got "${argument}"`);
    return { name: argument.slice(0, split), entry: resolve(argument.slice(split + 1)) };
  });
  if (builds.length === 0) throw new Error('name at least one build: name=path/to/main.js');
  const rounds = Number(process.env.ROUNDS ?? 8);
  const seconds = Number(process.env.BLOCK_SECONDS ?? 3);
  const ctx = createContext(process.env.DATABASE_URL);
  const contenders: Contender[] = [];
  try {
    const database = await ctx.database(process.env.DATABASE_URL ? 'postgres' : 'sqlite', 'compare');
    for (const build of builds) {
      const service = await startApp(database.env, ctx.workdir, build.entry);
      contenders.push({
        name: build.name,
        service,
        path: '/v1/profiles/user-',
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
        rates: [],
      });
      if (contenders.length === 1) {
        await defineProfileFields(service.url);
        await importProfiles(service.url, PROFILES);
      }
    }
    // The bare server reads SQLite; on PostgreSQL the builds are compared with the last one instead.
    if (database.sqlitePath) {
      const bare = await startBaseline(database.sqlitePath);
      contenders.push({ name: 'bare server', service: bare, path: '/profiles/user-', headers: {}, rates: [] });
    }
    for (const contender of contenders) await measure(contender, 2);

    for (let round = 0; round < rounds; round++) {
      const line: string[] = [];
      for (let i = 0; i < contenders.length; i++) {
        const contender = contenders[(i + round) % contenders.length]!;
        const { rate, cpuMicrosPerRequest } = await measure(contender, seconds);
        contender.rates.push(rate);
        line.push(`${contender.name} ${Math.round(rate)} req/s ${Math.round(cpuMicrosPerRequest)} µs`);
      }
      process.stdout.write(`round ${round + 1}: ${line.join(' | ')}\n`);
    }
    const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    const reference = contenders.at(-1)!;
    for (const contender of contenders) {
      const ratio = (mean(contender.rates) / mean(reference.rates)).toFixed(3);
      process.stdout.write(`${contender.name}: ${Math.round(mean(contender.rates))} req/s, ${ratio}x ${reference.name}\n`);
    }
  } finally {
    for (const contender of contenders) await contender.service.stop();
    await ctx.cleanup();
  }
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
