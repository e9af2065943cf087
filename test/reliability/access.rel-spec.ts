import { randomUUID } from 'node:crypto';
import type { ApiAnswer } from '../support/test-app';
import { AppWithUpstream, startAppWithSimulator } from '../support/upstream';
import { FigureCounter } from './figures';
import { fetchOpenApi, fillPath, listOperations, Operation, problemDefect } from './helpers';

/**
 * Every /v1 operation of the OpenAPI document, called without a key, with a revoked key and with
 * every role it does not allow. The expected roles come from the table below (the product's
 * access rules), not from the app: a disagreement is a finding.
 */

type Role = 'admin' | 'service' | 'sync';
const ROLES: Role[] = ['admin', 'service', 'sync'];
const WEBHOOK = '/v1/webhooks/opigno';

/** Who may call an operation, by path. First match wins. */
const ACCESS_TABLE: Array<{ matches: (path: string) => boolean; roles: Role[]; rule: string }> = [
  {
    matches: (p) => p === '/v1/admin/sync-runs' || p.startsWith('/v1/admin/sync-runs/'),
    roles: ['admin', 'sync'],
    rule: '/v1/admin/sync-runs/** admin+sync',
  },
  { matches: (p) => p.startsWith('/v1/admin/'), roles: ['admin'], rule: '/v1/admin/** admin' },
  { matches: (p) => p === '/v1/profiles/{uuid}/export', roles: ['admin'], rule: 'privacy export admin' },
  { matches: (p) => p.startsWith('/v1/'), roles: ['admin', 'service'], rule: '/v1/** admin+service' },
];

const allowedRoles = (path: string): Role[] => ACCESS_TABLE.find((entry) => entry.matches(path))!.roles;

const PATH_VALUES: Record<string, string> = {
  uuid: 'access-nobody',
  lpId: 'lp-nowhere',
  kind: 'profile',
  key: 'nothere',
  id: randomUUID(),
};

describe('access control on every /v1 operation', () => {
  let env: AppWithUpstream;
  let operations: Operation[];
  const figures = new FigureCounter('access');
  const keys = {} as Record<Role, string>;
  const revokedKeys = {} as Record<Role, string>;

  const call = async (op: Operation, key: string | null, headers: Record<string, string> = {}, query = ''): Promise<ApiAnswer> => {
    const answer = await env.t.request(op.method, fillPath(op.path, PATH_VALUES) + query, { key, headers });
    figures.request(answer.status);
    return answer;
  };

  /** One line per operation whose answer is not the expected problem. */
  const check = (op: Operation, answer: ApiAnswer, expected: number, who: string): string | null => {
    const name = `${op.method} ${op.path} as ${who}`;
    if (answer.status !== expected) return `${name} → ${answer.status}, expected ${expected} (${answer.text.slice(0, 120)})`;
    const defect = problemDefect(answer);
    if (defect) return `${name} → ${answer.status}: ${defect}`;
    return null;
  };

  beforeAll(async () => {
    env = await startAppWithSimulator({ LOG_LEVEL: 'fatal', OPIGNO_WEBHOOK_SECRET: 'access-webhook-secret-0123456789' });
    const { t } = env;
    operations = listOperations(await fetchOpenApi(t)).filter((op) => op.path.startsWith('/v1/'));
    keys.admin = t.adminKey;
    keys.service = await t.createKey('service');
    keys.sync = await t.createKey('sync');
    for (const role of ROLES) {
      const created = await t.request('POST', '/v1/admin/api-keys', { body: { role, label: `revoked ${role}` } });
      expect(created.status).toBe(201);
      revokedKeys[role] = created.body.key;
      // Used once before revocation, so any cache of verified keys holds it.
      const route = role === 'sync' ? '/v1/admin/sync-runs' : '/v1/profiles';
      expect((await t.request('GET', route, { key: created.body.key })).status).toBe(200);
      expect((await t.request('DELETE', `/v1/admin/api-keys/${created.body.id}`)).status).toBe(200);
    }
  });

  afterAll(async () => {
    figures.note('operations', operations?.length ?? 0);
    figures.flush();
    await env?.close();
  });

  it('finds the operations and places each in the access table', () => {
    expect(operations.length).toBeGreaterThan(30);
    figures.note(
      'table',
      ACCESS_TABLE.map(
        (entry) =>
          `${entry.rule}: ${operations.filter((op) => op.path !== WEBHOOK && ACCESS_TABLE.find((e) => e.matches(op.path)) === entry).length}`,
      ).join('; '),
    );
  });

  it('answers 401 problem+json to every /v1 operation called without a key', async () => {
    const defects: string[] = [];
    for (const op of operations) {
      const defect = check(op, await call(op, null), 401, 'nobody');
      if (defect) defects.push(defect);
    }
    expect(defects).toEqual([]);
  });

  it('answers 401 to malformed Authorization headers', async () => {
    const op = operations.find((o) => o.method === 'GET' && o.path === '/v1/profiles')!;
    const defects: string[] = [];
    for (const authorization of [
      'Bearer',
      'Bearer ',
      'Basic dXNlcjpwYXNz',
      `bearer  ${'k'.repeat(600)}`,
      `Token ${keys.admin}`,
      `Bearer ${keys.admin}x`,
      `Bearer ${keys.admin.slice(0, -1)}`,
    ]) {
      const answer = await env.t.request(op.method, op.path, { key: null, headers: { authorization } });
      figures.request(answer.status);
      const defect = check(op, answer, 401, `Authorization: ${authorization.slice(0, 30)}`);
      if (defect) defects.push(defect);
    }
    expect(defects).toEqual([]);
  });

  it('answers 401 problem+json to every /v1 operation called with a revoked key, whatever its role', async () => {
    const defects: string[] = [];
    for (const op of operations) {
      for (const role of ROLES) {
        const defect = check(op, await call(op, revokedKeys[role]), 401, `revoked ${role} key`);
        if (defect) defects.push(defect);
      }
    }
    expect(defects).toEqual([]);
  });

  it('answers 403 problem+json to every role an operation does not allow', async () => {
    const defects: string[] = [];
    let checked = 0;
    for (const op of operations.filter((o) => o.path !== WEBHOOK)) {
      for (const role of ROLES.filter((r) => !allowedRoles(op.path).includes(r))) {
        checked++;
        const defect = check(op, await call(op, keys[role]), 403, role);
        if (defect) defects.push(defect);
      }
    }
    figures.note('forbiddenChecks', checked);
    expect(checked).toBeGreaterThan(40);
    expect(defects).toEqual([]);
  });

  it('lets every allowed role past authentication and authorization', async () => {
    const refused: string[] = [];
    for (const op of operations.filter((o) => o.path !== WEBHOOK)) {
      for (const role of allowedRoles(op.path)) {
        const answer = await call(op, keys[role]);
        if (answer.status === 401 || answer.status === 403)
          refused.push(`${op.method} ${op.path} as ${role} → ${answer.status} ${answer.body?.code}`);
        if (answer.status >= 500 && answer.status !== 502 && answer.status !== 503)
          refused.push(`${op.method} ${op.path} as ${role} → ${answer.status}`);
      }
    }
    expect(refused).toEqual([]);
  });

  it('needs the admin role to erase a user', async () => {
    const op = operations.find((o) => o.method === 'DELETE' && o.path === '/v1/profiles/{uuid}')!;
    const answer = await call(op, keys.service, {}, '?erase=true');
    expect(check(op, answer, 403, 'service with erase=true')).toBeNull();
    expect(check(op, await call(op, keys.sync, {}, '?erase=true'), 403, 'sync with erase=true')).toBeNull();
  });

  it('authenticates the Opigno webhook by signature only: 401 without one, whatever the key', async () => {
    const op = operations.find((o) => o.path === WEBHOOK);
    expect(op).toBeDefined();
    const defects: string[] = [];
    for (const [who, key] of [['nobody', null], ...ROLES.map((r) => [r, keys[r]]), ['revoked admin', revokedKeys.admin]] as Array<
      [string, string | null]
    >) {
      const answer = await env.t.request('POST', WEBHOOK, {
        key,
        body: { id: 'd-1', event: 'USER_COMPLETED_TRAINING', data: { uuid: 'u-1' } },
      });
      figures.request(answer.status);
      const defect = check(op!, answer, 401, who);
      if (defect) defects.push(defect);
      const forged = await env.t.request('POST', WEBHOOK, {
        key,
        headers: { 'x-opigno-lip-signature': 'a'.repeat(64) },
        body: { id: 'd-2', event: 'USER_COMPLETED_TRAINING', data: { uuid: 'u-1' } },
      });
      figures.request(forged.status);
      const forgedDefect = check(op!, forged, 401, `${who} with a forged signature`);
      if (forgedDefect) defects.push(forgedDefect);
    }
    expect(defects).toEqual([]);
  });

  it('answers unknown /v1 paths with 401 without a key and 404 with one', async () => {
    const anonymous = await env.t.request('GET', '/v1/no-such-thing', { key: null });
    const known = await env.t.request('GET', '/v1/no-such-thing');
    figures.request(anonymous.status);
    figures.request(known.status);
    expect([anonymous.status, problemDefect(anonymous)]).toEqual([401, null]);
    expect([known.status, problemDefect(known)]).toEqual([404, null]);
  });
});
