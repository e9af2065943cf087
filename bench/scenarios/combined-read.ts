import { startForwardingBaseline } from '../lib/baseline';
import type { BenchContext } from '../lib/context';
import { runLoad } from '../lib/load';
import { ADMIN_KEY, call, RunningService, SIM_KEY, SIM_SECRET, startApp, startSimulatorProcess, upstreamEnv } from '../lib/processes';
import { report } from '../lib/report';
import { defineProfileFields, importProfiles } from '../lib/seed';
import { pooled, SequentialRequest, sequentialLatency, SequentialResult } from '../lib/sequential';

const USERS = 1_000;
const LATENCY_MS = 20;
const PARTS = 2;
/** Requests of each kind before measuring (JIT warm-up of app, simulator and client). */
const WARM_UP_REQUESTS = 200;
/** Measured in alternating blocks (direct, then app) so that drift of the machine touches both alike. */
const BLOCKS = 3;
const APP_REQUESTS_PER_BLOCK = 150;
const DIRECT_REQUESTS_PER_BLOCK = 100;

const randomCombinedPath = (): string => `/v1/profiles/user-${1 + Math.floor(Math.random() * USERS)}?include=context,trainings`;

/** Scenario 2: a combined read (context + trainings) with the simulator answering every call after 20 ms. */
export async function combinedRead(ctx: BenchContext): Promise<void> {
  const sim = await startSimulatorProcess({ users: USERS, 'learning-paths': 20, 'progress-per-user': 3, latency: LATENCY_MS });
  const database = await ctx.database('sqlite', 'combined');
  const app = await startApp({ ...database.env, ...upstreamEnv(sim) }, ctx.workdir);
  let forwarding: RunningService | undefined;
  try {
    await defineProfileFields(app.url);
    await importProfiles(app.url, USERS);
    // The first call fetches the token; everything after must reuse it.
    await call(app.url, 'GET', '/v1/profiles/user-1?include=context,trainings', undefined, { 'cache-control': 'no-cache' });
    const headers = { authorization: `Bearer ${ADMIN_KEY}`, 'cache-control': 'no-cache' };
    const combinedRequest = (): SequentialRequest => ({
      method: 'GET',
      path: randomCombinedPath(),
      headers,
    });
    const token = await upstreamToken(sim.url);
    const directRequest = directUpstreamRequest(token);
    forwarding = await startForwardingBaseline(sim.url, token);
    const forwardedRequest = (): SequentialRequest => ({ method: 'GET', path: `/profiles/user-${1 + Math.floor(Math.random() * USERS)}` });
    await sequentialLatency(app.url, WARM_UP_REQUESTS, combinedRequest);
    await sequentialLatency(sim.url, WARM_UP_REQUESTS, directRequest);
    await sequentialLatency(forwarding.url, WARM_UP_REQUESTS, forwardedRequest);
    await call(sim.url, 'POST', '/__admin/stats/reset');
    // The target is about composition (parts in parallel, not in sequence): one request at a time shows it without queueing.
    const directRuns: SequentialResult[] = [];
    const forwardedRuns: SequentialResult[] = [];
    const appRuns: SequentialResult[] = [];
    for (let block = 0; block < BLOCKS; block++) {
      directRuns.push(await sequentialLatency(sim.url, DIRECT_REQUESTS_PER_BLOCK, directRequest));
      forwardedRuns.push(await sequentialLatency(forwarding.url, DIRECT_REQUESTS_PER_BLOCK, forwardedRequest));
      appRuns.push(await sequentialLatency(app.url, APP_REQUESTS_PER_BLOCK, combinedRequest));
    }
    const upstream = pooled(directRuns);
    const forwarded = pooled(forwardedRuns);
    const load = pooled(appRuns);
    const notOurCalls = upstream.samples + forwarded.samples;
    const requests = [
      {
        method: 'GET' as const,
        setupRequest: (req: any) => ({
          ...req,
          path: randomCombinedPath(),
        }),
      },
    ];
    const underLoad = await runLoad({ url: app.url, connections: 10, durationSeconds: 6, headers, requests });
    const stats = (await call(sim.url, 'GET', '/__admin/stats')).body as { tokenRequests: number; graphqlRequests: number };
    const callsPerRequest = (stats.graphqlRequests - notOurCalls) / Math.max(load.samples + underLoad.total, 1);
    report({
      scenario: '2 combined GET ?include=context,trainings, upstream 20 ms',
      figure: 'p50 latency, one request at a time',
      value: load.p50Ms,
      unit: 'ms',
      baseline: upstream.p50Ms,
      ratio: load.p50Ms / upstream.p50Ms,
      target: `<= ${LATENCY_MS} ms + 3 ms (baseline: one upstream call made directly, same run)`,
      met: load.p50Ms <= LATENCY_MS + 3,
      notes: {
        overheadOverDirectUpstreamMs: load.p50Ms - upstream.p50Ms,
        forwardingBaselineP50Ms: forwarded.p50Ms,
        forwardingBaselineOverDirectMs: forwarded.p50Ms - upstream.p50Ms,
        p90Ms: load.p90Ms,
        non2xx: load.non2xx,
        directUpstreamMinMs: upstream.minMs,
        samples: load.samples,
        method: `${WARM_UP_REQUESTS} warm-up requests each, then ${BLOCKS} alternating blocks (direct ${DIRECT_REQUESTS_PER_BLOCK}, forwarding ${DIRECT_REQUESTS_PER_BLOCK}, app ${APP_REQUESTS_PER_BLOCK})`,
      },
    });
    report({
      scenario: '2 combined GET ?include=context,trainings, upstream 20 ms',
      figure: 'p50 latency of a bare forwarding server (Fastify + one node:http call: the extra hop alone)',
      value: forwarded.p50Ms,
      unit: 'ms',
      baseline: upstream.p50Ms,
      ratio: forwarded.p50Ms / upstream.p50Ms,
      target: 'report (the part of the 3 ms budget that any server between client and upstream costs on this machine)',
      met: null,
    });
    report({
      scenario: '2 combined GET ?include=context,trainings, upstream 20 ms',
      figure: 'p50 latency, 10 concurrent connections',
      value: underLoad.p50Ms,
      unit: 'ms',
      baseline: LATENCY_MS,
      ratio: underLoad.p50Ms / LATENCY_MS,
      target: 'report (app, simulator and load generator share 2 cores)',
      met: null,
      notes: { requests: underLoad.total, non2xx: underLoad.non2xx, p99Ms: underLoad.p99Ms },
    });
    report({
      scenario: '2 combined GET ?include=context,trainings, upstream 20 ms',
      figure: 'upstream calls per request',
      value: callsPerRequest,
      unit: 'calls',
      target: `<= ${PARTS} (included parts)`,
      met: callsPerRequest <= PARTS,
    });
    report({
      scenario: '2 combined GET ?include=context,trainings, upstream 20 ms',
      figure: 'token requests after the first',
      value: stats.tokenRequests,
      unit: 'requests',
      target: '0',
      met: stats.tokenRequests === 0,
    });
  } finally {
    await forwarding?.stop();
    await app.stop();
    await sim.stop();
  }
}

async function upstreamToken(simUrl: string): Promise<string> {
  const answer = await fetch(`${simUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: SIM_KEY, client_secret: SIM_SECRET }).toString(),
  });
  return ((await answer.json()) as { access_token: string }).access_token;
}

/** One getUserContext call straight to the simulator, to be sent with the client that measures the app. */
function directUpstreamRequest(token: string): () => SequentialRequest {
  const query = 'query ($uuid: String!) { getUserContext(uuid: $uuid) { errors response { id uuid displayName isActive scope } } }';
  return () => ({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'opigno-client-uuid': 'user-1' },
    body: JSON.stringify({ query, variables: { uuid: 'user-1' } }),
  });
}
