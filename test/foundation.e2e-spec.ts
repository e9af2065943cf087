import SwaggerParser from '@apidevtools/swagger-parser';
import { startTestApp, TestApp } from './support/test-app';

describe('service foundation', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers /health/ready 200 with the database up', async () => {
    const answer = await t.request('GET', '/health/ready', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.body.info.database.status).toBe('up');
  });

  it('answers 401 problem+json for /v1 paths without a key, even unknown ones', async () => {
    for (const path of ['/v1/anything', '/v1/admin/api-keys']) {
      const answer = await t.request('GET', path, { key: null });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('content-type')).toContain('application/problem+json');
      expect(answer.body.code).toBe('unauthorized');
    }
  });

  it('answers 401 for an unknown key and 404 problem+json for an unknown route with a valid key', async () => {
    expect((await t.request('GET', '/v1/admin/api-keys', { key: 'oc_nope' })).status).toBe(401);
    const answer = await t.request('GET', '/v1/anything');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('not_found');
  });

  it('answers 403 when a service key calls an admin route', async () => {
    const serviceKey = await t.createKey('service');
    const answer = await t.request('GET', '/v1/admin/api-keys', { key: serviceKey });
    expect(answer.status).toBe(403);
    expect(answer.body.code).toBe('forbidden');
  });

  it('refuses malformed JSON with 400 malformed_json', async () => {
    const answer = await t.request('POST', '/v1/admin/api-keys', { raw: '{"role": "admin",' });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('malformed_json');
  });

  it('refuses a 2 MB body with 413 payload_too_large', async () => {
    const answer = await t.request('POST', '/v1/admin/api-keys', { raw: JSON.stringify({ label: 'x'.repeat(2 * 1024 * 1024) }) });
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe('payload_too_large');
  });

  it('refuses a text/plain body with 415 unsupported_media_type', async () => {
    const answer = await t.request('POST', '/v1/admin/api-keys', { raw: 'role=admin', contentType: 'text/plain' });
    expect(answer.status).toBe(415);
    expect(answer.body.code).toBe('unsupported_media_type');
  });

  it('lists each invalid and unknown field in a 422 validation_failed', async () => {
    const answer = await t.request('POST', '/v1/admin/api-keys', { body: { role: 'boss', label: '', extra: true } });
    expect(answer.status).toBe(422);
    expect(answer.body.code).toBe('validation_failed');
    const fields = answer.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['role', 'label', 'extra']));
    expect(answer.body.errors.find((e: { field: string }) => e.field === 'extra').code).toBe('unknown_field');
  });

  it('echoes a caller-supplied X-Request-Id and generates one otherwise', async () => {
    const echoed = await t.request('GET', '/health/live', { key: null, headers: { 'x-request-id': 'trace-abc-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('trace-abc-123');
    const generated = await t.request('GET', '/health/live', { key: null });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never writes the bearer token to the log', async () => {
    await t.request('GET', '/v1/admin/api-keys', { key: 'secret123' });
    await t.request('GET', '/v1/admin/api-keys', { key: t.adminKey });
    const logs = t.logs.join('');
    expect(logs).toContain('/v1/admin/api-keys');
    expect(logs).not.toContain('secret123');
    expect(logs).not.toContain(t.adminKey);
  });

  it('serves a valid OpenAPI 3 document at /docs/openapi.json and the UI at /docs', async () => {
    const answer = await t.request('GET', '/docs/openapi.json', { key: null });
    expect(answer.status).toBe(200);
    const document = await SwaggerParser.validate(answer.body);
    expect(document.info.title).toBe('opigno-companion');
    expect((await t.request('GET', '/docs', { key: null })).status).toBe(200);
  });

  it('exposes Prometheus metrics with request counts by route', async () => {
    const answer = await t.request('GET', '/metrics', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.text).toContain('http_requests_total');
    expect(answer.text).toMatch(/http_requests_total\{method="GET",route="\/health\/live",status="200"\}/);
  });
});
