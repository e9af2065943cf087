import { startBaseline } from '../lib/baseline';
import type { BenchContext, Engine } from '../lib/context';
import { LoadResult, runLoad } from '../lib/load';
import { ADMIN_KEY, startApp } from '../lib/processes';
import { report } from '../lib/report';
import { requestLoop } from '../lib/request-loop';
import { defineProfileFields, importProfiles } from '../lib/seed';

const PROFILES = 10_000;
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 2;
/** After the import: its write-ahead log is copied into the database file in the background for a few seconds. */
const SETTLE_SECONDS = 3;
const READ_BLOCKS = 5;
const READ_BLOCK_SECONDS = 4;
const randomUser = (): string => `user-${1 + Math.floor(Math.random() * PROFILES)}`;

/** Blocks of one load taken together: the mean of their rates, and the highest latencies of any block. */
function pooledLoad(blocks: LoadResult[]): LoadResult {
  return {
    requestsPerSecond: blocks.reduce((sum, block) => sum + block.requestsPerSecond, 0) / blocks.length,
    p50Ms: Math.max(...blocks.map((block) => block.p50Ms)),
    p95Ms: Math.max(...blocks.map((block) => block.p95Ms)),
    p99Ms: Math.max(...blocks.map((block) => block.p99Ms)),
    non2xx: blocks.reduce((sum, block) => sum + block.non2xx, 0),
    errors: blocks.reduce((sum, block) => sum + block.errors, 0),
    total: blocks.reduce((sum, block) => sum + block.total, 0),
  };
}

/** Patches one field per request; each worker owns its own users, so its If-Match is always current. */
async function patchLoad(
  base: string,
  pathOf: (uuid: string) => string,
  withIfMatch: boolean,
): Promise<Awaited<ReturnType<typeof requestLoop>>> {
  const versions = new Map<string, number>();
  const perWorker = Math.floor(PROFILES / CONNECTIONS);
  let counter = 0;
  return requestLoop(CONNECTIONS, 8, async (worker) => {
    const uuid = `user-${worker * perWorker + (counter++ % perWorker) + 1}`;
    const version = versions.get(uuid) ?? 1;
    const response = await fetch(base + pathOf(uuid), {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${ADMIN_KEY}`,
        'content-type': 'application/json',
        ...(withIfMatch ? { 'if-match': `"${version}"` } : {}),
      },
      body: JSON.stringify({ fields: { nickname: `n${counter}` } }),
    });
    const body = (await response.json()) as { version?: number };
    if (withIfMatch && typeof body.version === 'number') versions.set(uuid, body.version);
    return response.status === 200;
  });
}

/** Scenario 1 (keyed local read vs the bare prepared statement) and 3 (merge-patch throughput vs a bare UPDATE). */
export async function localReadAndPatch(ctx: BenchContext, engine: Engine, baselineSqlitePath: { path: string | null }): Promise<void> {
  const database = await ctx.database(engine, 'reads');
  const app = await startApp(database.env, ctx.workdir);
  await defineProfileFields(app.url);
  await importProfiles(app.url, PROFILES);
  const requests = [{ method: 'GET' as const, setupRequest: (req: any) => ({ ...req, path: `/v1/profiles/${randomUser()}` }) }];
  const appLoad = (durationSeconds: number): Promise<LoadResult> =>
    runLoad({ url: app.url, connections: CONNECTIONS, durationSeconds, headers: { authorization: `Bearer ${ADMIN_KEY}` }, requests });
  // The baseline reads the same rows: this run's SQLite file, or on PostgreSQL the file of the SQLite run before it.
  const baselinePath = engine === 'sqlite' ? database.sqlitePath! : baselineSqlitePath.path!;
  let baseline = await startBaseline(baselinePath);
  const baseRequests = [{ method: 'GET' as const, setupRequest: (req: any) => ({ ...req, path: `/profiles/${randomUser()}` }) }];
  const baselineLoad = (durationSeconds: number): Promise<LoadResult> =>
    runLoad({ url: baseline.url, connections: CONNECTIONS, durationSeconds, requests: baseRequests });
  await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000));
  await appLoad(WARM_UP_SECONDS);
  await baselineLoad(WARM_UP_SECONDS);
  // Alternating blocks, so that the host's drift during the run (seen here: the bare server's rate moving by 2x between
  // runs minutes apart) touches the app and its baseline alike. The idle one of the two uses no CPU meanwhile.
  const appBlocks: LoadResult[] = [];
  const baselineBlocks: LoadResult[] = [];
  for (let block = 0; block < READ_BLOCKS; block++) {
    appBlocks.push(await appLoad(READ_BLOCK_SECONDS));
    baselineBlocks.push(await baselineLoad(READ_BLOCK_SECONDS));
  }
  await baseline.stop();
  const appRead = pooledLoad(appBlocks);
  const baseRead = pooledLoad(baselineBlocks);

  // Writes one after the other: the app's If-Match versions must not be bumped by the baseline's UPDATEs in between.
  const appPatch = await patchLoad(app.url, (uuid) => `/v1/profiles/${uuid}`, true);
  await app.stop();
  if (engine === 'sqlite') baselineSqlitePath.path = database.sqlitePath;
  baseline = await startBaseline(baselinePath);
  const basePatch = await patchLoad(baseline.url, (uuid) => `/profiles/${uuid}`, false);
  await baseline.stop();

  const throughputRatio = appRead.requestsPerSecond / baseRead.requestsPerSecond;
  report({
    scenario: `1 local GET /v1/profiles/{uuid} [${engine}]`,
    figure: 'throughput',
    value: appRead.requestsPerSecond,
    unit: 'req/s',
    baseline: baseRead.requestsPerSecond,
    ratio: throughputRatio,
    target: '>= 0.7x baseline',
    met: throughputRatio >= 0.7,
    notes: {
      non2xx: appRead.non2xx,
      errors: appRead.errors,
      method: `${READ_BLOCKS} alternating blocks of ${READ_BLOCK_SECONDS} s each (app, then baseline), after ${SETTLE_SECONDS} s of rest after the import and ${WARM_UP_SECONDS} s of warm-up each`,
      blockRatios: appBlocks.map((block, i) => Number((block.requestsPerSecond / baselineBlocks[i]!.requestsPerSecond).toFixed(2))),
    },
  });
  const p99Ratio = appRead.p99Ms / Math.max(baseRead.p99Ms, 1);
  report({
    scenario: `1 local GET /v1/profiles/{uuid} [${engine}]`,
    figure: 'p99 latency',
    value: appRead.p99Ms,
    unit: 'ms',
    baseline: baseRead.p99Ms,
    ratio: p99Ratio,
    target: '<= 3x baseline (baseline p99 floored at 1 ms)',
    met: p99Ratio <= 3,
    notes: { pooled: 'the highest p99 of the blocks, for the app and for the baseline alike' },
  });
  report({
    scenario: `3 PATCH merge patch, one field, If-Match [${engine}]`,
    figure: 'throughput',
    value: appPatch.requestsPerSecond,
    unit: 'req/s',
    baseline: basePatch.requestsPerSecond,
    ratio: appPatch.requestsPerSecond / basePatch.requestsPerSecond,
    target: 'report',
    met: null,
    notes: { failed: appPatch.errors, p99Ms: appPatch.p99Ms, baselineP99Ms: basePatch.p99Ms },
  });
}
