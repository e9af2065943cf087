import { startBaseline } from '../lib/baseline';
import type { BenchContext, Engine } from '../lib/context';
import { runLoad } from '../lib/load';
import { ADMIN_KEY, startApp } from '../lib/processes';
import { report } from '../lib/report';
import { requestLoop } from '../lib/request-loop';
import { defineProfileFields, importProfiles } from '../lib/seed';

const PROFILES = 10_000;
const CONNECTIONS = 50;
const SECONDS = 10;
const randomUser = (): string => `user-${1 + Math.floor(Math.random() * PROFILES)}`;

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
  await runLoad({
    url: app.url,
    connections: CONNECTIONS,
    durationSeconds: 2,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    requests,
  }); // warm-up
  const appRead = await runLoad({
    url: app.url,
    connections: CONNECTIONS,
    durationSeconds: SECONDS,
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    requests,
  });
  const appPatch = await patchLoad(app.url, (uuid) => `/v1/profiles/${uuid}`, true);
  await app.stop();
  if (engine === 'sqlite') baselineSqlitePath.path = database.sqlitePath;

  const baseline = await startBaseline(baselineSqlitePath.path!);
  const baseRequests = [{ method: 'GET' as const, setupRequest: (req: any) => ({ ...req, path: `/profiles/${randomUser()}` }) }];
  await runLoad({ url: baseline.url, connections: CONNECTIONS, durationSeconds: 2, requests: baseRequests });
  const baseRead = await runLoad({ url: baseline.url, connections: CONNECTIONS, durationSeconds: SECONDS, requests: baseRequests });
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
    notes: { non2xx: appRead.non2xx, errors: appRead.errors },
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
