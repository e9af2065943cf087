import { DataSource } from 'typeorm';
import { dumpAllTables } from './support/database-dump';
import { AppWithUpstream, startAppWithSimulator } from './support/upstream';

describe('user contexts, identify and privacy', () => {
  let env: AppWithUpstream;

  beforeAll(async () => {
    env = await startAppWithSimulator();
    const { t, sim } = env;
    sim.store.addLearningPath({ id: 'lp-a', title: 'A' });
    sim.store.addLearningPath({ id: 'lp-b', title: 'B' });
    const definitions: Array<[string, Record<string, unknown>]> = [
      ['profile', { key: 'nickname', label: 'Nickname', type: 'string' }],
      ['profile', { key: 'language', label: 'Language', type: 'enum', options: ['en', 'fr', 'de'] }],
      ['profile', { key: 'email', label: 'Email', type: 'email', pii: true, unique: true }],
      ['profile', { key: 'birth_date', label: 'Birth date', type: 'date', pii: true }],
      ['enrolment', { key: 'manager_approved', label: 'Approved', type: 'boolean' }],
      ['enrolment', { key: 'voucher', label: 'Voucher', type: 'string' }],
    ];
    for (const [kind, body] of definitions) expect((await t.request('POST', `/v1/admin/fields/${kind}`, { body })).status).toBe(201);
  });
  afterAll(async () => {
    await env.close();
  });
  afterEach(() => env.sim.healFaults());

  describe('user contexts', () => {
    it('creates an authenticated context upstream and records the local link', async () => {
      const { t, sim } = env;
      const answer = await t.request('POST', '/v1/user-contexts', { body: { uuid: 'ctx-user-1', displayName: 'Ada Lovelace' } });
      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({
        uuid: 'ctx-user-1',
        displayName: 'Ada Lovelace',
        scope: 'AUTHENTICATED',
        isActive: true,
        anonymous: false,
      });
      expect(answer.body.linkedAt).toEqual(expect.any(String));
      expect(sim.store.getUser('ctx-user-1')).toMatchObject({ displayName: 'Ada Lovelace', scope: 'AUTHENTICATED', isActive: true });
      expect((await t.request('GET', '/v1/user-contexts/ctx-user-1')).body).toMatchObject({
        uuid: 'ctx-user-1',
        opignoId: answer.body.opignoId,
      });
    });

    it('creates an anonymous context with a generated anon- uuid of 128 random bits and no scope', async () => {
      const { t, sim } = env;
      const answer = await t.request('POST', '/v1/user-contexts', { body: { anonymous: true } });
      expect(answer.status).toBe(201);
      expect(answer.body.uuid).toMatch(/^anon-[0-9a-f]{32}$/);
      expect(answer.body).toMatchObject({ displayName: 'Anonymous User', scope: null, anonymous: true, isActive: true });
      expect(sim.store.getUser(answer.body.uuid)).toMatchObject({ scope: null, displayName: 'Anonymous User' });
      const other = await t.request('POST', '/v1/user-contexts', { body: { anonymous: true } });
      expect(other.body.uuid).not.toBe(answer.body.uuid);
    });

    it('refuses an anonymous request that names a uuid, and an authenticated one without', async () => {
      expect((await env.t.request('POST', '/v1/user-contexts', { body: { anonymous: true, uuid: 'x-1' } })).status).toBe(422);
      expect((await env.t.request('POST', '/v1/user-contexts', { body: { displayName: 'No uuid' } })).status).toBe(422);
    });

    it('deactivates and renames a context upstream', async () => {
      const { t, sim } = env;
      const answer = await t.request('PATCH', '/v1/user-contexts/ctx-user-1', { body: { isActive: false, displayName: 'A. Lovelace' } });
      expect(answer.status).toBe(200);
      expect(sim.store.getUser('ctx-user-1')).toMatchObject({ isActive: false, displayName: 'A. Lovelace' });
      expect((await t.request('PATCH', '/v1/user-contexts/ctx-nobody', { body: { isActive: false } })).status).toBe(404);
    });

    it('answers upstream violations as 422 carrying the upstream messages, without writing the link', async () => {
      const { t } = env;
      const answer = await t.request('POST', '/v1/user-contexts', { body: { uuid: 'ctx-long-name', displayName: 'x'.repeat(300) } });
      expect(answer.status).toBe(422);
      expect(answer.body.code).toBe('upstream_rejected');
      expect(JSON.stringify(answer.body)).toContain('may not be longer than 255');
      const links = await t.app.get(DataSource).query(`SELECT * FROM user_context_links WHERE uuid = 'ctx-long-name'`);
      expect(links).toHaveLength(0);
    });

    it('answers 503 when the upstream is down and writes no link', async () => {
      const { t, sim } = env;
      sim.setFaults({ errorRate: 1 });
      const answer = await t.request('POST', '/v1/user-contexts', { body: { uuid: 'ctx-down', displayName: 'Down' } });
      expect(answer.status).toBe(503);
      expect(answer.body.code).toMatch(/^upstream_/);
      sim.healFaults();
      const links = await t.app.get(DataSource).query(`SELECT * FROM user_context_links WHERE uuid = 'ctx-down'`);
      expect(links).toHaveLength(0);
    });

    it('anonymizes: neutral name upstream, personal-data fields cleared locally', async () => {
      const { t, sim } = env;
      await t.request('POST', '/v1/user-contexts', { body: { uuid: 'ctx-anonymize', displayName: 'Grace Hopper' } });
      await t.request('PUT', '/v1/profiles/ctx-anonymize', {
        body: { fields: { nickname: 'amazing grace', email: 'grace@example.org', birth_date: '1906-12-09' } },
      });
      const answer = await t.request('POST', '/v1/user-contexts/ctx-anonymize/anonymize');
      expect(answer.status).toBe(200);
      expect(answer.body.clearedFields.sort()).toEqual(['profile.birth_date', 'profile.email']);
      expect(sim.store.getUser('ctx-anonymize')!.displayName).not.toBe('Grace Hopper');
      expect((await t.request('GET', '/v1/profiles/ctx-anonymize')).body.fields).toEqual({ nickname: 'amazing grace' });
    });
  });

  describe('identify', () => {
    let anonymousId: string;
    const userId = 'identified-user-1';

    beforeAll(async () => {
      const { t, sim } = env;
      anonymousId = (await t.request('POST', '/v1/user-contexts', { body: { anonymous: true } })).body.uuid;
      await t.request('POST', '/v1/user-contexts', { body: { uuid: userId, displayName: 'Known Learner' } });
      sim.store.setProgress(anonymousId, 'lp-a', { status: 'IN_PROGRESS', progress: 50 });
      sim.store.setProgress(anonymousId, 'lp-b', { status: 'NOT_STARTED', progress: 0 });
      sim.store.setProgress(userId, 'lp-b', { status: 'COMPLETED', progress: 100 });
      expect(
        (
          await t.request('PUT', `/v1/profiles/${anonymousId}`, {
            body: { fields: { nickname: 'visitor', language: 'fr', email: 'anon@example.org' } },
          })
        ).status,
      ).toBe(201);
      expect((await t.request('PUT', `/v1/profiles/${userId}`, { body: { fields: { nickname: 'known' } } })).status).toBe(201);
      for (const uuid of [anonymousId, userId])
        expect((await t.request('POST', `/v1/profiles/${uuid}/trainings:refresh`)).status).toBe(200);
      await t.request('PATCH', `/v1/profiles/${anonymousId}/trainings/lp-a`, { body: { fields: { voucher: 'V-1' } } });
      await t.request('PATCH', `/v1/profiles/${anonymousId}/trainings/lp-b`, {
        body: { fields: { voucher: 'V-2', manager_approved: false } },
      });
      await t.request('PATCH', `/v1/profiles/${userId}/trainings/lp-b`, { body: { fields: { manager_approved: true } } });
    });

    it('refuses junk identifiers with 400', async () => {
      for (const junk of ['null', 'undefined', '0', 'anonymous', '', 'Guest']) {
        const answer = await env.t.request('POST', '/v1/identify', { body: { anonymousId, userId: junk } });
        expect([400, 422]).toContain(answer.status);
      }
      expect((await env.t.request('POST', '/v1/identify', { body: { anonymousId: 'undefined', userId } })).status).toBe(400);
    });

    it('never merges two identified users (409 cannot_merge_identified)', async () => {
      const answer = await env.t.request('POST', '/v1/identify', { body: { anonymousId: 'ctx-user-1', userId } });
      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('cannot_merge_identified');
    });

    it('leaves both users exactly as before when the merge fails mid-way', async () => {
      const { t } = env;
      const dataSource = t.app.get(DataSource);
      const before = await Promise.all([anonymousId, userId].map((u) => t.request('GET', `/v1/profiles/${u}?include=trainings`)));
      const trigger =
        t.engine === 'postgres'
          ? [
              `CREATE FUNCTION fail_merge() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'injected failure'; END; $$ LANGUAGE plpgsql`,
              `CREATE TRIGGER fail_merge BEFORE INSERT ON identity_links FOR EACH ROW EXECUTE FUNCTION fail_merge()`,
            ]
          : [`CREATE TRIGGER fail_merge BEFORE INSERT ON identity_links BEGIN SELECT RAISE(ABORT, 'injected failure'); END`];
      for (const sql of trigger) await dataSource.query(sql);
      try {
        const answer = await t.request('POST', '/v1/identify', { body: { anonymousId, userId } });
        expect(answer.status).toBe(500);
        expect(answer.text).not.toContain('injected failure');
      } finally {
        await dataSource.query('DROP TRIGGER fail_merge' + (t.engine === 'postgres' ? ' ON identity_links' : ''));
        if (t.engine === 'postgres') await dataSource.query('DROP FUNCTION fail_merge()');
      }
      const after = await Promise.all([anonymousId, userId].map((u) => t.request('GET', `/v1/profiles/${u}?include=trainings`)));
      expect(after.map((a) => a.body)).toEqual(before.map((b) => b.body));
    });

    it('moves the anonymous learner to the user: the user keeps their values and gains the rest', async () => {
      const { t, sim } = env;
      const answer = await t.request('POST', '/v1/identify', { body: { anonymousId, userId } });
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        anonymousId,
        userId,
        profile: { created: false, movedFields: ['email', 'language'], keptFields: ['nickname'] },
        trainings: { moved: ['lp-a'], merged: ['lp-b'] },
        upstream: { deactivated: true, pendingRetry: false },
      });
      expect((await t.request('GET', `/v1/profiles/${userId}`)).body.fields).toEqual({
        nickname: 'known',
        language: 'fr',
        email: 'anon@example.org',
      });
      expect((await t.request('GET', `/v1/profiles/${anonymousId}`)).status).toBe(404);

      const records = (await t.request('GET', `/v1/profiles/${userId}/trainings`)).body.items;
      const byLp = Object.fromEntries(records.map((r: { lpId: string }) => [r.lpId, r]));
      expect(byLp['lp-a']).toMatchObject({ status: 'in_progress', progress: 50, fields: { voucher: 'V-1' } });
      expect(byLp['lp-b']).toMatchObject({ status: 'completed', fields: { manager_approved: true, voucher: 'V-2' } });
      expect((await t.request('GET', `/v1/profiles/${anonymousId}/trainings`)).body.items).toEqual([]);
      expect(sim.store.getUser(anonymousId)!.isActive).toBe(false);

      const aliases = await t.request('GET', `/v1/profiles/${userId}/aliases`);
      expect(aliases.body).toEqual([{ anonymousId, userId, mergedAt: answer.body.mergedAt, mergedBy: 'bootstrap-admin' }]);
    });

    it('is idempotent: repeating the same pair answers the same result and changes nothing', async () => {
      const { t } = env;
      const before = await dumpAllTables(t);
      const first = await t.request('POST', '/v1/identify', { body: { anonymousId, userId } });
      const again = await t.request('POST', '/v1/identify', { body: { anonymousId, userId } });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      const after = await dumpAllTables(t);
      delete before.api_keys;
      delete after.api_keys;
      expect(after).toEqual(before);
    });

    it('refuses to merge an already merged anonymous id into a second user (409)', async () => {
      const answer = await env.t.request('POST', '/v1/identify', { body: { anonymousId, userId: 'someone-else' } });
      expect(answer.status).toBe(409);
      expect(answer.body.code).toBe('already_merged');
    });

    it('queues the upstream deactivation for retry when Opigno is down, without failing the merge', async () => {
      const { t, sim } = env;
      const anon = (await t.request('POST', '/v1/user-contexts', { body: { anonymous: true } })).body.uuid;
      await t.request('PUT', `/v1/profiles/${anon}`, { body: { fields: { nickname: 'later' } } });
      sim.setFaults({ errorRate: 1 });
      const answer = await t.request('POST', '/v1/identify', { body: { anonymousId: anon, userId: 'identified-user-2' } });
      expect(answer.status).toBe(200);
      expect(answer.body.upstream).toMatchObject({ deactivated: false, pendingRetry: true });
      expect((await t.request('GET', '/v1/profiles/identified-user-2')).body.fields).toEqual({ nickname: 'later' });
      const pending = await t.app
        .get(DataSource)
        .query(`SELECT * FROM pending_upstream_actions WHERE uuid = '${anon}' AND done_at IS NULL`);
      expect(pending).toHaveLength(1);
    });
  });

  describe('privacy', () => {
    const uuid = 'privacy-user-1';
    const secretValues = ['privacy.person@example.org', '1980-02-29', 'Privacy Person', 'P-VOUCHER-77'];
    let anonymousAlias: string;

    beforeAll(async () => {
      const { t, sim } = env;
      await t.request('POST', '/v1/user-contexts', { body: { uuid, displayName: 'Privacy Person' } });
      sim.store.setProgress(uuid, 'lp-a', { status: 'PASSED', progress: 100, score: 90 });
      await t.request('PUT', `/v1/profiles/${uuid}`, {
        body: { fields: { email: 'privacy.person@example.org', birth_date: '1980-02-29', nickname: 'pp' } },
      });
      await t.request('PATCH', `/v1/profiles/${uuid}`, { body: { fields: { nickname: 'pp2' } } });
      await t.request('POST', `/v1/profiles/${uuid}/trainings:refresh`);
      await t.request('PATCH', `/v1/profiles/${uuid}/trainings/lp-a`, { body: { fields: { voucher: 'P-VOUCHER-77' } } });
      anonymousAlias = (await t.request('POST', '/v1/user-contexts', { body: { anonymous: true } })).body.uuid;
      await t.request('POST', '/v1/identify', { body: { anonymousId: anonymousAlias, userId: uuid } });
    });

    it('exports everything the companion stores about the user as one document', async () => {
      const answer = await env.t.request('GET', `/v1/profiles/${uuid}/export`);
      expect(answer.status).toBe(200);
      expect(answer.body.profile.fields).toMatchObject({ email: 'privacy.person@example.org', birth_date: '1980-02-29', nickname: 'pp2' });
      expect(answer.body.trainingRecords).toEqual([
        expect.objectContaining({ lpId: 'lp-a', status: 'passed', fields: { voucher: 'P-VOUCHER-77' } }),
      ]);
      expect(answer.body.userContext).toMatchObject({ uuid, displayName: 'Privacy Person' });
      expect(answer.body.aliases).toHaveLength(1);
      expect(answer.body.auditTrail.length).toBeGreaterThanOrEqual(3);
    });

    it('needs the admin role for export and erase', async () => {
      const key = await env.t.createKey('service');
      expect((await env.t.request('GET', `/v1/profiles/${uuid}/export`, { key })).status).toBe(403);
      expect((await env.t.request('DELETE', `/v1/profiles/${uuid}?erase=true`, { key })).status).toBe(403);
    });

    it('erases every local record of the user, keeping only a tombstone, and anonymizes upstream', async () => {
      const { t, sim } = env;
      const answer = await t.request('DELETE', `/v1/profiles/${uuid}?erase=true&upstream=anonymize`);
      expect(answer.status).toBe(200);
      expect(answer.body.removed).toMatchObject({ profile: 1, trainingRecords: 1, aliases: 1, userContext: 2 }); // the user's link and the merged anonymous one
      expect(answer.body.uuidHash).toMatch(/^[0-9a-f]{64}$/);
      expect(sim.store.getUser(uuid)!.displayName).not.toBe('Privacy Person');

      const dump = await dumpAllTables(t);
      for (const [table, rows] of Object.entries(dump)) {
        expect({ table, holdsUuid: rows.includes(uuid) }).toEqual({ table, holdsUuid: false });
        expect({ table, holdsAlias: rows.includes(anonymousAlias) }).toEqual({ table, holdsAlias: false });
        for (const value of secretValues) expect({ table, value, found: rows.includes(value) }).toEqual({ table, value, found: false });
      }
      expect(dump.erasure_tombstones).toContain(answer.body.uuidHash);
      expect((await t.request('GET', `/v1/profiles/${uuid}/export`)).status).toBe(404);
    });

    it('erases nothing when the upstream action fails', async () => {
      const { t, sim } = env;
      await t.request('PUT', '/v1/profiles/privacy-user-2', { body: { fields: { nickname: 'stays' } } });
      sim.store.upsertUser({ uuid: 'privacy-user-2', displayName: 'Two', isActive: true });
      sim.setFaults({ errorRate: 1 });
      const answer = await t.request('DELETE', '/v1/profiles/privacy-user-2?erase=true&upstream=deactivate');
      expect(answer.status).toBe(503);
      sim.healFaults();
      expect((await t.request('GET', '/v1/profiles/privacy-user-2')).body.fields).toEqual({ nickname: 'stays' });
    });

    it('keeps plain DELETE as a profile delete (204) and refuses bad parameters', async () => {
      const { t } = env;
      expect((await t.request('DELETE', '/v1/profiles/privacy-user-2?upstream=anonymize')).status).toBe(400);
      expect((await t.request('DELETE', '/v1/profiles/privacy-user-2?erase=yes')).status).toBe(400);
      expect((await t.request('DELETE', '/v1/profiles/privacy-user-2')).status).toBe(204);
      expect((await t.request('DELETE', '/v1/profiles/privacy-user-2')).status).toBe(404);
    });
  });
});
