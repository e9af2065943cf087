import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { FaultSettings } from '../../src/simulator/simulator';
import type { ApiAnswer } from '../support/test-app';
import { AppWithUpstream, startAppWithSimulator } from '../support/upstream';
import { FigureCounter } from './figures';
import { eventually, problemDefect, sleep } from './helpers';

/**
 * Upstream faults under concurrent load: local-only reads never notice, combined reads degrade to
 * 200 with meta.upstream reporting the failure (or stale data), strict reads fail as 502/503
 * problem+json, everything recovers after the fault heals, and memory and sockets come back down.
 */

const TIMEOUT_MS = 400;
const CIRCUIT_RESET_MS = 400;
const MAX_CONCURRENCY = 8;
const LOAD_CONCURRENCY = 16;
const PHASE_MS = Number(process.env.FAULT_PHASE_MS ?? 1_500);
const USERS = 30;
/** the users whose upstream parts are read once before the faults, so they can be served stale */
const WARM_USERS = 15;

const uuidOf = (i: number): string => `fault-user-${i}`;
/** users with a local profile whose upstream parts nothing reads before the phase named */
const COLD_PER_PHASE = 4;
const coldOf = (phase: string, i: number): string => `cold-${phase}-${i}`;
const PHASES = ['baseline', 'latency', 'slow-beyond-timeout', 'errors', 'timeouts', 'malformed', 'token-expiry', 'mixed'];

/** A gc() even without --expose-gc, so heap figures are after a full collection. */
function gcFunction(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (typeof exposed === 'function') return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

const tcpSockets = (): number => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'TCPWRAP').length;

type Kind = 'local' | 'combined' | 'strict';

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!);
};

interface PhaseResult {
  name: string;
  requests: number;
  byKind: Record<Kind, Record<number, number>>;
  parts: { ok: number; stale: number; unavailable: number; other: number };
  defects: string[];
  graphqlRequests: number;
  tokenRequests: number;
  /** latencies of the local-only reads */
  localMs: number[];
}

describe('upstream faults under load', () => {
  let env: AppWithUpstream;
  const figures = new FigureCounter('faults');
  const gc = gcFunction();
  let baselineHeap = 0;
  let baselineSockets = 0;

  const request = async (path: string, headers: Record<string, string> = {}, strict = false): Promise<ApiAnswer> => {
    const answer = await env.t.request('GET', path, { headers });
    figures.request(answer.status, { expected5xx: strict });
    return answer;
  };

  const heapAfterGc = async (): Promise<number> => {
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(20);
    }
    return process.memoryUsage().heapUsed;
  };

  /** Drives the mix of reads for PHASE_MS with LOAD_CONCURRENCY in flight and checks every answer. */
  const runPhase = async (
    name: string,
    faults: Partial<FaultSettings> | null,
    during?: (elapsedMs: number) => void,
  ): Promise<PhaseResult> => {
    const result: PhaseResult = {
      name,
      requests: 0,
      byKind: { local: {}, combined: {}, strict: {} },
      parts: { ok: 0, stale: 0, unavailable: 0, other: 0 },
      defects: [],
      graphqlRequests: 0,
      tokenRequests: 0,
      localMs: [],
    };
    const graphqlBefore = env.sim.stats.graphqlRequests;
    const tokensBefore = env.sim.stats.tokenRequests;
    if (faults) env.sim.setFaults(faults);
    const started = Date.now();
    let counter = 0;
    const defect = (text: string): void => {
      if (result.defects.length < 10) result.defects.push(text);
    };

    const worker = async (): Promise<void> => {
      while (Date.now() - started < PHASE_MS) {
        const n = counter++;
        during?.(Date.now() - started);
        const kind: Kind = n % 20 < 8 ? 'local' : n % 20 < 17 ? 'combined' : 'strict';
        // A quarter of the combined reads ask for users never read before this phase (nothing cached to fall back on).
        const uuid = kind === 'combined' && n % 4 === 0 ? coldOf(name, n % COLD_PER_PHASE) : uuidOf(n % USERS);
        const path =
          kind === 'local'
            ? `/v1/profiles/${uuid}`
            : `/v1/profiles/${uuid}?include=context,trainings${kind === 'strict' ? '&strict=true' : ''}`;
        const sent = performance.now();
        const answer = await request(path, {}, kind === 'strict');
        if (kind === 'local') result.localMs.push(performance.now() - sent);
        result.requests++;
        result.byKind[kind][answer.status] = (result.byKind[kind][answer.status] ?? 0) + 1;
        if (kind === 'local') {
          if (answer.status !== 200) defect(`local read ${path} → ${answer.status} ${answer.text.slice(0, 120)}`);
          continue;
        }
        if (kind === 'strict') {
          if (answer.status === 200) continue;
          if (answer.status !== 502 && answer.status !== 503) defect(`strict read ${path} → ${answer.status}`);
          const problem = problemDefect(answer);
          if (problem) defect(`strict read ${path} → ${answer.status}: ${problem}`);
          else if (!/^upstream_/.test(answer.body.code)) defect(`strict read ${path} → code ${answer.body.code}`);
          continue;
        }
        if (answer.status !== 200) {
          defect(`combined read ${path} → ${answer.status} ${answer.text.slice(0, 160)}`);
          continue;
        }
        for (const part of ['context', 'trainings'] as const) {
          const report = answer.body.meta?.upstream?.[part] as { status?: string; stale?: boolean; code?: string } | undefined;
          if (report?.status === 'ok' && report.stale) result.parts.stale++;
          else if (report?.status === 'ok') result.parts.ok++;
          else if (report?.status === 'unavailable' && typeof report.code === 'string') result.parts.unavailable++;
          else {
            result.parts.other++;
            defect(`combined read ${path}: meta.upstream.${part} = ${JSON.stringify(report)}`);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: LOAD_CONCURRENCY }, worker));
    result.graphqlRequests = env.sim.stats.graphqlRequests - graphqlBefore;
    result.tokenRequests = env.sim.stats.tokenRequests - tokensBefore;
    return result;
  };

  /** Heals the upstream and answers how long until a fresh combined read of a never-cached user is whole again. */
  const healAndTimeRecovery = async (): Promise<number> => {
    env.sim.healFaults();
    const healed = Date.now();
    let n = 0;
    const recovered = await eventually(
      async () => {
        const answer = await request(`/v1/profiles/${uuidOf(USERS - 1 - (n++ % 5))}?include=context,trainings`, {
          'cache-control': 'no-cache',
        });
        const upstream = answer.body?.meta?.upstream ?? {};
        return (
          answer.status === 200 &&
          upstream.context?.status === 'ok' &&
          !upstream.context?.stale &&
          upstream.trainings?.status === 'ok' &&
          !upstream.trainings?.stale
        );
      },
      10_000,
      25,
    );
    if (!recovered) return Number.POSITIVE_INFINITY;
    return Date.now() - healed;
  };

  /** After a fault: the simulator holds no hung request, sockets and heap are back near the baseline. */
  const expectResourcesBack = async (phase: string): Promise<void> => {
    const settled = await eventually(async () => env.sim.stats.inFlightGraphql === 0, 5_000);
    expect({ phase, upstreamRequestsStillInFlight: settled ? 0 : env.sim.stats.inFlightGraphql }).toEqual({
      phase,
      upstreamRequestsStillInFlight: 0,
    });
    // The app's keep-alive pool to the upstream may hold up to maxSockets idle sockets (both ends are in this process).
    const socketBound = baselineSockets + 2 * (MAX_CONCURRENCY + 4) + 8;
    await eventually(async () => tcpSockets() <= socketBound, 5_000);
    const sockets = tcpSockets();
    const heap = await heapAfterGc();
    figures.note(`${phase}.socketsAfter`, sockets);
    figures.note(`${phase}.heapGrowthMB`, Number(((heap - baselineHeap) / 1024 / 1024).toFixed(1)));
    expect({ phase, sockets: sockets <= socketBound ? 'near baseline' : `${sockets} open (baseline ${baselineSockets})` }).toEqual({
      phase,
      sockets: 'near baseline',
    });
    expect({ phase, heapGrowthBelow40MB: heap - baselineHeap < 40 * 1024 * 1024 }).toEqual({ phase, heapGrowthBelow40MB: true });
  };

  const summarize = (result: PhaseResult, faultsInjected: number, recoveryMs?: number): void => {
    figures.figures.faultsInjected += faultsInjected;
    const statusLine = (kind: Kind): string =>
      Object.entries(result.byKind[kind])
        .map(([s, c]) => `${s}×${c}`)
        .join(' ');
    figures.note(
      `${result.name}`,
      `${result.requests} req; local ${statusLine('local')}; combined ${statusLine('combined')}; strict ${statusLine('strict')}; ` +
        `parts ok ${result.parts.ok} stale ${result.parts.stale} unavailable ${result.parts.unavailable}; upstream calls ${result.graphqlRequests}; ` +
        `local p50 ${percentile(result.localMs, 0.5)} ms p99 ${percentile(result.localMs, 0.99)} ms` +
        (recoveryMs !== undefined ? `; recovered in ${recoveryMs} ms` : ''),
    );
  };

  /** What every fault phase must show: local reads all 200, combined all 200 with reported parts, no defects. */
  const expectDegradedGracefully = (result: PhaseResult): void => {
    expect({ phase: result.name, defects: result.defects }).toEqual({ phase: result.name, defects: [] });
    expect(Object.keys(result.byKind.local)).toEqual(['200']);
    expect(Object.keys(result.byKind.combined)).toEqual(['200']);
    expect(result.requests).toBeGreaterThan(20);
  };

  beforeAll(async () => {
    env = await startAppWithSimulator({
      LOG_LEVEL: 'fatal',
      OPIGNO_TIMEOUT_MS: String(TIMEOUT_MS),
      OPIGNO_RETRIES: '1',
      OPIGNO_CIRCUIT_RESET_MS: String(CIRCUIT_RESET_MS),
      OPIGNO_MAX_CONCURRENCY: String(MAX_CONCURRENCY),
      UPSTREAM_CACHE_TTL_MS: '0',
      UPSTREAM_STALE_WINDOW_MS: '600000',
    });
    const { t, sim } = env;
    sim.store.addLearningPath({ id: 'lp-1', title: 'Onboarding' });
    expect((await t.request('POST', '/v1/admin/fields/profile', { body: { key: 'team', label: 'Team', type: 'string' } })).status).toBe(
      201,
    );
    for (let i = 0; i < USERS; i++) {
      sim.store.upsertUser({ uuid: uuidOf(i), displayName: `Learner ${i}`, isActive: true, scope: 'AUTHENTICATED' });
      sim.store.setProgress(uuidOf(i), 'lp-1', { status: 'IN_PROGRESS', progress: i });
      expect((await t.request('PUT', `/v1/profiles/${uuidOf(i)}`, { body: { fields: { team: `team-${i}` } } })).status).toBe(201);
    }
    for (const phase of PHASES) {
      for (let i = 0; i < COLD_PER_PHASE; i++) {
        sim.store.upsertUser({ uuid: coldOf(phase, i), displayName: `Cold ${i}`, isActive: true, scope: 'AUTHENTICATED' });
        expect((await t.request('PUT', `/v1/profiles/${coldOf(phase, i)}`, { body: { fields: { team: 'cold' } } })).status).toBe(201);
      }
    }
    for (let i = 0; i < WARM_USERS; i++) {
      const warm = await t.request('GET', `/v1/profiles/${uuidOf(i)}?include=context,trainings`);
      expect(warm.body.meta.upstream.context.status).toBe('ok');
    }
  });

  afterAll(async () => {
    figures.flush();
    await env?.close();
  });

  afterEach(() => env.sim.healFaults());

  it('answers everything whole with a healthy upstream (baseline)', async () => {
    const result = await runPhase('baseline', null);
    summarize(result, 0);
    expectDegradedGracefully(result);
    expect(Object.keys(result.byKind.strict)).toEqual(['200']);
    expect(result.parts.unavailable + result.parts.stale).toBe(0);
    // Baseline resources, taken with the same connection pools warm.
    await sleep(200);
    baselineSockets = tcpSockets();
    baselineHeap = await heapAfterGc();
    figures.note('baseline.sockets', baselineSockets);
    figures.note('baseline.heapMB', Number((baselineHeap / 1024 / 1024).toFixed(1)));
  });

  const faultPhases: Array<{ name: string; faults: Partial<FaultSettings>; share: number; expectFailures: boolean }> = [
    { name: 'latency', faults: { latencyMs: 80 }, share: 1, expectFailures: false },
    { name: 'slow-beyond-timeout', faults: { latencyMs: TIMEOUT_MS + 200 }, share: 1, expectFailures: true },
    { name: 'errors', faults: { errorRate: 1 }, share: 1, expectFailures: true },
    { name: 'timeouts', faults: { timeoutRate: 1 }, share: 1, expectFailures: true },
    { name: 'malformed', faults: { malformedRate: 1 }, share: 1, expectFailures: true },
  ];

  for (const phase of faultPhases) {
    it(`degrades gracefully and recovers: ${phase.name}`, async () => {
      const result = await runPhase(phase.name, phase.faults);
      const recoveryMs = await healAndTimeRecovery();
      summarize(result, Math.round(result.graphqlRequests * phase.share), recoveryMs);
      expectDegradedGracefully(result);
      if (phase.expectFailures) {
        // Every combined answer reported the failure (or served stale data); strict reads failed as problems.
        expect(result.parts.ok).toBe(0);
        expect(result.parts.unavailable).toBeGreaterThan(0);
        expect(result.parts.stale).toBeGreaterThan(0);
        expect(Object.keys(result.byKind.strict).filter((s) => s !== '502' && s !== '503')).toEqual([]);
      } else {
        expect(result.parts.unavailable + result.parts.stale).toBe(0);
        expect(Object.keys(result.byKind.strict)).toEqual(['200']);
      }
      expect(recoveryMs).toBeLessThanOrEqual(CIRCUIT_RESET_MS + 1_500);
      await expectResourcesBack(phase.name);
    });
  }

  it('renews expiring and revoked tokens without the callers noticing', async () => {
    // Tokens live 1 s, and every token is revoked twice during the phase.
    let revoked = 0;
    const result = await runPhase('token-expiry', { tokenTtlSeconds: 1 }, (elapsed) => {
      if ((revoked === 0 && elapsed > PHASE_MS / 3) || (revoked === 1 && elapsed > (2 * PHASE_MS) / 3)) {
        revoked++;
        env.sim.revokeAllTokens();
      }
    });
    env.sim.setFaults({ tokenTtlSeconds: 3600 });
    summarize(result, result.tokenRequests + revoked);
    expectDegradedGracefully(result);
    expect(result.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(result.parts.unavailable + result.parts.stale).toBe(0);
    expect(Object.keys(result.byKind.strict)).toEqual(['200']);
    await expectResourcesBack('token-expiry');
  });

  it('degrades gracefully and recovers under mixed faults', async () => {
    const mixed = { latencyMs: 40, errorRate: 0.2, timeoutRate: 0.1, malformedRate: 0.1, tokenTtlSeconds: 1 };
    const result = await runPhase('mixed', mixed);
    env.sim.setFaults({ tokenTtlSeconds: 3600 });
    const recoveryMs = await healAndTimeRecovery();
    summarize(result, Math.round(result.graphqlRequests * (1 - 0.8 * 0.9 * 0.9)), recoveryMs);
    expectDegradedGracefully(result);
    expect(Object.keys(result.byKind.strict).filter((s) => !['200', '502', '503'].includes(s))).toEqual([]);
    expect(recoveryMs).toBeLessThanOrEqual(CIRCUIT_RESET_MS + 1_500);
    await expectResourcesBack('mixed');
  });

  it('keeps reporting ready while the upstream is down', async () => {
    env.sim.setFaults({ errorRate: 1 });
    for (let i = 0; i < 10; i++) await request(`/v1/profiles/${uuidOf(i)}?include=context`);
    const ready = await env.t.request('GET', '/health/ready', { key: null });
    figures.request(ready.status);
    expect(ready.status).toBe(200);
  });
});
