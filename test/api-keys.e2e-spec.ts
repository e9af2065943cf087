import { Agent, request as httpRequest } from 'node:http';
import { startTestApp, TestApp } from './support/test-app';

/** Requests over one keep-alive connection, each answering its status and whether it reused that connection. */
function oneConnection(baseUrl: string): {
  get(path: string, authorization?: string): Promise<{ status: number; reused: boolean }>;
  close(): void;
} {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  return {
    get: (path, authorization) =>
      new Promise((resolve, reject) => {
        const req = httpRequest(baseUrl + path, { agent, headers: authorization ? { authorization } : {} }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode!, reused: req.reusedSocket }));
        });
        req.on('error', reject);
        req.end();
      }),
    close: () => agent.destroy(),
  };
}

describe('API keys', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('shows a new key once and lists it afterwards by prefix only', async () => {
    const created = await t.request('POST', '/v1/admin/api-keys', { body: { role: 'service', label: 'portal' } });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^oc_[A-Za-z0-9_-]{43}$/);
    const listed = await t.request('GET', '/v1/admin/api-keys');
    const entry = listed.body.find((k: { id: string }) => k.id === created.body.id);
    expect(entry).toMatchObject({ role: 'service', label: 'portal', prefix: created.body.key.slice(0, 10), revokedAt: null });
    expect(JSON.stringify(listed.body)).not.toContain(created.body.key);
  });

  it('stores only a hash of the key', async () => {
    const created = await t.request('POST', '/v1/admin/api-keys', { body: { role: 'sync', label: 'jobs' } });
    const { DataSource } = await import('typeorm');
    const dataSource = t.app.get(DataSource);
    const rows: Array<Record<string, string>> = await dataSource.query('SELECT * FROM api_keys');
    expect(JSON.stringify(rows)).not.toContain(created.body.key);
  });

  it('accepts a created key and refuses it once revoked', async () => {
    const key = await t.createKey('admin', 'temporary');
    expect((await t.request('GET', '/v1/admin/api-keys', { key })).status).toBe(200);
    const list = await t.request('GET', '/v1/admin/api-keys');
    const id = list.body.find((k: { label: string }) => k.label === 'temporary').id;
    const revoked = await t.request('DELETE', `/v1/admin/api-keys/${id}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await t.request('GET', '/v1/admin/api-keys', { key })).status).toBe(401);
  });

  it('answers 404 for revoking an unknown key and 400 for a malformed id', async () => {
    expect((await t.request('DELETE', '/v1/admin/api-keys/6f1c2a7e-1111-4a4a-9999-123456789abc')).status).toBe(404);
    expect((await t.request('DELETE', '/v1/admin/api-keys/not-a-uuid')).status).toBe(400);
  });

  describe('on one keep-alive connection', () => {
    it('refuses a key revoked between two of its requests', async () => {
      const key = await t.createKey('admin', 'kept-alive');
      const id = (await t.request('GET', '/v1/admin/api-keys')).body.find((k: { label: string }) => k.label === 'kept-alive').id;
      const connection = oneConnection(t.url);
      try {
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${key}`)).toEqual({ status: 200, reused: false });
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${key}`)).toEqual({ status: 200, reused: true });
        expect((await t.request('DELETE', `/v1/admin/api-keys/${id}`)).status).toBe(200);
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${key}`)).toEqual({ status: 401, reused: true });
      } finally {
        connection.close();
      }
    });

    it('checks each key it carries on its own: another role, an unknown key, no key', async () => {
      const serviceKey = await t.createKey('service', 'second on the connection');
      const connection = oneConnection(t.url);
      try {
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${t.adminKey}`)).toEqual({ status: 200, reused: false });
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${serviceKey}`)).toEqual({ status: 403, reused: true });
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${t.adminKey}x`)).toEqual({ status: 401, reused: true });
        expect(await connection.get('/v1/admin/api-keys')).toEqual({ status: 401, reused: true });
        expect(await connection.get('/v1/admin/api-keys', `Bearer ${t.adminKey}`)).toEqual({ status: 200, reused: true });
      } finally {
        connection.close();
      }
    });
  });
});
