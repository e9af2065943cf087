import { startTestApp, TestApp } from './support/test-app';

describe('extended profiles', () => {
  let t: TestApp;
  let serviceKey: string;

  const define = async (body: Record<string, unknown>): Promise<void> => {
    const answer = await t.request('POST', '/v1/admin/fields/profile', { body: { label: String(body.key), ...body } });
    if (answer.status !== 201) throw new Error(`define ${String(body.key)}: ${answer.status} ${answer.text}`);
  };

  beforeAll(async () => {
    t = await startTestApp();
    serviceKey = await t.createKey('service');
    await define({ key: 'display_name', type: 'string', required: true, maxLength: 80 });
    await define({ key: 'bio', type: 'text' });
    await define({ key: 'age', type: 'integer', min: 0, max: 150 });
    await define({ key: 'rating', type: 'number' });
    await define({ key: 'newsletter', type: 'boolean' });
    await define({ key: 'birth_date', type: 'date', pii: true });
    await define({ key: 'last_login', type: 'datetime' });
    await define({ key: 'email', type: 'email', unique: true, pii: true });
    await define({ key: 'website', type: 'url' });
    await define({ key: 'level', type: 'enum', options: ['beginner', 'expert'] });
    await define({ key: 'topics', type: 'multi_enum', options: ['math', 'art', 'code'] });
    await define({ key: 'prefs', type: 'json' });
    await define({ key: 'salary_band', type: 'string', readRoles: ['admin'], writeRoles: ['admin'] });
    await define({ key: 'mentor_note', type: 'string', writeRoles: ['admin'] });
  });
  afterAll(async () => {
    await t.close();
  });

  const exact = {
    display_name: 'Zoë Ångström 🚀 中文',
    bio: '',
    age: 0,
    rating: -12.125,
    newsletter: false,
    birth_date: '1990-02-28',
    last_login: '2024-05-01T10:00:00.123+02:00',
    email: 'zoe@example.org',
    website: 'https://example.org/~zoë?q=1#x',
    level: 'expert',
    topics: ['code', 'math'],
    prefs: { theme: 'dark', nested: [1, 'two', { three: null }], empty: '' },
  };

  it('creates with PUT (201 + ETag) and reads back every value exactly', async () => {
    const created = await t.request('PUT', '/v1/profiles/anon-42:x@y.z', { body: { fields: exact } });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({ uuid: 'anon-42:x@y.z', version: 1, fields: exact });

    const read = await t.request('GET', '/v1/profiles/anon-42:x@y.z');
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toBe('"1"');
    expect(read.body.fields).toStrictEqual(exact);
    expect(read.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it('replaces with PUT (200) and merges with PATCH, null removing a value (RFC 7396)', async () => {
    const replaced = await t.request('PUT', '/v1/profiles/merge-1', {
      body: { fields: { display_name: 'A', age: 30, prefs: { a: 1, b: { c: 2 } } } },
    });
    expect(replaced.status).toBe(201);
    expect(
      (await t.request('PUT', '/v1/profiles/merge-1', { body: { fields: { display_name: 'A', age: 31, prefs: { a: 1, b: { c: 2 } } } } }))
        .status,
    ).toBe(200);

    const patched = await t.request('PATCH', '/v1/profiles/merge-1', {
      body: { fields: { age: null, level: 'beginner', prefs: { b: { c: null, d: 3 } } } },
    });
    expect(patched.status).toBe(200);
    expect(patched.headers.get('etag')).toBe('"3"');
    expect(patched.body.fields).toEqual({ display_name: 'A', level: 'beginner', prefs: { a: 1, b: { d: 3 } } });
  });

  it('answers 422 listing every offending field and writes nothing', async () => {
    const answer = await t.request('PUT', '/v1/profiles/bad-1', {
      body: {
        fields: {
          age: 151,
          rating: '1',
          newsletter: 'yes',
          birth_date: '2023-02-29',
          last_login: '2024-05-01T10:00:00',
          email: 'nope',
          website: 'ftp://x',
          level: 'guru',
          topics: ['art', 'dance'],
          unknown_key: 1,
        },
      },
    });
    expect(answer.status).toBe(422);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.code).toBe('validation_failed');
    expect(answer.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'fields.age:above_max',
      'fields.birth_date:invalid_date',
      'fields.display_name:required',
      'fields.email:invalid_email',
      'fields.last_login:invalid_datetime',
      'fields.level:not_an_option',
      'fields.newsletter:invalid_type',
      'fields.rating:invalid_type',
      'fields.topics:not_an_option',
      'fields.unknown_key:unknown_field',
      'fields.website:invalid_url',
    ]);
    expect((await t.request('GET', '/v1/profiles/bad-1')).status).toBe(404);
  });

  it('checks required on the merged result', async () => {
    const answer = await t.request('PATCH', '/v1/profiles/merge-1', { body: { fields: { display_name: null } } });
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([expect.objectContaining({ field: 'fields.display_name', code: 'required' })]);
  });

  it('refuses a body without a fields object (422) and a missing profile on PATCH (404 profile_not_found)', async () => {
    expect((await t.request('PUT', '/v1/profiles/x1', { body: { display_name: 'A' } })).status).toBe(422);
    const missing = await t.request('PATCH', '/v1/profiles/never-there', { body: { fields: { age: 1 } } });
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('profile_not_found');
    const read = await t.request('GET', '/v1/profiles/never-there');
    expect(read.status).toBe(404);
    expect(read.headers.get('content-type')).toContain('application/problem+json');
    expect(read.body.code).toBe('profile_not_found');
  });

  it('answers 400 invalid_uuid for a malformed uuid', async () => {
    for (const uuid of ['-leading-dash', 'has%20space', 'semi;colon', '%C3%A9t%C3%A9']) {
      const answer = await t.request('GET', `/v1/profiles/${uuid}`);
      expect(answer.status).toBe(400);
      expect(answer.body.code).toBe('invalid_uuid');
    }
    // Fastify's default maxParamLength (100) answers longer path parameters with 414 before routing.
    const longest = 'a'.repeat(100);
    expect((await t.request('PUT', `/v1/profiles/${longest}`, { body: { fields: { display_name: 'long' } } })).status).toBe(201);
  });

  it('enforces unique fields', async () => {
    await t.request('PUT', '/v1/profiles/uniq-1', { body: { fields: { display_name: 'U1', email: 'same@example.org' } } });
    const clash = await t.request('PUT', '/v1/profiles/uniq-2', { body: { fields: { display_name: 'U2', email: 'same@example.org' } } });
    expect(clash.status).toBe(422);
    expect(clash.body.errors).toEqual([expect.objectContaining({ field: 'fields.email', code: 'not_unique' })]);
    // Writing a record's own value again is not a clash.
    expect((await t.request('PATCH', '/v1/profiles/uniq-1', { body: { fields: { email: 'same@example.org', age: 5 } } })).status).toBe(200);
  });

  it('shows and accepts only the fields a role may read and write', async () => {
    await t.request('PUT', '/v1/profiles/roles-1', { body: { fields: { display_name: 'R', salary_band: 'B2', mentor_note: 'good' } } });
    const asService = await t.request('GET', '/v1/profiles/roles-1', { key: serviceKey });
    expect(asService.body.fields).toEqual({ display_name: 'R', mentor_note: 'good' });

    const forbidden = await t.request('PATCH', '/v1/profiles/roles-1', {
      key: serviceKey,
      body: { fields: { salary_band: 'C', mentor_note: 'bad' } },
    });
    expect(forbidden.status).toBe(422);
    expect(forbidden.body.errors.map((e: { field: string; code: string }) => `${e.field}:${e.code}`)).toEqual([
      'fields.mentor_note:not_writable',
      'fields.salary_band:not_writable',
    ]);

    // A service GET-modify-PUT keeps what it cannot write and may send read-only values back unchanged.
    const replaced = await t.request('PUT', '/v1/profiles/roles-1', {
      key: serviceKey,
      body: { fields: { ...asService.body.fields, display_name: 'R2' } },
    });
    expect(replaced.status).toBe(200);
    expect((await t.request('GET', '/v1/profiles/roles-1')).body.fields).toEqual({
      display_name: 'R2',
      salary_band: 'B2',
      mentor_note: 'good',
    });
    const sync = await t.createKey('sync');
    expect((await t.request('GET', '/v1/profiles/roles-1', { key: sync })).status).toBe(403);
  });

  it('answers 412 version_mismatch for a stale If-Match and writes nothing', async () => {
    const current = await t.request('GET', '/v1/profiles/merge-1');
    const stale = await t.request('PATCH', '/v1/profiles/merge-1', { body: { fields: { age: 1 } }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(412);
    expect(stale.headers.get('content-type')).toContain('application/problem+json');
    expect(stale.body.code).toBe('version_mismatch');
    expect((await t.request('GET', '/v1/profiles/merge-1')).body).toEqual(current.body);

    const fresh = await t.request('PATCH', '/v1/profiles/merge-1', {
      body: { fields: { age: 1 } },
      headers: { 'if-match': current.headers.get('etag')! },
    });
    expect(fresh.status).toBe(200);
    expect(
      (await t.request('PUT', '/v1/profiles/no-such', { body: { fields: { display_name: 'x' } }, headers: { 'if-match': '"1"' } })).status,
    ).toBe(412);
    expect((await t.request('GET', '/v1/profiles/merge-1', {})).status).toBe(200);
  });

  it('creates only with If-None-Match: * (412 already_exists when present)', async () => {
    const first = await t.request('PUT', '/v1/profiles/once-1', {
      body: { fields: { display_name: 'O' } },
      headers: { 'if-none-match': '*' },
    });
    expect(first.status).toBe(201);
    const second = await t.request('PUT', '/v1/profiles/once-1', {
      body: { fields: { display_name: 'P' } },
      headers: { 'if-none-match': '*' },
    });
    expect(second.status).toBe(412);
    expect(second.body.code).toBe('already_exists');
    expect((await t.request('GET', '/v1/profiles/once-1')).body.fields.display_name).toBe('O');
  });

  it('lets exactly one of 50 concurrent PATCHes with the same If-Match win', async () => {
    const created = await t.request('PUT', '/v1/profiles/race-1', { body: { fields: { display_name: 'start' } } });
    const etag = created.headers.get('etag')!;
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        t.request('PATCH', '/v1/profiles/race-1', { body: { fields: { display_name: `writer-${i}` } }, headers: { 'if-match': etag } }),
      ),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(49);
    const winner = answers.find((a) => a.status === 200)!.body.fields.display_name;
    const final = await t.request('GET', '/v1/profiles/race-1');
    expect(final.body.fields.display_name).toBe(winner);
    expect(final.body.version).toBe(2);
  });

  it('keeps every value of 50 concurrent PATCHes without If-Match that touch different fields', async () => {
    for (let i = 0; i < 50; i++) await define({ key: `slot_${i}`, type: 'integer' });
    await t.request('PUT', '/v1/profiles/race-2', { body: { fields: { display_name: 'many' } } });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.request('PATCH', '/v1/profiles/race-2', { body: { fields: { [`slot_${i}`]: i } } })),
    );
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const final = await t.request('GET', '/v1/profiles/race-2');
    for (let i = 0; i < 50; i++) expect(final.body.fields[`slot_${i}`]).toBe(i);
    expect(final.body.version).toBe(51);
  });

  it('deletes with 204, then answers 404', async () => {
    await t.request('PUT', '/v1/profiles/gone-1', { body: { fields: { display_name: 'G' } } });
    const deleted = await t.request('DELETE', '/v1/profiles/gone-1');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await t.request('GET', '/v1/profiles/gone-1')).status).toBe(404);
    expect((await t.request('DELETE', '/v1/profiles/gone-1')).body.code).toBe('profile_not_found');
  });

  it('keeps a history of changes, newest first, paginated, without pii values', async () => {
    await t.request('PUT', '/v1/profiles/hist-1', {
      body: { fields: { display_name: 'H', email: 'h@example.org', birth_date: '2000-01-01' } },
    });
    await t.request('PATCH', '/v1/profiles/hist-1', { body: { fields: { email: 'h2@example.org', age: 20 } } });
    await t.request('PATCH', '/v1/profiles/hist-1', { body: { fields: { display_name: 'H2' } }, key: serviceKey });

    const first = await t.request('GET', '/v1/profiles/hist-1/history?limit=2');
    expect(first.status).toBe(200);
    expect(first.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'update']);
    expect(first.body.items[0]).toMatchObject({ changedFields: ['display_name'], changes: { display_name: { old: 'H', new: 'H2' } } });
    expect(first.body.items[0].actorKeyId).not.toBe(first.body.items[1].actorKeyId);
    expect(first.body.items[1].changedFields).toEqual(['age', 'email']);
    expect(first.body.items[1].changes).toEqual({ age: { new: 20 } });

    const second = await t.request('GET', `/v1/profiles/hist-1/history?limit=2&cursor=${first.body.nextCursor}`);
    expect(second.body.items).toHaveLength(1);
    expect(second.body.items[0]).toMatchObject({
      action: 'create',
      changedFields: ['birth_date', 'display_name', 'email'],
      changes: { display_name: { new: 'H' } },
    });
    expect(second.body.nextCursor).toBeNull();

    const everything = JSON.stringify([first.body, second.body]);
    for (const secret of ['h@example.org', 'h2@example.org', '2000-01-01']) expect(everything).not.toContain(secret);
    expect(t.logs.join('')).not.toContain('h2@example.org');

    await t.request('DELETE', '/v1/profiles/hist-1');
    const afterDelete = await t.request('GET', '/v1/profiles/hist-1/history');
    expect(afterDelete.body.items[0]).toMatchObject({ action: 'delete', changes: { display_name: { old: 'H2' }, age: { old: 20 } } });
  });
});
