import { startTestApp, TestApp } from './support/test-app';

interface Seed {
  uuid: string;
  fields: Record<string, unknown>;
}

const CITIES = ['Zürich', 'amsterdam', 'Berlin', 'Århus', 'berlin', 'Zug', 'Bern'];
const TIERS = ['gold', 'silver', 'bronze'];
const TAGS = ['a', 'b', 'c'];

/** 40 profiles with every searchable type; some leave fields out so missing values are covered. */
const seeds: Seed[] = Array.from({ length: 40 }, (_, i) => {
  const fields: Record<string, unknown> = { notes: `note ${i}` };
  if (i % 9 !== 0) fields.city = CITIES[i % CITIES.length];
  if (i % 7 !== 3) fields.age = (i * 37) % 50;
  fields.score = Math.round(((i * 13) % 17) * 10 - 55) / 10;
  fields.born = `19${String(50 + (i % 40)).padStart(2, '0')}-0${1 + (i % 9)}-1${i % 10}`;
  fields.seen = `2024-03-0${1 + (i % 5)}T${String(10 + (i % 12)).padStart(2, '0')}:00:00${i % 2 === 0 ? 'Z' : '+02:00'}`;
  fields.active = i % 3 === 0;
  fields.tier = TIERS[i % 3];
  fields.tags = TAGS.filter((_, t) => (i >> t) & 1);
  return { uuid: `p-${String(i).padStart(2, '0')}`, fields };
});

const utc = (value: unknown): string => new Date(value as string).toISOString();

describe('listing profiles with filters, sorting and cursor pagination', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    const definitions = [
      { key: 'city', type: 'string', searchable: true },
      { key: 'age', type: 'integer', searchable: true },
      { key: 'score', type: 'number', searchable: true },
      { key: 'born', type: 'date', searchable: true },
      { key: 'seen', type: 'datetime', searchable: true },
      { key: 'active', type: 'boolean', searchable: true },
      { key: 'tier', type: 'enum', options: TIERS, searchable: true },
      { key: 'tags', type: 'multi_enum', options: TAGS, searchable: true },
      { key: 'notes', type: 'string' },
      { key: 'hidden', type: 'string', searchable: true, readRoles: ['admin'] },
    ];
    for (const body of definitions) {
      const answer = await t.request('POST', '/v1/admin/fields/profile', { body: { label: body.key, ...body } });
      if (answer.status !== 201) throw new Error(answer.text);
    }
    const imported = await t.request('POST', '/v1/profiles:import', {
      raw: seeds.map((s) => JSON.stringify(s)).join('\n'),
      contentType: 'application/x-ndjson',
    });
    expect(imported.body.totals).toMatchObject({ created: 40, invalid: 0 });
  });
  afterAll(async () => {
    await t.close();
  });

  async function listAll(query: string, limit = 7): Promise<string[]> {
    const uuids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const answer: { status: number; body: { items: Array<{ uuid: string }>; nextCursor: string | null } } = await t.request(
        'GET',
        `/v1/profiles?${query}${query ? '&' : ''}limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.body.items.length).toBeLessThanOrEqual(limit);
      uuids.push(...answer.body.items.map((item) => item.uuid));
      cursor = answer.body.nextCursor;
      if (!cursor) return uuids;
    }
    throw new Error('too many pages');
  }

  const matching = (predicate: (fields: Record<string, any>) => boolean): string[] =>
    seeds.filter((s) => predicate(s.fields)).map((s) => s.uuid);

  it.each<[string, (f: Record<string, any>) => boolean]>([
    ['filter[city]=Berlin', (f) => f.city === 'Berlin'],
    ['filter[city][eq]=berlin', (f) => f.city === 'berlin'],
    ['filter[city][ne]=Berlin', (f) => f.city !== 'Berlin'],
    ['filter[city][gt]=Zug', (f) => f.city !== undefined && f.city > 'Zug'],
    ['filter[city][lt]=Zug', (f) => f.city !== undefined && f.city < 'Zug'],
    ['filter[city][prefix]=Zü', (f) => typeof f.city === 'string' && f.city.startsWith('Zü')],
    ['filter[city][prefix]=Be', (f) => typeof f.city === 'string' && f.city.startsWith('Be')],
    ['filter[city][in]=Bern,Zug,amsterdam', (f) => ['Bern', 'Zug', 'amsterdam'].includes(f.city)],
    ['filter[age]=12', (f) => f.age === 12],
    ['filter[age][gte]=20&filter[age][lt]=40', (f) => f.age >= 20 && f.age < 40],
    ['filter[age][lte]=5', (f) => f.age !== undefined && f.age <= 5],
    ['filter[age][ne]=0', (f) => f.age !== 0],
    ['filter[age][in]=0,1,2,3,4,5,6,7', (f) => [0, 1, 2, 3, 4, 5, 6, 7].includes(f.age)],
    ['filter[score][gt]=-0.5', (f) => f.score > -0.5],
    ['filter[score][lte]=-2.5', (f) => f.score <= -2.5],
    ['filter[born][gte]=1970-01-01&filter[born][lt]=1980-01-01', (f) => f.born >= '1970-01-01' && f.born < '1980-01-01'],
    ['filter[seen][gte]=2024-03-03T12:00:00%2B02:00', (f) => utc(f.seen) >= utc('2024-03-03T10:00:00Z')],
    ['filter[active]=true', (f) => f.active === true],
    ['filter[active][ne]=true', (f) => f.active !== true],
    ['filter[tier][in]=gold,bronze&filter[active]=false', (f) => ['gold', 'bronze'].includes(f.tier) && f.active === false],
    ['filter[tags]=b', (f) => f.tags.includes('b')],
    ['filter[tags][ne]=a', (f) => !f.tags.includes('a')],
    ['filter[tags][in]=a,c', (f) => f.tags.includes('a') || f.tags.includes('c')],
  ])('answers %s from the index, page by page', async (query, predicate) => {
    const expected = matching(predicate);
    expect(expected.length).toBeGreaterThan(0);
    expect(await listAll(query)).toEqual(expected);
  });

  it.each<[string, string, 1 | -1]>([
    ['age', 'age', 1],
    ['-age', 'age', -1],
    ['city', 'city', 1],
    ['-city', 'city', -1],
    ['score', 'score', 1],
    ['-seen', 'seen', -1],
    ['born', 'born', 1],
  ])('sorts by %s with missing values last and a stable cursor', async (sort, key, direction) => {
    const value = (s: Seed): string | number | undefined =>
      key === 'seen' ? utc(s.fields.seen) : (s.fields[key] as string | number | undefined);
    const expected = [...seeds]
      .sort((a, b) => {
        const [va, vb] = [value(a), value(b)];
        if (va === undefined || vb === undefined) return va === vb ? direction * (a.uuid < b.uuid ? -1 : 1) : va === undefined ? 1 : -1;
        if (va !== vb) return direction * (va < vb ? -1 : 1);
        return direction * (a.uuid < b.uuid ? -1 : 1);
      })
      .map((s) => s.uuid);
    expect(await listAll(`sort=${sort}`, 6)).toEqual(expected);
  });

  it('sorts by createdAt and updatedAt, ties broken by uuid', async () => {
    await t.request('PATCH', '/v1/profiles/p-05', { body: { fields: { notes: 'touched' } } });
    const byUpdate = await listAll('sort=-updatedAt', 9);
    expect(byUpdate[0]).toBe('p-05');
    expect(await listAll('', 9)).toEqual(seeds.map((s) => s.uuid));
  });

  it('combines filters with sorting and pagination', async () => {
    const expected = seeds
      .filter((s) => s.fields.tier === 'gold' && s.fields.age !== undefined)
      .sort((a, b) => (b.fields.age as number) - (a.fields.age as number) || (a.uuid < b.uuid ? 1 : -1))
      .map((s) => s.uuid);
    expect(await listAll('filter[tier]=gold&filter[age][gte]=0&sort=-age', 2)).toEqual(expected);
  });

  it.each([
    ['filter[notes]=x', 'field_not_searchable'],
    ['filter[nope]=x', 'field_not_searchable'],
    ['sort=notes', 'field_not_searchable'],
    ['sort=tags', 'invalid_sort'],
    ['filter[age][prefix]=1', 'invalid_filter_operator'],
    ['filter[age]=old', 'invalid_filter_value'],
    ['filter[born]=1970-02-30', 'invalid_filter_value'],
    ['filter[age][between]=1', 'invalid_filter_operator'],
    ['page=2', 'unknown_parameter'],
    ['limit=201', 'invalid_limit'],
    ['cursor=garbage!', 'invalid_cursor'],
  ])('answers 400 problem+json for %s', async (query, code) => {
    const answer = await t.request('GET', `/v1/profiles?${query}`);
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body.code).toBe(code);
  });

  it('refuses a cursor issued for another sort order', async () => {
    const first = await t.request('GET', '/v1/profiles?sort=age&limit=2');
    const reused = await t.request('GET', `/v1/profiles?sort=-age&limit=2&cursor=${first.body.nextCursor}`);
    expect(reused.status).toBe(400);
    expect(reused.body.code).toBe('invalid_cursor');
  });

  it('does not let a role filter on a field it may not read', async () => {
    const serviceKey = await t.createKey('service');
    expect((await t.request('GET', '/v1/profiles?filter[hidden]=x', { key: serviceKey })).body.code).toBe('field_not_searchable');
    expect((await t.request('GET', '/v1/profiles?filter[hidden]=x')).status).toBe(200);
  });

  it('defaults to 50 per page', async () => {
    const answer = await t.request('GET', '/v1/profiles');
    expect(answer.body.items).toHaveLength(40);
    expect(answer.body.nextCursor).toBeNull();
  });
});

describe('listing the profiles holding one value, in creation order', () => {
  let t: TestApp;
  const BY_CREATION = (a: Listed, b: Listed): number =>
    a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.uuid < b.uuid ? -1 : 1;

  interface Listed {
    uuid: string;
    createdAt: string;
    fields: Record<string, unknown>;
  }

  beforeAll(async () => {
    t = await startTestApp();
    for (const body of [
      { key: 'city', type: 'string', searchable: true },
      { key: 'floor', type: 'integer' },
      { key: 'secret', type: 'string', readRoles: ['admin'] },
    ]) {
      const answer = await t.request('POST', '/v1/admin/fields/profile', { body: { label: body.key, ...body } });
      if (answer.status !== 201) throw new Error(answer.text);
    }
    // Created one by one in reverse uuid order, so creation order is not uuid order.
    for (let i = 11; i >= 0; i--) {
      const fields = { city: i % 3 === 0 ? 'Lyon' : 'Oslo', floor: i % 4, secret: `s${i}` };
      const answer = await t.request('PUT', `/v1/profiles/c-${String(i).padStart(2, '0')}`, { body: { fields } });
      if (answer.status !== 201) throw new Error(answer.text);
    }
  });
  afterAll(async () => {
    await t.close();
  });

  async function listAll(query: string, limit: number, key?: string): Promise<Listed[]> {
    const items: Listed[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 50; pages++) {
      const answer: { status: number; body: { items: Listed[]; nextCursor: string | null } } = await t.request(
        'GET',
        `/v1/profiles?${query}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
        key ? { key } : {},
      );
      expect(answer.status).toBe(200);
      items.push(...answer.body.items);
      cursor = answer.body.nextCursor;
      if (!cursor) return items;
    }
    throw new Error('too many pages');
  }

  async function everyProfile(): Promise<Listed[]> {
    return listAll('sort=createdAt', 200);
  }

  it('pages through one value in creation order, forwards and backwards, with ties broken by uuid', async () => {
    const oslo = (await everyProfile()).filter((p) => p.fields.city === 'Oslo').sort(BY_CREATION);
    expect(oslo).toHaveLength(8);
    expect(oslo.map((p) => p.uuid)).not.toEqual(oslo.map((p) => p.uuid).sort());
    expect((await listAll('filter[city]=Oslo', 3)).map((p) => p.uuid)).toEqual(oslo.map((p) => p.uuid));
    expect((await listAll('filter[city]=Oslo&sort=-createdAt', 3)).map((p) => p.uuid)).toEqual(oslo.map((p) => p.uuid).reverse());
  });

  it('keeps a record at its creation place after it is updated, and moves it when its value changes', async () => {
    expect((await t.request('PATCH', '/v1/profiles/c-04', { body: { fields: { floor: 9 } } })).status).toBe(200);
    expect((await t.request('PATCH', '/v1/profiles/c-05', { body: { fields: { city: 'Lyon' } } })).status).toBe(200);
    const all = await everyProfile();
    for (const city of ['Oslo', 'Lyon']) {
      const expected = all
        .filter((p) => p.fields.city === city)
        .sort(BY_CREATION)
        .map((p) => p.uuid);
      expect((await listAll(`filter[city]=${city}`, 2)).map((p) => p.uuid)).toEqual(expected);
    }
    expect((await listAll('filter[city]=Lyon', 50)).map((p) => p.uuid)).toContain('c-05');
  });

  it('lists a field made searchable after its values were stored in creation order', async () => {
    expect((await t.request('PATCH', '/v1/admin/fields/profile/floor', { body: { searchable: true } })).status).toBe(200);
    const expected = (await everyProfile()).filter((p) => p.fields.floor === 1).sort(BY_CREATION);
    expect(expected.length).toBeGreaterThan(1);
    expect((await listAll('filter[floor]=1', 1)).map((p) => p.uuid)).toEqual(expected.map((p) => p.uuid));
  });

  it('shows each role only the fields it may read', async () => {
    const serviceKey = await t.createKey('service');
    const asService = await listAll('filter[city]=Oslo', 4, serviceKey);
    expect(asService.length).toBeGreaterThan(0);
    for (const item of asService) expect(Object.keys(item.fields).sort()).toEqual(['city', 'floor']);
    for (const item of await listAll('filter[city]=Oslo', 4)) expect(item.fields.secret).toMatch(/^s\d+$/);
  });
});
