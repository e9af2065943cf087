import { startTestApp, TestApp } from './support/test-app';

const LINES = 10_000;

/** Every 33rd line is bad in one of five ways (about 3%). */
function importBody(): { body: string; badLines: Map<number, string> } {
  const badLines = new Map<number, string>();
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const line = i + 1;
    const uuid = `imp-${String(i).padStart(5, '0')}`;
    const good = { uuid, fields: { name: `Name ${i} ✓`, age: i % 90, joined: '2020-01-31' } };
    if (i % 33 !== 7) {
      lines.push(JSON.stringify(good));
      continue;
    }
    const kind = badLines.size % 5;
    const bad = [
      () => ['{"uuid": "broken', 'malformed_json'],
      () => [JSON.stringify({ ...good, uuid: '-bad uuid' }), 'invalid_uuid'],
      () => [JSON.stringify({ uuid, fields: { ...good.fields, age: 'old' } }), 'invalid_type'],
      () => [JSON.stringify({ uuid, fields: { ...good.fields, colour: 'red' } }), 'unknown_field'],
      () => [JSON.stringify({ uuid, fields: { age: 3 } }), 'required'],
    ][kind]!();
    lines.push(bad[0]!);
    badLines.set(line, bad[1]!);
  }
  return { body: lines.join('\n') + '\n', badLines };
}

describe('bulk import and export of profiles (NDJSON)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const body of [
      { key: 'name', type: 'string', required: true },
      { key: 'age', type: 'integer', searchable: true },
      { key: 'joined', type: 'date' },
    ]) {
      await t.request('POST', '/v1/admin/fields/profile', { body: { label: body.key, ...body } });
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('stores exactly the good lines of a 10,000-line import and reports each bad line by number', async () => {
    const { body, badLines } = importBody();
    expect(badLines.size).toBe(303);
    const answer = await t.request('POST', '/v1/profiles:import', { raw: body, contentType: 'application/x-ndjson' });
    expect(answer.status).toBe(200);
    expect(answer.body.totals).toEqual({ lines: LINES, created: LINES - 303, updated: 0, unchanged: 0, invalid: 303 });
    expect(answer.body.results).toHaveLength(LINES);

    const invalid = answer.body.results.filter((r: { status: string }) => r.status === 'invalid');
    expect(invalid.map((r: { line: number }) => r.line)).toEqual([...badLines.keys()]);
    for (const result of invalid) {
      expect(result.errors.map((e: { code: string }) => e.code)).toContain(badLines.get(result.line));
    }
    expect(answer.body.results[0]).toEqual({ line: 1, uuid: 'imp-00000', status: 'created' });

    expect((await t.request('GET', '/v1/profiles/imp-00007')).status).toBe(404);
    const stored = await t.request('GET', '/v1/profiles/imp-09999');
    expect(stored.body.fields).toEqual({ name: 'Name 9999 ✓', age: 9999 % 90, joined: '2020-01-31' });
    const indexed = await t.request('GET', '/v1/profiles?filter[age]=0&limit=200');
    expect(indexed.body.items.length).toBe(Array.from({ length: LINES }, (_, i) => i).filter((i) => i % 90 === 0 && i % 33 !== 7).length);
  });

  it('updates on re-import, reports unchanged lines, and applies a line twice in order', async () => {
    const lines = [
      { uuid: 'imp-00000', fields: { name: 'Renamed', age: 1 } },
      { uuid: 'imp-00001', fields: { name: 'Name 1 ✓', age: 1, joined: '2020-01-31' } },
      { uuid: 'imp-new', fields: { name: 'First' } },
      { uuid: 'imp-new', fields: { name: 'Second' } },
    ];
    const answer = await t.request('POST', '/v1/profiles:import', {
      raw: lines.map((l) => JSON.stringify(l)).join('\r\n'),
      contentType: 'application/x-ndjson',
    });
    expect(answer.body.results.map((r: { status: string }) => r.status)).toEqual(['updated', 'unchanged', 'created', 'updated']);
    const twice = await t.request('GET', '/v1/profiles/imp-new');
    expect(twice.body).toMatchObject({ fields: { name: 'Second' }, version: 2 });
  });

  it('refuses a JSON body on the import route', async () => {
    const answer = await t.request('POST', '/v1/profiles:import', { body: { uuid: 'x', fields: {} } });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('ndjson_required');
  });

  it('streams every profile as NDJSON in uuid order, re-importable as is', async () => {
    const response = await fetch(`${t.url}/v1/profiles:export`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/x-ndjson');
    const text = await response.text();
    const lines = text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { uuid: string; fields: Record<string, unknown>; version: number });
    expect(lines).toHaveLength(LINES - 303 + 1);
    const uuids = lines.map((l) => l.uuid);
    expect(uuids).toEqual([...uuids].sort());
    expect(lines.find((l) => l.uuid === 'imp-00000')).toMatchObject({ fields: { name: 'Renamed', age: 1 }, version: 2 });

    const sample = lines
      .slice(0, 100)
      .map((l) => JSON.stringify(l))
      .join('\n');
    const reimported = await t.request('POST', '/v1/profiles:import', { raw: sample, contentType: 'application/x-ndjson' });
    expect(reimported.body.totals).toMatchObject({ unchanged: 100, invalid: 0 });
  });
});
