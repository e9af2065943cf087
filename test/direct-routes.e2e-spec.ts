import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { createApp } from '../src/app.factory';
import { COMBINED_READ_DIRECT_ROUTES } from '../src/combined-reads/combined-reads.direct-routes';
import { serveDirectRoutes } from '../src/common/http/direct-routes';
import { startTestApp, TestApp } from './support/test-app';

const PROFILE = '/v1/profiles';

describe('direct routes (single-record reads answered without the Nest route pipeline)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const define = async (body: Record<string, unknown>): Promise<void> => {
      const answer = await t.request('POST', '/v1/admin/fields/profile', { body: { label: String(body.key), ...body } });
      if (answer.status !== 201) throw new Error(`define ${String(body.key)}: ${answer.status} ${answer.text}`);
    };
    await define({ key: 'team', type: 'string' });
    await define({ key: 'salary_band', type: 'string', readRoles: ['admin'], writeRoles: ['admin'] });
    const created = await t.request('PUT', `${PROFILE}/direct-1`, { body: { fields: { team: 'blue', salary_band: 'B3' } } });
    if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
  });
  afterAll(() => t.close());

  it('serves GET /v1/profiles/:uuid and GET /v1/trainings/:lpId directly, and says so at boot', () => {
    expect(t.logs.join('')).toContain('Served directly: GET /v1/profiles/:uuid, GET /v1/trainings/:lpId');
  });

  it('applies the global guards: 401 without a key, 403 for a role the route does not allow', async () => {
    const anonymous = await t.request('GET', `${PROFILE}/direct-1`, { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toContain('application/problem+json');
    const syncKey = await t.createKey('sync');
    const forbidden = await t.request('GET', `${PROFILE}/direct-1`, { key: syncKey });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('forbidden');
  });

  it('answers errors as problem+json with the request id, like every other route', async () => {
    const missing = await t.request('GET', `${PROFILE}/nobody-here`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ code: 'profile_not_found', instance: `${PROFILE}/nobody-here` });
    expect(missing.body.requestId).toBe(missing.headers.get('x-request-id'));
    const malformed = await t.request('GET', `${PROFILE}/${encodeURIComponent('bad uuid!')}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('invalid_uuid');
  });

  it('answers the same document whether the role sees every field (stored JSON sent as is) or only some', async () => {
    const admin = await t.request('GET', `${PROFILE}/direct-1`);
    expect(admin.status).toBe(200);
    expect(admin.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(admin.headers.get('etag')).toBe('"1"');
    expect(admin.body).toEqual({
      uuid: 'direct-1',
      fields: { team: 'blue', salary_band: 'B3' },
      version: 1,
      createdAt: expect.any(String),
      updatedAt: admin.body.createdAt,
    });
    const service = await t.request('GET', `${PROFILE}/direct-1`, { key: await t.createKey('service') });
    expect(service.body).toEqual({ ...admin.body, fields: { team: 'blue' } });
  });

  it('stops sending the stored document as is once a field is archived', async () => {
    await t.request('PUT', `${PROFILE}/direct-2`, { body: { fields: { team: 'red', salary_band: 'A1' } } });
    expect((await t.request('PATCH', '/v1/admin/fields/profile/salary_band', { body: { status: 'archived' } })).status).toBe(200);
    const answer = await t.request('GET', `${PROFILE}/direct-2`);
    expect(answer.body.fields).toEqual({ team: 'red' });
    expect((await t.request('PATCH', '/v1/admin/fields/profile/salary_band', { body: { status: 'active' } })).status).toBe(200);
    expect((await t.request('GET', `${PROFILE}/direct-2`)).body.fields).toEqual({ team: 'red', salary_band: 'A1' });
  });

  // Second apps on the same database as `t` (process.env still points at it); they fail before listening.
  it('refuses to start when a global interceptor would be skipped by the direct routes', async () => {
    const app = await createApp();
    try {
      const passThrough: NestInterceptor = { intercept: (_context: ExecutionContext, next: CallHandler) => next.handle() };
      app.useGlobalInterceptors(passThrough);
      await expect(app.init()).rejects.toThrow(/Direct route GET \/v1\/profiles\/:uuid: global pipes or interceptors/);
    } finally {
      await app.close().catch(() => undefined);
    }
  });

  it('refuses to start when a direct route matches no controller route', async () => {
    const app = await createApp();
    try {
      serveDirectRoutes(app, [{ ...COMBINED_READ_DIRECT_ROUTES[0]!, url: '/v1/profile/:uuid' }]);
      await expect(app.listen({ port: 0, host: '127.0.0.1' })).rejects.toThrow(
        'Direct routes not registered by any controller: GET /v1/profile/:uuid',
      );
    } finally {
      await app.close().catch(() => undefined);
    }
  });
});
