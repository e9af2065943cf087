import type { ApiAnswer } from '../support/test-app';
import { AppWithUpstream, SIM_CLIENT_KEY, startAppWithSimulator } from '../support/upstream';
import { FigureCounter } from './figures';
import { eventually, problemDefect } from './helpers';

/**
 * Deterministic reproductions of what the fuzzer found (it draws at random; these do not), one
 * test per defect, named by the behaviour a caller should see.
 */

describe('defects found by the fuzzer, reproduced', () => {
  let env: AppWithUpstream;
  const figures = new FigureCounter('regressions');

  const request = async (
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiAnswer> => {
    const answer = await env.t.request(method, path, options);
    figures.request(answer.status);
    return answer;
  };

  /** The answer as [status class, problem defect]: a proper client error reads ['4xx', null]. */
  const asClientError = (answer: ApiAnswer): [string, string | null] => [
    answer.status >= 400 && answer.status < 500 ? '4xx' : `${answer.status} ${answer.text.slice(0, 100)}`,
    problemDefect(answer),
  ];

  beforeAll(async () => {
    env = await startAppWithSimulator({ LOG_LEVEL: 'fatal' });
    expect(
      (await request('POST', '/v1/admin/fields/profile', { body: { key: 'nickname', label: 'Nickname', type: 'string' } })).status,
    ).toBe(201);
    expect((await request('PUT', '/v1/profiles/regression-user', { body: { fields: { nickname: 'r' } } })).status).toBe(201);
    env.sim.store.addLearningPath({ id: 'lp-1', title: 'One' });
  });

  afterAll(async () => {
    figures.flush();
    await env?.close();
  });

  it('refuses a JSON body nested 5,000 deep with a 4xx problem, not a 500', async () => {
    for (const raw of ['{"fields":' + '['.repeat(5_000) + ']'.repeat(5_000) + '}', '{"a":'.repeat(5_000) + '1' + '}'.repeat(5_000)]) {
      for (const [method, path] of [
        ['PUT', '/v1/profiles/regression-user'],
        ['POST', '/v1/identify'],
        ['POST', '/v1/admin/api-keys'],
      ]) {
        expect({ method, path, raw: raw.slice(0, 12), answer: asClientError(await request(method!, path!, { raw })) }).toEqual({
          method,
          path,
          raw: raw.slice(0, 12),
          answer: ['4xx', null],
        });
      }
    }
    expect((await request('GET', '/v1/profiles/regression-user')).body.fields).toEqual({ nickname: 'r' });
  });

  it('takes the last value of a repeated query parameter instead of failing with a 500', async () => {
    const profile = await request('GET', '/v1/profiles/regression-user?include=context&include=trainings');
    expect(profile.status).toBe(200);
    expect(profile.body.meta.upstream).toHaveProperty('trainings');
    expect(profile.body.meta.upstream).not.toHaveProperty('context');
    expect((await request('GET', '/v1/trainings/lp-1?include=upstream&include=upstream')).status).toBeLessThan(500);
  });

  it('refuses null for optional properties with a 4xx, not a 500', async () => {
    expect(asClientError(await request('POST', '/v1/user-contexts', { body: { uuid: null, displayName: 'Null Uuid' } }))).toEqual([
      '4xx',
      null,
    ]);
    expect(
      asClientError(
        await request('PUT', '/v1/admin/connection', { body: { baseUrl: env.sim.url, clientKey: SIM_CLIENT_KEY, clientSecret: null } }),
      ),
    ).toEqual(['4xx', null]);
  });

  it('answers malformed URLs and over-long path parameters as problem+json', async () => {
    for (const path of ['/v1/profiles/%ED%A0%80', '/v1/profiles/%ZZ', '/v1/profiles/%', `/v1/profiles/${'a'.repeat(300)}`]) {
      expect({ path: path.slice(0, 40), answer: asClientError(await request('GET', path)) }).toEqual({
        path: path.slice(0, 40),
        answer: ['4xx', null],
      });
    }
  });

  it('keeps the problem status a number when a sync run cannot be cancelled', async () => {
    const run = await request('POST', '/v1/admin/sync-runs', { body: { job: 'trainings', dryRun: true } });
    expect(run.status).toBe(202);
    const finished = await eventually(
      async () => (await request('GET', `/v1/admin/sync-runs/${run.body.id}`)).body.status !== 'running',
      10_000,
    );
    expect(finished).toBe(true);
    const cancel = await request('POST', `/v1/admin/sync-runs/${run.body.id}/cancel`);
    expect(cancel.status).toBe(409);
    expect(problemDefect(cancel)).toBeNull();
    expect(cancel.body.status).toBe(409);
  });

  it('erases a user again after they came back', async () => {
    const uuid = 'regression-erased-twice';
    expect((await request('PUT', `/v1/profiles/${uuid}`, { body: { fields: { nickname: 'first life' } } })).status).toBe(201);
    expect((await request('DELETE', `/v1/profiles/${uuid}?erase=true`)).status).toBe(200);
    expect((await request('PUT', `/v1/profiles/${uuid}`, { body: { fields: { nickname: 'second life' } } })).status).toBe(201);
    const again = await request('DELETE', `/v1/profiles/${uuid}?erase=true`);
    expect([again.status, again.body?.code]).toEqual([200, undefined]);
    expect((await request('GET', `/v1/profiles/${uuid}`)).status).toBe(404);
  });

  it('answers NUL characters in identifiers and values without a 5xx (PostgreSQL refuses NUL in text)', async () => {
    for (const path of ['/v1/admin/sync-runs/a%00b', '/v1/profiles/a%00b/aliases', '/v1/learning-paths/a%00b']) {
      const answer = await request('GET', path);
      expect({ path, status: answer.status < 500 ? 'not 5xx' : `${answer.status} ${answer.body?.code}` }).toEqual({
        path,
        status: 'not 5xx',
      });
    }
    const created = await request('POST', '/v1/user-contexts', { body: { uuid: 'regression-nul-name', displayName: 'a\u0000b' } });
    // Either refused up front (nothing created upstream), or stored whole.
    if (created.status === 201) expect((await request('GET', '/v1/user-contexts/regression-nul-name')).body.displayName).toBe('a\u0000b');
    else {
      expect(asClientError(created)).toEqual(['4xx', null]);
      expect(env.sim.store.getUser('regression-nul-name')).toBeUndefined();
    }
  });
});
