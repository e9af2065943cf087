import { startTestApp, TestApp } from './support/test-app';

const FIELDS = '/v1/admin/fields/profile';

function ndjson(lines: unknown[]): string {
  return lines.map((line) => JSON.stringify(line)).join('\n') + '\n';
}

describe('custom field definitions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  const define = async (body: Record<string, unknown>, kind = 'profile'): Promise<void> => {
    const answer = await t.request('POST', `/v1/admin/fields/${kind}`, { body: { label: String(body.key), ...body } });
    if (answer.status !== 201) throw new Error(`define ${String(body.key)}: ${answer.status} ${answer.text}`);
  };
  const importProfiles = async (lines: unknown[]): Promise<void> => {
    const answer = await t.request('POST', '/v1/profiles:import', { raw: ndjson(lines), contentType: 'application/x-ndjson' });
    expect(answer.status).toBe(200);
    expect(answer.body.totals.invalid).toBe(0);
  };

  it('creates a definition of every type with its constraints and lists them in group/order', async () => {
    const created = await t.request('POST', FIELDS, {
      body: {
        key: 'nickname',
        label: 'Nickname',
        description: 'What friends say',
        group: 'Identity',
        order: 2,
        type: 'string',
        minLength: 1,
        maxLength: 40,
        pattern: '^[^<>]*$',
        default: 'anon',
      },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      kind: 'profile',
      key: 'nickname',
      type: 'string',
      minLength: 1,
      maxLength: 40,
      default: 'anon',
      version: 1,
      status: 'active',
      pii: false,
      searchable: false,
    });
    expect(created.body.readRoles).toEqual(['admin', 'service']);

    await define({ key: 'bio', type: 'text', group: 'Identity', order: 1 });
    await define({ key: 'age_years', type: 'integer', min: 0, max: 150 });
    await define({ key: 'score', type: 'number', min: -1.5 });
    await define({ key: 'subscribed', type: 'boolean', default: false });
    await define({ key: 'born_on', type: 'date', pii: true });
    await define({ key: 'last_seen', type: 'datetime' });
    await define({ key: 'work_email', type: 'email', unique: true });
    await define({ key: 'homepage', type: 'url' });
    await define({ key: 'level', type: 'enum', options: ['junior', 'senior'] });
    await define({ key: 'skills', type: 'multi_enum', options: ['sql', 'ts', 'go'] });
    await define({ key: 'settings', type: 'json' });

    const list = await t.request('GET', FIELDS);
    expect(list.status).toBe(200);
    const keys: string[] = list.body.map((d: { key: string }) => d.key);
    expect(keys).toHaveLength(12);
    expect(keys.slice(-2)).toEqual(['bio', 'nickname']);
    expect((await t.request('GET', `${FIELDS}/work_email`)).body.unique).toBe(true);
  });

  it('accepts the training and enrolment kinds and answers 404 problem+json for an unknown kind', async () => {
    await define({ key: 'cost_center', type: 'string' }, 'training');
    await define({ key: 'grade', type: 'integer' }, 'enrolment');
    expect((await t.request('GET', '/v1/admin/fields/training')).body).toHaveLength(1);
    const unknown = await t.request('GET', '/v1/admin/fields/course');
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('content-type')).toContain('application/problem+json');
    expect(unknown.body.code).toBe('unknown_field_kind');
  });

  it.each([
    [{ key: 'lvl', type: 'enum' }, 'options', 'options_required'],
    [{ key: 'rng', type: 'integer', min: 5, max: 1 }, 'min', 'invalid_range'],
    [{ key: 'pat', type: 'string', pattern: '([a-z' }, 'pattern', 'invalid_pattern'],
    [{ key: 'redos', type: 'string', pattern: '^(a+)+$' }, 'pattern', 'invalid_pattern'],
    [{ key: 'dflt', type: 'integer', default: 'seven' }, 'default', 'invalid_default'],
    [{ key: 'flag', type: 'boolean', minLength: 3 }, 'minLength', 'constraint_not_applicable'],
    [{ key: 'blob', type: 'json', searchable: true }, 'searchable', 'constraint_not_applicable'],
    [{ key: 'Bad-Key', type: 'string' }, 'key', 'matches'],
    [{ key: 'x', type: 'colour' }, 'type', 'isIn'],
    [{ key: 'roles', type: 'string', readRoles: ['sync'] }, 'readRoles', 'isIn'],
  ])('refuses the incoherent definition %j with 422', async (body, field, code) => {
    const answer = await t.request('POST', FIELDS, { body: { label: 'x', ...body } });
    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, code })]));
  });

  it('answers 409 for a duplicate key, 404 for an unknown one, 403 for a service key', async () => {
    expect((await t.request('POST', FIELDS, { body: { key: 'nickname', label: 'again', type: 'string' } })).body.code).toBe('field_exists');
    const missing = await t.request('GET', `${FIELDS}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('field_not_found');
    const serviceKey = await t.createKey('service');
    expect((await t.request('GET', FIELDS, { key: serviceKey })).status).toBe(403);
  });

  it('bumps the version on every change, keeps the history and honours If-Match', async () => {
    const patched = await t.request('PATCH', `${FIELDS}/homepage`, { body: { label: 'Home page', description: 'Personal site' } });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ label: 'Home page', version: 2 });
    const cleared = await t.request('PATCH', `${FIELDS}/homepage`, { body: { description: null }, headers: { 'if-match': '"2"' } });
    expect(cleared.body).toMatchObject({ description: null, version: 3 });
    const stale = await t.request('PATCH', `${FIELDS}/homepage`, { body: { label: 'x' }, headers: { 'if-match': '"2"' } });
    expect(stale.status).toBe(412);
    expect(stale.body.code).toBe('version_mismatch');
    const notNullable = await t.request('PATCH', `${FIELDS}/homepage`, { body: { label: null } });
    expect(notNullable.status).toBe(422);

    const history = await t.request('GET', `${FIELDS}/homepage/history`);
    expect(history.body.map((h: { version: number; change: string }) => [h.version, h.change])).toEqual([
      [3, 'updated'],
      [2, 'updated'],
      [1, 'created'],
    ]);
    expect(history.body[1].definition.label).toBe('Home page');
  });

  it('hides an archived field from reads and writes and keeps its values', async () => {
    await define({ key: 'shoe_size', type: 'integer' });
    expect((await t.request('PUT', '/v1/profiles/arch-1', { body: { fields: { shoe_size: 42, nickname: 'Al' } } })).status).toBe(201);
    expect((await t.request('PATCH', `${FIELDS}/shoe_size`, { body: { status: 'archived' } })).body.status).toBe('archived');

    expect((await t.request('GET', '/v1/profiles/arch-1')).body.fields).toEqual({ nickname: 'Al', subscribed: false });
    const write = await t.request('PATCH', '/v1/profiles/arch-1', { body: { fields: { shoe_size: 43 } } });
    expect(write.status).toBe(422);
    expect(write.body.errors).toEqual([expect.objectContaining({ field: 'fields.shoe_size', code: 'field_archived' })]);
    // A full replace by the caller does not wipe what the caller cannot see.
    expect((await t.request('PUT', '/v1/profiles/arch-1', { body: { fields: { nickname: 'Alo' } } })).status).toBe(200);

    await t.request('PATCH', `${FIELDS}/shoe_size`, { body: { status: 'active' } });
    expect((await t.request('GET', '/v1/profiles/arch-1')).body.fields).toEqual({ nickname: 'Alo', shoe_size: 42 });
  });

  it('refuses to delete a field holding values without purge (409 with the count), then purges them', async () => {
    await define({ key: 'locker', type: 'string', searchable: true });
    await importProfiles([1, 2, 3].map((n) => ({ uuid: `del-${n}`, fields: { locker: `L${n}` } })));
    const refused = await t.request('DELETE', `${FIELDS}/locker`);
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'field_has_values', values: 3 });
    expect((await t.request('GET', '/v1/profiles/del-1')).body.fields.locker).toBe('L1');

    const purged = await t.request('DELETE', `${FIELDS}/locker?purge=true`);
    expect(purged.status).toBe(200);
    expect(purged.body).toEqual({ key: 'locker', removedValues: 3 });
    expect((await t.request('GET', `${FIELDS}/locker`)).status).toBe(404);
    const profile = await t.request('GET', '/v1/profiles/del-1');
    expect(profile.body.fields.locker).toBeUndefined();
    expect(profile.body.version).toBe(2);

    await define({ key: 'empty_one', type: 'string' });
    expect((await t.request('DELETE', `${FIELDS}/empty_one`)).body).toEqual({ key: 'empty_one', removedValues: 0 });
  });

  it('renames a field holding 1,000 values: every value and index entry moves', async () => {
    await define({ key: 'dept', type: 'string', searchable: true });
    await importProfiles(
      Array.from({ length: 1000 }, (_, i) => ({
        uuid: `ren-${String(i).padStart(4, '0')}`,
        fields: { dept: i % 2 === 0 ? 'even' : 'odd' },
      })),
    );

    const renamed = await t.request('POST', `${FIELDS}/dept/rename`, { body: { newKey: 'department' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ key: 'department', version: 2 });
    expect((await t.request('GET', `${FIELDS}/dept`)).status).toBe(404);

    let count = 0;
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ fields: Record<string, unknown> }>; nextCursor: string | null } } = await t.request(
        'GET',
        `/v1/profiles?filter[department][prefix]=&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
      );
      for (const item of page.body.items) {
        expect(item.fields.dept).toBeUndefined();
        expect(['even', 'odd']).toContain(item.fields.department);
      }
      count += page.body.items.length;
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(count).toBe(1000);
    const evens = await t.request('GET', '/v1/profiles?filter[department]=even&limit=200');
    expect(evens.body.items).toHaveLength(200);
    expect((await t.request('GET', '/v1/profiles?filter[dept]=even')).body.code).toBe('field_not_searchable');
    expect((await t.request('POST', `${FIELDS}/department/rename`, { body: { newKey: 'nickname' } })).body.code).toBe('field_exists');
  });

  it('previews, refuses and then applies a type change from string to integer', async () => {
    await define({ key: 'floor', type: 'string' });
    await importProfiles([
      { uuid: 'conv-1', fields: { floor: '42' } },
      { uuid: 'conv-2', fields: { floor: ' 7 ' } },
      { uuid: 'conv-3', fields: { floor: 'ground' } },
      { uuid: 'conv-4', fields: { floor: '3.5' } },
    ]);
    const change = { type: 'integer', min: 0, searchable: true };

    const preview = await t.request('PATCH', `${FIELDS}/floor?dryRun=true`, { body: change });
    expect(preview.status).toBe(200);
    expect(preview.body.wouldFail).toBe(2);
    expect(preview.body.wouldConvert).toBe(2);
    expect(preview.body.sample).toEqual([
      { id: 'conv-3', value: 'ground', reason: expect.stringContaining('integer') },
      { id: 'conv-4', value: '3.5', reason: expect.any(String) },
    ]);
    expect((await t.request('GET', `${FIELDS}/floor`)).body).toMatchObject({ type: 'string', version: 1 });

    const conflict = await t.request('PATCH', `${FIELDS}/floor`, { body: change });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get('content-type')).toContain('application/problem+json');
    expect(conflict.body).toMatchObject({ code: 'field_change_conflict', wouldFail: 2 });
    expect(conflict.body.sample.map((s: { id: string }) => s.id)).toEqual(['conv-3', 'conv-4']);
    expect((await t.request('GET', '/v1/profiles/conv-1')).body.fields.floor).toBe('42');

    await t.request('PATCH', '/v1/profiles/conv-3', { body: { fields: { floor: '0' } } });
    await t.request('PATCH', '/v1/profiles/conv-4', { body: { fields: { floor: null } } });
    const applied = await t.request('PATCH', `${FIELDS}/floor`, { body: change });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ type: 'integer', version: 2, searchable: true });

    const converted = await t.request('GET', '/v1/profiles/conv-1');
    expect(converted.body.fields.floor).toBe(42);
    expect(converted.body.version).toBe(2);
    expect((await t.request('GET', '/v1/profiles/conv-2')).body.fields.floor).toBe(7);
    const high = await t.request('GET', '/v1/profiles?filter[floor][gt]=5&sort=floor');
    expect(high.body.items.map((p: { uuid: string }) => p.uuid)).toEqual(['conv-2', 'conv-1']);
  });

  it('counts values a tightened constraint would reject (maxLength, required, unique)', async () => {
    await define({ key: 'motto', type: 'string' });
    await importProfiles([
      { uuid: 'tight-1', fields: { motto: 'short' } },
      { uuid: 'tight-2', fields: { motto: 'a rather long motto' } },
      { uuid: 'tight-3', fields: { motto: 'short' } },
    ]);
    const shorter = await t.request('PATCH', `${FIELDS}/motto?dryRun=true`, { body: { maxLength: 10 } });
    expect(shorter.body).toMatchObject({
      wouldFail: 1,
      wouldConvert: 0,
      sample: [{ id: 'tight-2', reason: expect.stringContaining('too_long') }],
    });
    const unique = await t.request('PATCH', `${FIELDS}/motto?dryRun=true`, { body: { unique: true } });
    expect(unique.body).toMatchObject({ wouldFail: 1, sample: [{ id: 'tight-3' }] });
    const required = await t.request('PATCH', `${FIELDS}/motto?dryRun=true`, { body: { required: true } });
    expect(required.body.wouldFail).toBeGreaterThan(3);
    expect((await t.request('PATCH', `${FIELDS}/motto`, { body: { maxLength: 10 } })).status).toBe(409);
  });

  it('records definition changes in the audit trail', async () => {
    const history = await t.request('GET', `${FIELDS}/floor/history`);
    expect(history.body[0]).toMatchObject({ change: 'updated', changedBy: 'bootstrap-admin', definition: { type: 'integer' } });
  });
});
