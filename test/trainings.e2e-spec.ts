import { AppWithUpstream, startAppWithSimulator } from './support/upstream';

const USER = 'learner-0001';

describe('extended trainings and per-user training records', () => {
  let env: AppWithUpstream;

  beforeAll(async () => {
    env = await startAppWithSimulator();
    const { sim, t } = env;
    sim.store.upsertUser({ uuid: USER, displayName: 'Learner One', isActive: true, scope: 'AUTHENTICATED' });
    sim.store.addLearningPath({ id: '101', title: 'Safety basics', certificationEnabled: true });
    sim.store.addLearningPath({ id: '102', title: 'Leadership', certificationEnabled: false });
    sim.store.addLearningPath({ id: '103', title: 'Compliance 2026' });
    sim.store.setProgress(USER, '101', {
      status: 'PASSED',
      progress: 100,
      score: 92,
      completedAt: '2026-10-01T09:00:00.000Z',
      timeSpent: 5400,
    });
    sim.store.setProgress(USER, '102', { status: 'IN_PROGRESS', progress: 40, score: null, timeSpent: 1200 });
    sim.store.setProgress(USER, '103', { status: 'NOT_STARTED', progress: 0, score: null });

    const defineTraining = [
      { key: 'cost_centre', label: 'Cost centre', type: 'string', searchable: true },
      { key: 'cpd_credits', label: 'CPD credits', type: 'number', min: 0, max: 100, searchable: true },
    ];
    for (const body of defineTraining) expect((await t.request('POST', '/v1/admin/fields/training', { body })).status).toBe(201);
    const defineEnrolment = [
      { key: 'manager_approved', label: 'Manager approved', type: 'boolean' },
      { key: 'cost_paid', label: 'Cost paid', type: 'number', min: 0 },
    ];
    for (const body of defineEnrolment) expect((await t.request('POST', '/v1/admin/fields/enrolment', { body })).status).toBe(201);
  });
  afterAll(async () => {
    await env.close();
  });

  describe('extended trainings', () => {
    it('creates, reads, merge-patches and lists a training by its learning path id', async () => {
      const { t } = env;
      const created = await t.request('PUT', '/v1/trainings/101', { body: { fields: { cost_centre: 'CC-104', cpd_credits: 6 } } });
      expect(created.status).toBe(201);
      expect(created.headers.get('etag')).toBe('"1"');
      const patched = await t.request('PATCH', '/v1/trainings/101', {
        body: { fields: { cpd_credits: 7.5 } },
        headers: { 'if-match': '"1"' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ lpId: '101', fields: { cost_centre: 'CC-104', cpd_credits: 7.5 }, version: 2 });
      await t.request('PUT', '/v1/trainings/102', { body: { fields: { cost_centre: 'CC-200', cpd_credits: 2 } } });
      const listed = await t.request('GET', '/v1/trainings?filter[cpd_credits][gte]=5');
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((i: { lpId: string }) => i.lpId)).toEqual(['101']);
    });

    it('refuses invalid training values with 422 listing each field', async () => {
      const answer = await env.t.request('PUT', '/v1/trainings/103', { body: { fields: { cpd_credits: 500, nope: 1 } } });
      expect(answer.status).toBe(422);
      expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['fields.cpd_credits', 'fields.nope']);
      expect((await env.t.request('GET', '/v1/trainings/103')).status).toBe(404);
    });

    it('answers 400 invalid_lp_id for a malformed learning path id', async () => {
      const answer = await env.t.request('GET', '/v1/trainings/bad%20id');
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_lp_id');
    });
  });

  describe('training records', () => {
    it('refreshes a user from the upstream and reads back what the simulator holds', async () => {
      const { t, sim } = env;
      const refreshed = await t.request('POST', `/v1/profiles/${USER}/trainings:refresh`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.added.sort()).toEqual(['101', '102', '103']);

      const listed = await t.request('GET', `/v1/profiles/${USER}/trainings`);
      expect(listed.status).toBe(200);
      expect(listed.body.items).toHaveLength(3);
      for (const item of listed.body.items) {
        const upstream = sim.store.getProgress(USER, item.lpId)!;
        expect(item).toMatchObject({
          uuid: USER,
          status: upstream.status.toLowerCase(),
          progress: upstream.progress,
          score: upstream.score,
          timeSpent: upstream.timeSpent,
          completedAt: upstream.completedAt,
          fields: {},
        });
        expect(item.syncedAt).toEqual(expect.any(String));
      }
      expect(listed.body.items.find((i: { lpId: string }) => i.lpId === '101').title).toBe('Safety basics');
    });

    it('refreshes a user with more records than one insert statement holds', async () => {
      const { t, sim } = env;
      const many = 'learner-many-paths';
      sim.store.upsertUser({ uuid: many, displayName: 'Many Paths', isActive: true, scope: 'AUTHENTICATED' });
      const lpIds = Array.from({ length: 230 }, (_, i) => String(5000 + i));
      for (const lpId of lpIds) {
        sim.store.addLearningPath({ id: lpId, title: `Path ${lpId}` });
        sim.store.setProgress(many, lpId, { status: 'IN_PROGRESS', progress: Number(lpId) % 100, score: null });
      }
      const refreshed = await t.request('POST', `/v1/profiles/${many}/trainings:refresh`);
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.added).toHaveLength(230);
      const stored: Array<{ lpId: string; progress: number }> = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: Array<{ lpId: string; progress: number }>; nextCursor: string | null } } = await t.request(
          'GET',
          `/v1/profiles/${many}/trainings?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
        );
        stored.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(stored.map((r) => [r.lpId, r.progress])).toEqual(lpIds.map((lpId) => [lpId, Number(lpId) % 100]));
    });

    it('filters a user’s records by status and pages them', async () => {
      const { t } = env;
      const passed = await t.request('GET', `/v1/profiles/${USER}/trainings?status=passed`);
      expect(passed.body.items.map((i: { lpId: string }) => i.lpId)).toEqual(['101']);
      const first = await t.request('GET', `/v1/profiles/${USER}/trainings?limit=2`);
      expect(first.body.items).toHaveLength(2);
      const second = await t.request('GET', `/v1/profiles/${USER}/trainings?limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items.map((i: { lpId: string }) => i.lpId)).toEqual(['103']);
      expect(second.body.nextCursor).toBeNull();
      expect((await t.request('GET', `/v1/profiles/${USER}/trainings?status=done`)).status).toBe(400);
    });

    it('reports what changed on a second refresh, and marks every record of the user synced', async () => {
      const { t, sim } = env;
      const syncedBefore = (await t.request('GET', `/v1/profiles/${USER}/trainings`)).body.items.map(
        (i: { syncedAt: string }) => i.syncedAt,
      );
      await new Promise((resolve) => setTimeout(resolve, 5));
      sim.store.setProgress(USER, '102', { status: 'COMPLETED', progress: 100 });
      const refreshed = await t.request('POST', `/v1/profiles/${USER}/trainings:refresh`);
      const syncedAfter = (await t.request('GET', `/v1/profiles/${USER}/trainings`)).body.items.map(
        (i: { syncedAt: string }) => i.syncedAt,
      );
      expect(new Set(syncedAfter)).toEqual(new Set([refreshed.body.syncedAt]));
      for (const [i, before] of syncedBefore.entries()) expect(syncedAfter[i] > before).toBe(true);
      expect(refreshed.body.added).toEqual([]);
      expect(refreshed.body.unchanged).toBe(2);
      expect(refreshed.body.updated).toEqual([
        {
          lpId: '102',
          changes: expect.objectContaining({ status: { old: 'in_progress', new: 'completed' }, progress: { old: 40, new: 100 } }),
        },
      ]);
    });

    it('edits local enrolment values with merge patch and If-Match', async () => {
      const { t } = env;
      const current = await t.request('GET', `/v1/profiles/${USER}/trainings/101`);
      expect(current.status).toBe(200);
      const etag = current.headers.get('etag')!;
      const patched = await t.request('PATCH', `/v1/profiles/${USER}/trainings/101`, {
        body: { fields: { manager_approved: true, cost_paid: 250 } },
        headers: { 'if-match': etag },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ status: 'passed', score: 92, fields: { manager_approved: true, cost_paid: 250 } });
      const stale = await t.request('PATCH', `/v1/profiles/${USER}/trainings/101`, {
        body: { fields: { cost_paid: 1 } },
        headers: { 'if-match': etag },
      });
      expect(stale.status).toBe(412);
      const removed = await t.request('PATCH', `/v1/profiles/${USER}/trainings/101`, { body: { fields: { cost_paid: null } } });
      expect(removed.body.fields).toEqual({ manager_approved: true });
    });

    it('refuses invalid enrolment values with 422 listing each field, writing nothing', async () => {
      const { t } = env;
      const before = await t.request('GET', `/v1/profiles/${USER}/trainings/102`);
      const answer = await t.request('PATCH', `/v1/profiles/${USER}/trainings/102`, {
        body: { fields: { manager_approved: 'yes', cost_paid: -5, unknown_key: 1 } },
      });
      expect(answer.status).toBe(422);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
        'fields.cost_paid',
        'fields.manager_approved',
        'fields.unknown_key',
      ]);
      const after = await t.request('GET', `/v1/profiles/${USER}/trainings/102`);
      expect(after.body).toEqual(before.body);
    });

    it('refuses writes to upstream-owned attributes with 422', async () => {
      const { t } = env;
      const answer = await t.request('PATCH', `/v1/profiles/${USER}/trainings/102`, { body: { fields: {}, status: 'passed', score: 100 } });
      expect(answer.status).toBe(422);
      const codes = answer.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`).sort();
      expect(codes).toEqual(['score:read_only', 'status:read_only']);
      expect((await t.request('GET', `/v1/profiles/${USER}/trainings/102`)).body.status).toBe('completed');
    });

    it('answers 404 for a record the companion does not hold', async () => {
      const answer = await env.t.request('PATCH', `/v1/profiles/${USER}/trainings/999`, { body: { fields: { cost_paid: 1 } } });
      expect(answer.status).toBe(404);
      expect(answer.body.code).toBe('training_record_not_found');
    });

    it('answers 503 upstream_unavailable when the upstream is down during refresh, leaving records unchanged', async () => {
      const { t, sim } = env;
      const before = await t.request('GET', `/v1/profiles/${USER}/trainings`);
      sim.store.setProgress(USER, '103', { status: 'FAILED', progress: 100, score: 12 });
      sim.setFaults({ errorRate: 1 });
      try {
        const answer = await t.request('POST', `/v1/profiles/${USER}/trainings:refresh`);
        expect(answer.status).toBe(503);
        expect(answer.body.code).toBe('upstream_unavailable');
      } finally {
        sim.healFaults();
      }
      const after = await t.request('GET', `/v1/profiles/${USER}/trainings`);
      expect(after.body).toEqual(before.body);
    });

    it('lets a service key read records but not define fields', async () => {
      const { t } = env;
      const key = await t.createKey('service');
      expect((await t.request('GET', `/v1/profiles/${USER}/trainings`, { key })).status).toBe(200);
      expect((await t.request('POST', '/v1/admin/fields/enrolment', { key, body: { key: 'x', label: 'x', type: 'string' } })).status).toBe(
        403,
      );
    });
  });
});
