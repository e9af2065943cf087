import type { ApiAnswer } from '../support/test-app';
import { AppWithUpstream, startAppWithSimulator } from '../support/upstream';
import { FigureCounter } from './figures';
import { pool } from './helpers';

/**
 * Lost-update and merge races at four times the load of the e2e suites, on SQLite (and on
 * PostgreSQL when DATABASE_URL is set: the harness then gives the app a fresh database there).
 */

const WRITERS = 200;
const IDENTIFIERS = 40;

describe('concurrency races', () => {
  let env: AppWithUpstream;
  const figures = new FigureCounter(`concurrency-${process.env.DATABASE_URL ? 'postgres' : 'sqlite'}`);

  const request = async (
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> => {
    const answer = await env.t.request(method, path, options);
    figures.request(answer.status);
    return answer;
  };

  const statusCounts = (answers: ApiAnswer[]): Record<number, number> =>
    answers.reduce<Record<number, number>>((counts, a) => ({ ...counts, [a.status]: (counts[a.status] ?? 0) + 1 }), {});

  beforeAll(async () => {
    env = await startAppWithSimulator({ LOG_LEVEL: 'fatal' });
    figures.note('engine', env.t.engine);
    const definitions: Array<[string, Record<string, unknown>]> = [
      ['profile', { key: 'display_name', label: 'Name', type: 'string' }],
      ['profile', { key: 'language', label: 'Language', type: 'enum', options: ['en', 'fr', 'de'] }],
      ['profile', { key: 'topics', label: 'Topics', type: 'multi_enum', options: ['math', 'art', 'code'] }],
      ['profile', { key: 'email', label: 'Email', type: 'email', unique: true, pii: true }],
      ['enrolment', { key: 'voucher', label: 'Voucher', type: 'string' }],
    ];
    for (const [kind, body] of definitions) expect((await request('POST', `/v1/admin/fields/${kind}`, { body })).status).toBe(201);
    // One integer field per concurrent writer of the "different fields" race.
    await pool(
      Array.from({ length: WRITERS }, (_, i) => i),
      4,
      async (i) => {
        const answer = await request('POST', '/v1/admin/fields/profile', {
          body: { key: `slot_${i}`, label: `Slot ${i}`, type: 'integer' },
        });
        if (answer.status !== 201) throw new Error(`slot_${i}: ${answer.status} ${answer.text}`);
      },
    );
    env.sim.store.addLearningPath({ id: 'lp-a', title: 'A' });
    env.sim.store.addLearningPath({ id: 'lp-b', title: 'B' });
  }, 120_000);

  afterAll(async () => {
    figures.flush();
    await env?.close();
  });

  it(`lets exactly one of ${WRITERS} concurrent PATCHes with the same If-Match win`, async () => {
    const created = await request('PUT', '/v1/profiles/race-if-match', { body: { fields: { display_name: 'start' } } });
    expect(created.status).toBe(201);
    const etag = created.headers.get('etag')!;
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        request('PATCH', '/v1/profiles/race-if-match', {
          body: { fields: { display_name: `writer-${i}` } },
          headers: { 'if-match': etag },
        }),
      ),
    );
    expect(statusCounts(answers)).toEqual({ 200: 1, 412: WRITERS - 1 });
    for (const loser of answers.filter((a) => a.status === 412)) {
      expect(loser.headers.get('content-type')).toContain('application/problem+json');
      expect(loser.body.code).toBe('version_mismatch');
    }
    const winner = answers.find((a) => a.status === 200)!.body.fields.display_name;
    const final = await request('GET', '/v1/profiles/race-if-match');
    expect(final.body.fields).toEqual({ display_name: winner });
    expect(final.body.version).toBe(2);
    const history = await request('GET', '/v1/profiles/race-if-match/history?limit=200');
    expect(history.body.items).toHaveLength(2);
  });

  it(`keeps every value of ${WRITERS} concurrent PATCHes without If-Match that touch different fields`, async () => {
    expect((await request('PUT', '/v1/profiles/race-fields', { body: { fields: { display_name: 'many' } } })).status).toBe(201);
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) => request('PATCH', '/v1/profiles/race-fields', { body: { fields: { [`slot_${i}`]: i } } })),
    );
    expect(statusCounts(answers)).toEqual({ 200: WRITERS });
    const final = await request('GET', '/v1/profiles/race-fields');
    const missing = Array.from({ length: WRITERS }, (_, i) => i).filter((i) => final.body.fields[`slot_${i}`] !== i);
    figures.figures.recordsLost += missing.length;
    expect(missing).toEqual([]);
    expect(final.body.fields.display_name).toBe('many');
    expect(final.body.version).toBe(WRITERS + 1);
    // Each answer saw a distinct version: no two writers were applied to the same base.
    expect(new Set(answers.map((a) => a.body.version)).size).toBe(WRITERS);
  });

  it(`creates once under ${WRITERS} concurrent PUTs with If-None-Match: *`, async () => {
    const answers = await Promise.all(
      Array.from({ length: WRITERS }, (_, i) =>
        request('PUT', '/v1/profiles/race-create', {
          body: { fields: { display_name: `creator-${i}` } },
          headers: { 'if-none-match': '*' },
        }),
      ),
    );
    expect(statusCounts(answers)).toEqual({ 201: 1, 412: WRITERS - 1 });
    const winner = answers.find((a) => a.status === 201)!.body.fields.display_name;
    const final = await request('GET', '/v1/profiles/race-create');
    expect(final.body).toMatchObject({ version: 1, fields: { display_name: winner } });
  });

  /** An anonymous visitor with a profile and two training records, ready to be identified. */
  const anonymousLearner = async (label: string): Promise<string> => {
    const context = await request('POST', '/v1/user-contexts', { body: { anonymous: true } });
    expect(context.status).toBe(201);
    const uuid: string = context.body.uuid;
    env.sim.store.setProgress(uuid, 'lp-a', { status: 'IN_PROGRESS', progress: 40 });
    env.sim.store.setProgress(uuid, 'lp-b', { status: 'NOT_STARTED', progress: 0 });
    expect(
      (
        await request('PUT', `/v1/profiles/${uuid}`, {
          body: { fields: { language: 'fr', topics: ['art', 'code'], email: `${label}@example.org` } },
        })
      ).status,
    ).toBe(201);
    expect((await request('POST', `/v1/profiles/${uuid}/trainings:refresh`)).status).toBe(200);
    expect((await request('PATCH', `/v1/profiles/${uuid}/trainings/lp-a`, { body: { fields: { voucher: `V-${label}` } } })).status).toBe(
      200,
    );
    return uuid;
  };

  const identifiedUser = async (uuid: string): Promise<void> => {
    expect((await request('POST', '/v1/user-contexts', { body: { uuid, displayName: uuid } })).status).toBe(201);
    env.sim.store.setProgress(uuid, 'lp-b', { status: 'COMPLETED', progress: 100 });
    expect((await request('PUT', `/v1/profiles/${uuid}`, { body: { fields: { display_name: uuid } } })).status).toBe(201);
    expect((await request('POST', `/v1/profiles/${uuid}/trainings:refresh`)).status).toBe(200);
  };

  it(`merges once when ${IDENTIFIERS} identical identify calls race`, async () => {
    const anonymousId = await anonymousLearner('same-user');
    const userId = 'race-identified-1';
    await identifiedUser(userId);

    const answers = await Promise.all(
      Array.from({ length: IDENTIFIERS }, () => request('POST', '/v1/identify', { body: { anonymousId, userId } })),
    );
    expect(statusCounts(answers)).toEqual({ 200: IDENTIFIERS });
    expect(answers[0]!.body).toMatchObject({ anonymousId, userId, trainings: { moved: ['lp-a'], merged: ['lp-b'] } });

    // The user holds each value once.
    const profile = await request('GET', `/v1/profiles/${userId}`);
    expect(profile.body.fields).toEqual({ display_name: userId, language: 'fr', topics: ['art', 'code'], email: 'same-user@example.org' });
    const records = (await request('GET', `/v1/profiles/${userId}/trainings?limit=200`)).body.items as Array<{
      lpId: string;
      fields: Record<string, unknown>;
    }>;
    expect(records.map((r) => r.lpId).sort()).toEqual(['lp-a', 'lp-b']);
    expect(records.find((r) => r.lpId === 'lp-a')!.fields).toEqual({ voucher: 'V-same-user' });
    const aliases = await request('GET', `/v1/profiles/${userId}/aliases`);
    expect(aliases.body).toEqual([expect.objectContaining({ anonymousId, userId })]);
    expect((await request('GET', `/v1/profiles/${anonymousId}`)).status).toBe(404);
    expect((await request('GET', `/v1/profiles/${anonymousId}/trainings`)).body.items).toEqual([]);
    // Merged exactly once: one profile change on the user for the merge, whatever the number of calls.
    const history = (await request('GET', `/v1/profiles/${userId}/history?limit=200`)).body.items as Array<{ action: string }>;
    expect(history.filter((h) => h.action !== 'create')).toHaveLength(1);

    // Identical answers: a call that lands while the winner is still deactivating the anonymous context upstream must not see a half-written result.
    const bodies = [...new Set(answers.map((a) => a.text))];
    expect(bodies).toEqual([answers[0]!.text]);
  });

  it('lets exactly one of two users claim an anonymous id when both identify at once', async () => {
    const anonymousId = await anonymousLearner('two-users');
    const [first, second] = ['race-claimant-a', 'race-claimant-b'];
    await identifiedUser(first);
    await identifiedUser(second);

    const answers = await Promise.all([first, second].map((userId) => request('POST', '/v1/identify', { body: { anonymousId, userId } })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const loser = answers.find((a) => a.status === 409)!;
    expect(loser.headers.get('content-type')).toContain('application/problem+json');
    expect(loser.body.code).toBe('already_merged');
    const winnerId: string = answers.find((a) => a.status === 200)!.body.userId;
    const loserId = winnerId === first ? second : first;

    expect((await request('GET', `/v1/profiles/${winnerId}`)).body.fields).toMatchObject({
      language: 'fr',
      email: 'two-users@example.org',
    });
    expect((await request('GET', `/v1/profiles/${loserId}`)).body.fields).toEqual({ display_name: loserId });
    expect((await request('GET', `/v1/profiles/${loserId}/aliases`)).body).toEqual([]);
  });

  it(`keeps one winner when ${IDENTIFIERS} identify calls for two users race`, async () => {
    const anonymousId = await anonymousLearner('many-claims');
    const [first, second] = ['race-many-a', 'race-many-b'];
    await identifiedUser(first);
    await identifiedUser(second);

    const answers = await Promise.all(
      Array.from({ length: IDENTIFIERS }, (_, i) =>
        request('POST', '/v1/identify', { body: { anonymousId, userId: i % 2 === 0 ? first : second } }),
      ),
    );
    const winners = new Set(answers.filter((a) => a.status === 200).map((a) => a.body.userId));
    expect(winners.size).toBe(1);
    const [winnerId] = [...winners] as string[];
    // Every call for the winner is the same (idempotent) success; every call for the other user is a 409.
    for (const [i, answer] of answers.entries()) {
      const userId = i % 2 === 0 ? first : second;
      expect({ userId, status: answer.status }).toEqual({ userId, status: userId === winnerId ? 200 : 409 });
    }
    const loserId = winnerId === first ? second : first;
    expect((await request('GET', `/v1/profiles/${loserId}`)).body.fields).toEqual({ display_name: loserId });
    expect(((await request('GET', `/v1/profiles/${loserId}/trainings`)).body.items as Array<{ lpId: string }>).map((r) => r.lpId)).toEqual([
      'lp-b',
    ]);
  });
});
