import { availableParallelism, cpus } from 'node:os';
import { createContext, Engine } from './lib/context';
import { writeResults } from './lib/report';
import { coldStart } from './scenarios/cold-start';
import { combinedRead } from './scenarios/combined-read';
import { filterOverProfiles } from './scenarios/filter';
import { localReadAndPatch } from './scenarios/local-read-and-patch';
import { syncProgress } from './scenarios/sync-progress';

/**
 * `npm run bench`: every scenario on SQLite, and the database-bound ones again on PostgreSQL when
 * DATABASE_URL is set. Each line compares with a baseline measured in the same run.
 * `npm run bench -- 1,4` runs only those scenarios.
 */
async function main(): Promise<void> {
  const only = new Set((process.argv[2] ?? '1,2,3,4,5,6').split(',').map((s) => s.trim()));
  const wants = (n: string): boolean => only.has(n);
  const postgres = process.env.DATABASE_URL;
  const engines: Engine[] = postgres ? ['sqlite', 'postgres'] : ['sqlite'];
  const ctx = createContext(postgres);
  const baselineSqlite: { path: string | null } = { path: null };
  try {
    const databaseBound = async (engine: Engine): Promise<void> => {
      if (wants('1') || wants('3')) await localReadAndPatch(ctx, engine, baselineSqlite);
      if (wants('4')) await filterOverProfiles(ctx, engine);
    };
    if (wants('6')) await coldStart(ctx);
    await databaseBound('sqlite');
    // The upstream-bound scenarios come before PostgreSQL's: after loading 100,000 profiles PostgreSQL goes on writing
    // and vacuuming in the background for minutes, on the same 2 cores.
    if (wants('2')) await combinedRead(ctx);
    if (wants('5')) await syncProgress(ctx);
    if (engines.includes('postgres')) await databaseBound('postgres');
  } finally {
    const file = writeResults({ engines, machine: { cpus: availableParallelism(), model: cpus()[0]?.model, node: process.version } });
    process.stdout.write(`results written to ${file}\n`);
    await ctx.cleanup();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
