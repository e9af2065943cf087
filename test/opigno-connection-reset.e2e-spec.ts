import { DataSource } from 'typeorm';
import { AppWithUpstream, SIM_CLIENT_KEY, SIM_CLIENT_SECRET, startAppWithSimulator } from './support/upstream';

describe('forgetting the stored Opigno connection', () => {
  let env: AppWithUpstream;

  beforeAll(async () => {
    env = await startAppWithSimulator();
  });
  afterAll(async () => {
    await env.close();
  });

  it('falls back to the environment configuration and removes the stored secret', async () => {
    const { t, sim } = env;
    const stored = await t.request('PUT', '/v1/admin/connection', {
      body: { baseUrl: sim.url, clientKey: SIM_CLIENT_KEY, clientSecret: SIM_CLIENT_SECRET },
    });
    expect(stored.status).toBe(200);
    expect(stored.body.source).toBe('database');

    const reset = await t.request('DELETE', '/v1/admin/connection');
    expect(reset.status).toBe(200);
    expect(reset.body).toMatchObject({ source: 'config', configured: true });
    const rows = await t.app.get(DataSource).query('SELECT * FROM opigno_connection');
    expect(rows).toEqual([]);
    expect((await t.request('POST', '/v1/admin/connection/test')).body.ok).toBe(true);
  });

  it('answers 404 when nothing is stored, and 403 to a service key', async () => {
    const { t } = env;
    const answer = await t.request('DELETE', '/v1/admin/connection');
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('connection_not_stored');
    expect((await t.request('DELETE', '/v1/admin/connection', { key: await t.createKey('service') })).status).toBe(403);
  });
});
