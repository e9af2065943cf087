import { AppWithUpstream, startAppWithSimulator } from './support/upstream';

const KNOWN = 'combined-user-1';
const UPSTREAM_ONLY = 'combined-upstream-only';
const UNKNOWN = 'combined-nobody';
const COLD = 'combined-never-cached';

function upstreamCalls(env: AppWithUpstream, operation: string, uuid: string): number {
  return env.sim.stats.byOperationAndUser[operation]?.[uuid] ?? 0;
}

describe('combined reads', () => {
  let env: AppWithUpstream;
  let serviceKey: string;

  beforeAll(async () => {
    env = await startAppWithSimulator({ UPSTREAM_CACHE_TTL_MS: '1000', UPSTREAM_STALE_WINDOW_MS: '60000' });
    const { t, sim } = env;
    serviceKey = await t.createKey('service');
    for (const uuid of [KNOWN, UPSTREAM_ONLY, COLD])
      sim.store.upsertUser({ uuid, displayName: `Name of ${uuid}`, isActive: true, scope: 'AUTHENTICATED' });
    sim.store.addLearningPath({ id: 'lp-1', title: 'Onboarding', certificationEnabled: true });
    sim.store.addLearningPath({ id: 'lp-2', title: 'Security' });
    sim.store.setProgress(KNOWN, 'lp-1', { status: 'PASSED', progress: 100, score: 88 });
    sim.store.setProgress(KNOWN, 'lp-2', { status: 'IN_PROGRESS', progress: 30 });
    sim.store.setProgress(COLD, 'lp-2', { status: 'NOT_STARTED', progress: 0 });

    const definitions: Array<[string, Record<string, unknown>]> = [
      ['profile', { key: 'team', label: 'Team', type: 'string' }],
      ['profile', { key: 'salary_band', label: 'Salary band', type: 'string', readRoles: ['admin'], writeRoles: ['admin'] }],
      ['training', { key: 'cost_centre', label: 'Cost centre', type: 'string' }],
      ['training', { key: 'internal_notes', label: 'Notes', type: 'text', readRoles: ['admin'], writeRoles: ['admin'] }],
      ['enrolment', { key: 'manager_approved', label: 'Approved', type: 'boolean' }],
      ['enrolment', { key: 'cost_paid', label: 'Cost paid', type: 'number', readRoles: ['admin'], writeRoles: ['admin'] }],
    ];
    for (const [kind, body] of definitions) expect((await t.request('POST', `/v1/admin/fields/${kind}`, { body })).status).toBe(201);
    expect((await t.request('PUT', `/v1/profiles/${KNOWN}`, { body: { fields: { team: 'blue', salary_band: 'B3' } } })).status).toBe(201);
    expect(
      (await t.request('PUT', '/v1/trainings/lp-1', { body: { fields: { cost_centre: 'CC-1', internal_notes: 'secret plan' } } })).status,
    ).toBe(201);
    expect((await t.request('POST', `/v1/profiles/${KNOWN}/trainings:refresh`)).status).toBe(200);
    expect((await t.request('PUT', `/v1/profiles/${COLD}`, { body: { fields: { team: 'red' } } })).status).toBe(201);
    expect((await t.request('POST', `/v1/profiles/${COLD}/trainings:refresh`)).status).toBe(200);
    expect(
      (await t.request('PATCH', `/v1/profiles/${KNOWN}/trainings/lp-1`, { body: { fields: { manager_approved: true, cost_paid: 120 } } }))
        .status,
    ).toBe(200);
  });
  afterAll(async () => {
    await env.close();
  });

  afterEach(() => {
    env.sim.healFaults();
  });

  it('keeps GET /v1/profiles/{uuid} local-only: no upstream call', async () => {
    env.sim.resetStats();
    const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}`);
    expect(answer.status).toBe(200);
    expect(answer.body).not.toHaveProperty('context');
    expect(env.sim.stats.graphqlRequests).toBe(0);
  });

  it('merges the local profile with the Opigno context and trainings in one answer', async () => {
    const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,trainings`, {
      headers: { 'cache-control': 'no-cache' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBe('"1"');
    expect(answer.body).toMatchObject({
      uuid: KNOWN,
      fields: { team: 'blue', salary_band: 'B3' },
      version: 1,
      context: { uuid: KNOWN, displayName: `Name of ${KNOWN}`, isActive: true, scope: 'AUTHENTICATED', opignoId: expect.any(String) },
      meta: { upstream: { context: { status: 'ok' }, trainings: { status: 'ok', source: 'upstream' } } },
    });
    const lp1 = answer.body.trainings.find((tr: { lpId: string }) => tr.lpId === 'lp-1');
    expect(lp1).toMatchObject({
      title: 'Onboarding',
      status: 'passed',
      progress: 100,
      score: 88,
      training: { fields: { cost_centre: 'CC-1', internal_notes: 'secret plan' } },
      enrolment: { fields: { manager_approved: true, cost_paid: 120 } },
    });
  });

  it('never shows a field the caller’s role may not read, in any part', async () => {
    const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,trainings`, { key: serviceKey });
    expect(answer.status).toBe(200);
    const text = answer.text;
    expect(text).not.toContain('salary_band');
    expect(text).not.toContain('internal_notes');
    expect(text).not.toContain('cost_paid');
    expect(answer.body.fields).toEqual({ team: 'blue' });
    const batch = await env.t.request('POST', '/v1/profiles:batchGet', {
      key: serviceKey,
      body: { uuids: [KNOWN], include: ['trainings'] },
    });
    expect(batch.text).not.toContain('salary_band');
    expect(batch.text).not.toContain('cost_paid');
  });

  it('asks Opigno for both parts in one request', async () => {
    await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context`, { headers: { 'cache-control': 'no-cache' } }); // token warm
    env.sim.resetStats();
    const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,trainings`, {
      headers: { 'cache-control': 'no-cache' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.meta.upstream).toEqual({ context: { status: 'ok' }, trainings: { status: 'ok', source: 'upstream' } });
    expect(answer.body.trainings.map((tr: { lpId: string }) => tr.lpId).sort()).toEqual(['lp-1', 'lp-2']);
    expect(env.sim.stats.graphqlRequests).toBe(1);
    expect(env.sim.stats.byOperationName).toEqual({ GetUserContextWithTrainingProgress: 1 });
    expect(env.sim.stats.byOperation).toEqual({ getUserContext: 1, getUserTrainingProgress: 1 });
  });

  it('keeps the parts of a joint read cached one by one: a part still fresh is not asked for again', async () => {
    const uuid = 'combined-cached-apart';
    env.sim.store.upsertUser({ uuid, displayName: 'Apart', isActive: true });
    env.sim.store.setProgress(uuid, 'lp-1', { status: 'IN_PROGRESS', progress: 10 });
    env.sim.resetStats();
    expect((await env.t.request('GET', `/v1/profiles/${uuid}?include=context,trainings`)).status).toBe(200);
    expect((await env.t.request('GET', `/v1/profiles/${uuid}?include=context`)).body.meta.upstream.context).toEqual({ status: 'ok' });
    expect(env.sim.stats.graphqlRequests).toBe(1);
    env.sim.resetStats();
    // Only the trainings part is asked for fresh; the context part stays within its TTL.
    const answer = await env.t.request('GET', `/v1/profiles/${uuid}?include=trainings`, { headers: { 'cache-control': 'no-cache' } });
    expect(answer.body.trainings).toHaveLength(1);
    expect(env.sim.stats.byOperation).toEqual({ getUserTrainingProgress: 1 });
  });

  it('shows the extended trainings as stored now, for paths Opigno named before and for paths it names for the first time', async () => {
    const uuid = 'combined-new-path';
    env.sim.store.upsertUser({ uuid, displayName: 'New path', isActive: true });
    env.sim.store.setProgress(uuid, 'lp-1', { status: 'IN_PROGRESS', progress: 10 });
    const fresh = { headers: { 'cache-control': 'no-cache' } };
    expect((await env.t.request('GET', `/v1/profiles/${uuid}?include=trainings`, fresh)).status).toBe(200);
    env.sim.store.addLearningPath({ id: 'lp-new', title: 'New' });
    env.sim.store.setProgress(uuid, 'lp-new', { status: 'NOT_STARTED', progress: 0 });
    expect((await env.t.request('PUT', '/v1/trainings/lp-new', { body: { fields: { cost_centre: 'CC-NEW' } } })).status).toBe(201);
    expect((await env.t.request('PATCH', '/v1/trainings/lp-1', { body: { fields: { cost_centre: 'CC-1b' } } })).status).toBe(200);
    const answer = await env.t.request('GET', `/v1/profiles/${uuid}?include=trainings`, fresh);
    const byLpId = Object.fromEntries(answer.body.trainings.map((tr: { lpId: string; training: unknown }) => [tr.lpId, tr.training]));
    expect(byLpId).toMatchObject({ 'lp-1': { fields: { cost_centre: 'CC-1b' } }, 'lp-new': { fields: { cost_centre: 'CC-NEW' } } });
    expect((await env.t.request('PATCH', '/v1/trainings/lp-1', { body: { fields: { cost_centre: 'CC-1' } } })).status).toBe(200);
  });

  it('reports each part of a joint read on its own when one part fails upstream', async () => {
    const uuid = 'combined-context-missing';
    env.sim.store.setProgress(uuid, 'lp-2', { status: 'IN_PROGRESS', progress: 40 });
    expect((await env.t.request('PUT', `/v1/profiles/${uuid}`, { body: { fields: { team: 'green' } } })).status).toBe(201);
    env.sim.resetStats();
    const answer = await env.t.request('GET', `/v1/profiles/${uuid}?include=context,trainings`);
    expect(answer.status).toBe(200);
    expect(env.sim.stats.graphqlRequests).toBe(1);
    expect(answer.body.context).toBeNull();
    expect(answer.body.meta.upstream).toEqual({
      context: { status: 'not_found', code: 'upstream_user_not_found' },
      trainings: { status: 'ok', source: 'upstream' },
    });
    expect(answer.body.trainings).toMatchObject([{ lpId: 'lp-2', progress: 40 }]);
  });

  it('coalesces 50 concurrent combined reads of one user into one upstream call per part', async () => {
    const uuid = 'combined-coalesced';
    env.sim.store.upsertUser({ uuid, displayName: 'Coalesced', isActive: true });
    env.sim.store.setProgress(uuid, 'lp-1', { status: 'IN_PROGRESS', progress: 10 });
    env.sim.setFaults({ latencyMs: 50 });
    env.sim.resetStats();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => env.t.request('GET', `/v1/profiles/${uuid}?include=context,trainings`)),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    expect(upstreamCalls(env, 'getUserContext', uuid)).toBe(1);
    expect(upstreamCalls(env, 'getUserTrainingProgress', uuid)).toBe(1);
  });

  it('asks the upstream only about the user being read, named in Opigno-Client-UUID', async () => {
    env.sim.resetStats();
    await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,trainings`, { headers: { 'cache-control': 'no-cache' } });
    for (const operation of ['getUserContext', 'getUserTrainingProgress']) {
      expect(Object.keys(env.sim.stats.byOperationAndUser[operation] ?? {})).toEqual([KNOWN]);
    }
  });

  it('serves cached upstream parts within the TTL without calling the upstream', async () => {
    await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context`, { headers: { 'cache-control': 'no-cache' } });
    env.sim.resetStats();
    const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context`);
    expect(answer.body.meta.upstream.context).toEqual({ status: 'ok' });
    expect(env.sim.stats.graphqlRequests).toBe(0);
  });

  describe('when the upstream is down', () => {
    it('still answers local-only reads', async () => {
      env.sim.setFaults({ errorRate: 1 });
      const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}`);
      expect(answer.status).toBe(200);
      expect(answer.body.fields.team).toBe('blue');
    });

    it('answers 200 with stale data marked in meta within the stale window', async () => {
      await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,trainings`, { headers: { 'cache-control': 'no-cache' } });
      env.sim.setFaults({ errorRate: 1 });
      await new Promise((r) => setTimeout(r, 1100)); // past the 1 s TTL
      const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,trainings`);
      expect(answer.status).toBe(200);
      expect(answer.body.context.uuid).toBe(KNOWN);
      expect(answer.body.meta.upstream.context).toMatchObject({ status: 'ok', stale: true, age: expect.any(Number) });
      expect(answer.body.meta.upstream.trainings).toMatchObject({ status: 'ok', stale: true });
    });

    it('answers 200 with the local data and each failed part reported when nothing is cached', async () => {
      env.sim.setFaults({ errorRate: 1 });
      const answer = await env.t.request('GET', `/v1/profiles/${COLD}?include=context,trainings`);
      expect(answer.status).toBe(200);
      expect(answer.body.fields.team).toBe('red');
      expect(answer.body.context).toBeNull();
      expect(answer.body.meta.upstream.context).toMatchObject({ status: 'unavailable', code: expect.stringMatching(/^upstream_/) });
      // trainings fall back to the last synced local records
      expect(answer.body.meta.upstream.trainings).toMatchObject({ status: 'unavailable', source: 'local' });
      expect(answer.body.trainings).toEqual([expect.objectContaining({ lpId: 'lp-2', status: 'not_started', training: null })]);
    });

    it('answers 503 problem+json with strict=true', async () => {
      env.sim.setFaults({ errorRate: 1 });
      const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context&strict=true`, {
        headers: { 'cache-control': 'no-cache' },
      });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.code).toMatch(/^upstream_/);
    });
  });

  it('answers a learner without a local profile with the upstream parts, fields {} and version null', async () => {
    const answer = await env.t.request('GET', `/v1/profiles/${UPSTREAM_ONLY}?include=context`, {
      headers: { 'cache-control': 'no-cache' },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('etag')).toBeNull();
    expect(answer.body).toMatchObject({ uuid: UPSTREAM_ONLY, fields: {}, version: null, context: { uuid: UPSTREAM_ONLY } });
  });

  it('answers 404 only when neither the companion nor the upstream knows the user', async () => {
    const answer = await env.t.request('GET', `/v1/profiles/${UNKNOWN}?include=trainings`, { headers: { 'cache-control': 'no-cache' } });
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('profile_not_found');
  });

  it('refuses an unknown include part with 400', async () => {
    const answer = await env.t.request('GET', `/v1/profiles/${KNOWN}?include=context,salary`);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('invalid_include');
  });

  it('answers many learners at once with per-item status and partial-failure reporting', async () => {
    const answer = await env.t.request('POST', '/v1/profiles:batchGet', {
      body: { uuids: [KNOWN, UPSTREAM_ONLY, UNKNOWN], include: ['context'] },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.items.map((i: { uuid: string; status: number }) => [i.uuid, i.status])).toEqual([
      [KNOWN, 200],
      [UPSTREAM_ONLY, 200],
      [UNKNOWN, 404],
    ]);
    expect(answer.body.items[0].profile.context.uuid).toBe(KNOWN);
    expect(answer.body.items[2].problem.code).toBe('profile_not_found');
  });

  it('bounds the upstream concurrency of a batch', async () => {
    const uuids = Array.from({ length: 40 }, (_, i) => `batch-user-${i}`);
    for (const uuid of uuids) env.sim.store.upsertUser({ uuid, displayName: uuid, isActive: true });
    env.sim.setFaults({ latencyMs: 30 });
    env.sim.resetStats();
    const answer = await env.t.request('POST', '/v1/profiles:batchGet', { body: { uuids, include: ['context'] } });
    expect(answer.body.items.every((i: { status: number }) => i.status === 200)).toBe(true);
    expect(env.sim.stats.maxConcurrentGraphql).toBeLessThanOrEqual(8);
  });

  it('refuses a batch of more than 100 or malformed uuids with 422', async () => {
    const tooMany = await env.t.request('POST', '/v1/profiles:batchGet', {
      body: { uuids: Array.from({ length: 101 }, (_, i) => `u${i}`) },
    });
    expect(tooMany.status).toBe(422);
    const bad = await env.t.request('POST', '/v1/profiles:batchGet', { body: { uuids: ['ok-1', 'bad uuid'] } });
    expect(bad.status).toBe(422);
  });

  it('merges a learning path from Opigno into the local training with include=upstream', async () => {
    const answer = await env.t.request('GET', '/v1/trainings/lp-1?include=upstream', { key: serviceKey });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      lpId: 'lp-1',
      fields: { cost_centre: 'CC-1' },
      upstream: { title: 'Onboarding', certificationEnabled: true },
    });
    expect(answer.text).not.toContain('internal_notes');
    const upstreamOnly = await env.t.request('GET', '/v1/trainings/lp-2?include=upstream');
    expect(upstreamOnly.body).toMatchObject({ lpId: 'lp-2', fields: {}, version: null, upstream: { title: 'Security' } });
    expect((await env.t.request('GET', '/v1/trainings/lp-404?include=upstream')).status).toBe(404);
    expect((await env.t.request('GET', '/v1/trainings/lp-2')).status).toBe(404);
  });
});
