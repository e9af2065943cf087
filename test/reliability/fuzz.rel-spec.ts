import fc from 'fast-check';
import { createHmac, randomUUID } from 'node:crypto';
import { dumpAllTables } from '../support/database-dump';
import { SIM_CLIENT_KEY, SIM_CLIENT_SECRET, AppWithUpstream, startAppWithSimulator } from '../support/upstream';
import type { ApiAnswer } from '../support/test-app';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../support/built-app';
import { FigureCounter, RESULTS_DIR } from './figures';
import { fetchOpenApi, fillPath, isWrite, listOperations, OpenApiDocument, Operation, problemDefect, sleep } from './helpers';

/**
 * Bad input fuzzer: every operation of the OpenAPI document is driven with random and adversarial
 * path parameters, query strings, headers and bodies. Every answer must be < 500, every 4xx a
 * problem+json with a code, and a rejected write must leave every table as it was.
 *
 * Violations are collected (not thrown) so that one run reports every broken route at once;
 * FUZZ_SEED replays a run, FUZZ_RUNS changes the number of random runs per operation.
 */

const RUNS_PER_OPERATION = Number(process.env.FUZZ_RUNS ?? 40);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const WEBHOOK_SECRET = 'fuzz-webhook-secret-0123456789abcdef';
const DEEP = 5_000;
const HUGE = 'x'.repeat(100 * 1024);
const APP_SOURCES = join(PROJECT_ROOT, 'src') + '/';

// ---------------------------------------------------------------------------------------------
// JSON text with the things JSON.stringify cannot write: raw literals, duplicate and __proto__ keys.

class Raw {
  constructor(readonly text: string) {}
}
/** An object as an ordered list of entries (so keys may repeat and __proto__ stays an own key). */
class Entries {
  constructor(readonly entries: Array<[string, unknown]>) {}
}

function toJsonText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Entries) return '{' + value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',') + '}';
  if (Array.isArray(value)) return '[' + value.map(toJsonText).join(',') + ']';
  if (typeof value === 'object' && value !== null) return toJsonText(new Entries(Object.entries(value)));
  return JSON.stringify(value) ?? 'null';
}

const deepArray = (depth: number): Raw => new Raw('['.repeat(depth) + ']'.repeat(depth));
const deepObject = (depth: number): Raw => new Raw('{"a":'.repeat(depth) + '1' + '}'.repeat(depth));

// ---------------------------------------------------------------------------------------------
// Generated request parts, each with a label saying what kind of input it is (for the report).

interface Part<T> {
  value: T;
  label: string;
}
const part = <T>(value: T, label: string): Part<T> => ({ value, label });

interface FuzzBody {
  raw: string | Buffer;
  /** null: no content-type header at all */
  contentType: string | null;
}

interface FuzzRequest {
  role: 'admin' | 'service';
  path: Record<string, Part<string>>;
  query: Part<string>;
  headers: Part<Record<string, string>>;
  body: Part<FuzzBody> | null;
}

const WEIRD_STRINGS: Array<[string, string]> = [
  ['', 'empty'],
  [' ', 'space'],
  ['null', 'null-word'],
  ['undefined', 'undefined-word'],
  ['NaN', 'NaN-word'],
  ['-0', 'minus-zero-word'],
  ['1e309', 'overflow-word'],
  ['-1e309', 'neg-overflow-word'],
  ['Infinity', 'infinity-word'],
  ['0x1F', 'hex-word'],
  ['١٢٣', 'arabic-digits'],
  ['🚀🔥👩‍👩‍👧‍👦', 'emoji'],
  ['\u202eevil\u202c', 'rtl-override'],
  ['שלום עולם', 'rtl-hebrew'],
  ['\u0000', 'nul'],
  ['a\u0000b', 'embedded-nul'],
  ['\ud800', 'lone-high-surrogate'],
  ['x\udfffy', 'lone-low-surrogate'],
  ['__proto__', 'proto-word'],
  ['constructor', 'constructor-word'],
  ['prototype', 'prototype-word'],
  ['../../etc/passwd', 'path-traversal'],
  ["' OR '1'='1' --", 'sql-injection'],
  ['"; DROP TABLE profiles; --', 'sql-drop'],
  ['<script>alert(1)</script>', 'html'],
  ['${jndi:ldap://x}', 'template'],
  ['%s%n%x', 'format'],
  ['\r\n\t', 'control-chars'],
  ['Ω'.repeat(300), 'long-unicode'],
  ['a'.repeat(5_000), 'long-5k'],
];

const weirdString: fc.Arbitrary<Part<string>> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...WEIRD_STRINGS).map(([v, l]) => part(v, l)) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }).map((v) => part(v, 'random-unicode')) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }).map((v) => part(v, 'random-graphemes')) },
);

/** A JSON value (possibly a Raw/Entries marker) that is wrong, odd or hostile in some way. */
const weirdJson: fc.Arbitrary<Part<unknown>> = fc.oneof(
  { weight: 5, arbitrary: weirdString },
  {
    weight: 3,
    arbitrary: fc
      .constantFrom<[unknown, string]>(
        [0, 'zero'],
        [-1, 'negative'],
        [1.5, 'fraction'],
        [2 ** 53 + 2, 'beyond-safe-integer'],
        [1e308, 'max-double'],
        [Number.MIN_VALUE, 'min-double'],
        [true, 'true'],
        [false, 'false'],
        [null, 'null'],
        [[], 'empty-array'],
        [{}, 'empty-object'],
        [[null, 1, 'a'], 'mixed-array'],
        [{ '': '' }, 'empty-key'],
        [new Raw('1e309'), 'literal-1e309'],
        [new Raw('-1e309'), 'literal-minus-1e309'],
        [new Raw('-0'), 'literal-minus-zero'],
        [new Raw('123456789012345678901234567890'), 'literal-huge-int'],
        [new Raw('1E-400'), 'literal-underflow'],
        [new Entries([['__proto__', { polluted: 'yes' }]]), 'proto-object'],
        [new Entries([['constructor', { prototype: { polluted: 'yes' } }]]), 'constructor-object'],
        [
          new Entries([
            ['a', 1],
            ['a', 2],
          ]),
          'duplicate-keys',
        ],
      )
      .map(([v, l]) => part(v, l)),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      part<unknown>(HUGE, 'string-100KB'),
      part<unknown>(deepArray(DEEP), 'deep-array-5000'),
      part<unknown>(deepObject(DEEP), 'deep-object-5000'),
    ),
  },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => part<unknown>(v, 'random-json')) },
);

/** Percent-encodes a string as a path segment or query value (lone surrogates become U+FFFD). */
function encode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

const RAW_SEGMENTS: Array<[string, string]> = [
  ['%ED%A0%80', 'utf8-surrogate-bytes'],
  ['%C0%AE%C0%AE', 'overlong-utf8'],
  ['%FF%FE', 'invalid-utf8'],
  ['%', 'lone-percent'],
  ['%2', 'short-percent'],
  ['%ZZ', 'bad-percent'],
  ['%00', 'encoded-nul'],
  ['a%2Fb', 'encoded-slash'],
  ['..', 'dot-dot'],
  ['%2E%2E', 'encoded-dot-dot'],
  ['a;b=c', 'matrix'],
  ['a'.repeat(257), 'segment-257'],
  ['a'.repeat(3_000), 'segment-3000'],
  ['%F0%9F%9A%80', 'emoji-encoded'],
];

function pathSegment(pool: string[]): fc.Arbitrary<Part<string>> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constantFrom(...pool).map((v) => part(encode(v), 'known')) },
    { weight: 3, arbitrary: weirdString.map((p) => part(encode(p.value), p.label)) },
    { weight: 2, arbitrary: fc.constantFrom(...RAW_SEGMENTS).map(([v, l]) => part(v, l)) },
  );
}

const QUERY_POOLS: Record<string, string[]> = {
  include: ['context', 'trainings', 'context,trainings', 'upstream', 'context,context', ',', 'CONTEXT', 'context,salary'],
  strict: ['true', 'false', 'TRUE', '1', ''],
  limit: ['1', '200', '201', '0', '-1', '-0', '1e309', 'NaN', '1.5', '99999999999999999999999', '', '0x10'],
  cursor: [
    '',
    'garbage',
    Buffer.from('{"__proto__":{"polluted":1}}').toString('base64url'),
    Buffer.from('[[[[[[[[').toString('base64url'),
    'eyJpZCI6MX0',
  ],
  status: ['passed', 'in_progress', 'bogus', ''],
  job: ['trainings', 'progress', 'nope', ''],
  includeRemoved: ['true', 'false', 'yes'],
  dryRun: ['true', 'false', 'yes', ''],
  purge: ['true', 'false', 'maybe'],
  erase: ['true', 'false', 'maybe'],
  upstream: ['anonymize', 'deactivate', 'explode'],
  sort: ['createdAt', '-updatedAt', 'nickname', '-age', 'nope', '--age', '__proto__'],
};

const EXTRA_QUERY: Array<[string, string]> = [
  ['filter[nickname]=fuzz', 'filter-eq'],
  ['filter[age][gt]=1e309', 'filter-overflow'],
  ['filter[age][in]=1,2,' + '3,'.repeat(2_000), 'filter-in-huge'],
  ['filter[__proto__][polluted]=1', 'filter-proto'],
  ['filter[nickname][regex]=.*', 'filter-unknown-op'],
  ['filter[nope]=1', 'filter-unknown-field'],
  ['filter=1', 'filter-flat'],
  ['filter[a][b][c][d][e]=1', 'filter-deep'],
  ['__proto__[polluted]=1', 'query-proto'],
  ['constructor[prototype][polluted]=1', 'query-constructor'],
  ['limit=1&limit=2', 'duplicate-param'],
  ['include=context&include=trainings', 'duplicate-include'],
  ['&&&==&', 'empty-pairs'],
  ['a=%ZZ', 'bad-percent'],
  ['a=%ED%A0%80', 'surrogate-bytes'],
  ['x=' + 'y'.repeat(10_000), 'long-query'],
];

function queryString(op: Operation): fc.Arbitrary<Part<string>> {
  const declared = op.parameters.filter((p) => p.in === 'query' && !p.name.includes('<'));
  const pairs = declared.map((p) =>
    fc.option(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...(QUERY_POOLS[p.name] ?? ['x'])).map((v) => part(`${p.name}=${encode(v)}`, `${p.name}-known`)),
        },
        { weight: 2, arbitrary: weirdString.map((w) => part(`${p.name}=${encode(w.value)}`, `${p.name}-${w.label}`)) },
      ),
      { freq: 2 },
    ),
  );
  const extras = fc.option(
    fc.constantFrom(...EXTRA_QUERY).map(([v, l]) => part(v, l)),
    { freq: 2 },
  );
  return fc.tuple(fc.tuple(...pairs), extras).map(([chosen, extra]) => {
    const all = [...chosen, extra].filter((p): p is Part<string> => p !== null);
    return part(all.map((p) => p.value).join('&'), all.map((p) => p.label).join('+') || 'no-query');
  });
}

/** Header values must be ByteStrings without CR/LF/NUL: odd characters are replaced. */
const headerSafe = (value: string): string => value.replace(/[^\x20-\x7e\xa0-\xff]/g, '?').trim();

const HEADER_POOLS: Record<string, string[]> = {
  'if-match': ['"1"', '"0"', '*', 'W/"1"', '"abc"', '1', '"1", "2"', '"' + '9'.repeat(400) + '"', '"-1"', '"1e309"', '""'],
  'if-none-match': ['*', '"1"', 'junk', '*, "1"'],
  'cache-control': ['no-cache', 'max-age=0', 'no-cache, no-store', 'garbage=;;'],
  'x-opigno-lip-signature': ['deadbeef', 'sha256=' + '0'.repeat(64), 'z'.repeat(64), 'x'.repeat(5_000)],
};

function headerSet(op: Operation): fc.Arbitrary<Part<Record<string, string>>> {
  const declared = op.parameters.filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
  const entries = declared.map((name) =>
    fc.option(
      fc.oneof(
        {
          weight: 3,
          arbitrary: fc.constantFrom(...(HEADER_POOLS[name] ?? ['x'])).map((v) => part<[string, string]>([name, v], `${name}-known`)),
        },
        { weight: 1, arbitrary: weirdString.map((w) => part<[string, string]>([name, headerSafe(w.value)], `${name}-${w.label}`)) },
      ),
      { freq: 2 },
    ),
  );
  const extra = fc.option(
    fc
      .constantFrom<[[string, string], string]>(
        [['x-request-id', 'r'.repeat(300)], 'long-request-id'],
        [['x-request-id', 'a b\xe9'], 'odd-request-id'],
        [['accept', 'application/xml'], 'accept-xml'],
        [['accept-encoding', 'gzip, deflate, br'], 'accept-gzip'],
        [['content-encoding', 'gzip'], 'false-content-encoding'],
        [['x-forwarded-for', '999.999.999.999, ::1, garbage'], 'odd-forwarded-for'],
        [['origin', 'https://evil.example'], 'foreign-origin'],
      )
      .map(([pair, label]) => part(pair, label)),
    { freq: 3 },
  );
  return fc.tuple(fc.tuple(...entries), extra).map(([chosen, more]) => {
    const all = [...chosen, more].filter((p): p is Part<[string, string]> => p !== null);
    return part(Object.fromEntries(all.map((p) => p.value)), all.map((p) => p.label).join('+') || 'no-headers');
  });
}

// ---------------------------------------------------------------------------------------------

describe('bad input fuzzer', () => {
  let env: AppWithUpstream;
  let serviceKey: string;
  let operations: Operation[];
  let openapi: OpenApiDocument;
  const figures = new FigureCounter('fuzz');
  const violations: Violation[] = [];
  const covered = new Set<string>();
  let fuzzRequests = 0;
  let rejectedWritesChecked = 0;
  let prototypeBaseline: string[];

  // What the seed created, used as "known" path parameters.
  const pools: Record<string, string[]> = {
    uuid: ['fuzz-user-1', 'fuzz-user-2', 'fuzz-nobody'],
    lpId: ['lp-1', 'lp-2', 'lp-nowhere'],
    kind: ['profile', 'training', 'enrolment', 'nokind'],
    key: ['nickname', 'age', 'level', 'prefs', 'cost_centre', 'approved', 'nothere'],
    id: [randomUUID(), '00000000-0000-0000-0000-000000000000'],
  };
  const SEED_FIELDS: Array<[string, Record<string, unknown>]> = [
    ['profile', { key: 'nickname', label: 'Nickname', type: 'string', maxLength: 80, searchable: true }],
    ['profile', { key: 'age', label: 'Age', type: 'integer', min: 0, max: 150, searchable: true }],
    ['profile', { key: 'level', label: 'Level', type: 'enum', options: ['beginner', 'expert'] }],
    ['profile', { key: 'topics', label: 'Topics', type: 'multi_enum', options: ['math', 'art'] }],
    ['profile', { key: 'email', label: 'Email', type: 'email', unique: true, pii: true }],
    ['profile', { key: 'prefs', label: 'Prefs', type: 'json' }],
    ['profile', { key: 'born', label: 'Born', type: 'date' }],
    ['training', { key: 'cost_centre', label: 'Cost centre', type: 'string' }],
    ['enrolment', { key: 'approved', label: 'Approved', type: 'boolean' }],
  ];

  const send = async (
    method: string,
    path: string,
    init: { key?: string | null; headers?: Record<string, string>; body?: FuzzBody } = {},
  ): Promise<ApiAnswer> => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const key = init.key === undefined ? env.t.adminKey : init.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    if (init.body && init.body.contentType !== null) headers['content-type'] = init.body.contentType;
    const response = await fetch(env.t.url + path, {
      method,
      headers,
      body: init.body ? (typeof init.body.raw === 'string' ? init.body.raw : new Uint8Array(init.body.raw)) : undefined,
      redirect: 'manual',
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text.length > 0 ? JSON.parse(text) : undefined;
    } catch {
      /* not JSON */
    }
    figures.request(response.status);
    return { status: response.status, headers: response.headers, body, text };
  };
  const json = (method: string, path: string, body?: unknown): Promise<ApiAnswer> =>
    send(method, path, body === undefined ? {} : { body: { raw: JSON.stringify(body), contentType: 'application/json' } });

  /** Every table, without the columns that change on reads (a key's last use). */
  const snapshot = async (): Promise<Record<string, string>> => {
    const dump = await dumpAllTables(env.t);
    if (dump.api_keys) {
      dump.api_keys = JSON.stringify(
        (JSON.parse(dump.api_keys) as Array<Record<string, unknown>>).map(({ last_used_at: _, ...rest }) => rest),
      );
    }
    return dump;
  };

  let throwawayKeyId = '';
  const createThrowawayKey = async (): Promise<void> => {
    const answer = await json('POST', '/v1/admin/api-keys', { role: 'sync', label: 'fuzz throwaway' });
    if (answer.status !== 201) throw new Error(`could not create a key: ${answer.status} ${answer.text}`);
    throwawayKeyId = (answer.body as { id: string }).id;
    pools.id[0] = throwawayKeyId;
  };

  /** Puts back what a successful fuzzed write may have removed, so later runs still hit real records. */
  const ensureSeed = async (): Promise<void> => {
    for (const kind of ['profile', 'training', 'enrolment']) {
      const listed = await json('GET', `/v1/admin/fields/${kind}`);
      const present = new Set(Array.isArray(listed.body) ? (listed.body as Array<{ key: string }>).map((d) => d.key) : []);
      for (const [k, definition] of SEED_FIELDS) {
        if (k === kind && !present.has(String(definition.key))) await json('POST', `/v1/admin/fields/${kind}`, definition);
      }
    }
    for (const uuid of ['fuzz-user-1', 'fuzz-user-2']) {
      if ((await json('GET', `/v1/profiles/${uuid}`)).status === 404)
        await json('PUT', `/v1/profiles/${uuid}`, { fields: { nickname: uuid, age: 30 } });
    }
    if ((await json('GET', '/v1/trainings/lp-1')).status === 404)
      await json('PUT', '/v1/trainings/lp-1', { fields: { cost_centre: 'CC-1' } });
    const keys = await json('GET', '/v1/admin/api-keys');
    const throwaway = Array.isArray(keys.body)
      ? (keys.body as Array<{ id: string; revokedAt: string | null }>).find((k) => k.id === throwawayKeyId)
      : undefined;
    if (!throwaway || throwaway.revokedAt) await createThrowawayKey();
  };

  /** After a fuzzed write succeeded: undo what would break later runs and wait for background work to end. */
  const afterSuccessfulWrite = async (op: Operation, answer: ApiAnswer): Promise<void> => {
    if (op.path === '/v1/admin/connection' && op.method === 'PUT') {
      await json('PUT', '/v1/admin/connection', { baseUrl: env.sim.url, clientKey: SIM_CLIENT_KEY, clientSecret: SIM_CLIENT_SECRET });
    }
    if (op.path === '/v1/admin/sync-runs' && op.method === 'POST') {
      const id = (answer.body as { id?: string }).id;
      const deadline = Date.now() + 15_000;
      while (id && Date.now() < deadline) {
        const run = await json('GET', `/v1/admin/sync-runs/${id}`);
        if ((run.body as { status?: string }).status !== 'running') break;
        await sleep(50);
      }
    }
    await ensureSeed();
  };

  // -------------------------------------------------------------------------------------------
  // Bodies

  const templates = (): Record<string, Record<string, unknown>> => ({
    CreateApiKeyDto: { role: 'sync', label: 'fuzzed key' },
    CreateFieldDefinitionDto: { key: 'fz_new', label: 'Fuzzed', type: 'string', maxLength: 10 },
    UpdateFieldDefinitionDto: { label: 'Relabelled', description: 'fuzzed' },
    RenameFieldDto: { newKey: 'renamed_field' },
    WriteRecordDto: {
      fields: { nickname: 'fuzz', age: 41, level: 'expert', topics: ['math'], prefs: { a: [1, 'b'] }, born: '2000-02-29' },
    },
    PatchTrainingRecordDto: { fields: { approved: true } },
    UpdateConnectionDto: { baseUrl: env.sim.url, clientKey: SIM_CLIENT_KEY, clientSecret: SIM_CLIENT_SECRET },
    StartSyncRunDto: { job: 'trainings', mode: 'incremental', dryRun: true },
    BatchGetDto: { uuids: ['fuzz-user-1', 'fuzz-user-2'], include: ['context', 'trainings'], strict: false },
    CreateUserContextDto: { uuid: 'fuzz-ctx-1', displayName: 'Fuzzed Learner', scope: 'AUTHENTICATED', isActive: true },
    UpdateUserContextDto: { displayName: 'Renamed Learner', isActive: true },
    IdentifyDto: { anonymousId: pools.uuid[3] ?? 'anon-x', userId: 'fuzz-user-2' },
  });

  const WEBHOOK_TEMPLATE = {
    id: 'delivery-1',
    event: 'USER_COMPLETED_TRAINING',
    occurredAt: '2024-01-01T00:00:00Z',
    data: { uuid: 'fuzz-user-1', lpId: 'lp-1' },
  };
  const NDJSON_LINE = { uuid: 'fuzz-import-1', fields: { nickname: 'imported' } };

  function templateOf(op: Operation): Record<string, unknown> {
    if (op.path === '/v1/webhooks/opigno') return WEBHOOK_TEMPLATE;
    if (op.bodySchema && templates()[op.bodySchema]) return templates()[op.bodySchema]!;
    // A schema the fuzzer was not written for: a plausible body from its properties.
    const schema = op.bodySchema ? openapi.components.schemas[op.bodySchema] : undefined;
    const out: Record<string, unknown> = {};
    for (const [name, property] of Object.entries<any>(schema?.properties ?? {})) {
      out[name] =
        property.enum?.[0] ??
        property.example ??
        ({ string: 'x', integer: 1, number: 1, boolean: true, array: [], object: {} } as Record<string, unknown>)[property.type] ??
        'x';
    }
    return out;
  }

  /** Paths into a template where a value can be replaced: top-level keys and one level inside objects. */
  function slots(template: Record<string, unknown>): string[][] {
    const out: string[][] = [];
    for (const [key, value] of Object.entries(template)) {
      out.push([key]);
      if (typeof value === 'object' && value !== null && !Array.isArray(value))
        for (const inner of Object.keys(value)) out.push([key, inner]);
    }
    return out.length > 0 ? out : [['x']];
  }

  function replaceAt(template: Record<string, unknown>, path: string[], replacement: unknown): unknown {
    const [head, ...rest] = path;
    const copy: Record<string, unknown> = { ...template };
    if (rest.length === 0) copy[head!] = replacement;
    else copy[head!] = replaceAt((template[head!] as Record<string, unknown>) ?? {}, rest, replacement);
    return copy;
  }

  function withProtoKey(template: Record<string, unknown>, where: 'top' | 'nested', key: string): unknown {
    const hostile = key === '__proto__' ? { polluted: 'yes', isAdmin: true } : { prototype: { polluted: 'yes' } };
    if (where === 'top') return new Entries([...Object.entries(template), [key, hostile]]);
    const entries = Object.entries(template).map(([k, v]): [string, unknown] =>
      typeof v === 'object' && v !== null && !Array.isArray(v) ? [k, new Entries([...Object.entries(v), [key, hostile]])] : [k, v],
    );
    return new Entries(entries);
  }

  const jsonBody = (value: unknown, contentType: string | null = 'application/json'): FuzzBody => ({ raw: toJsonText(value), contentType });

  function jsonBodies(op: Operation): fc.Arbitrary<Part<FuzzBody>> {
    const template = templateOf(op);
    const ndjson = op.bodyTypes.some((t) => t.includes('ndjson'));
    const asBody = (value: unknown): FuzzBody =>
      ndjson ? { raw: toJsonText(value) + '\n', contentType: 'application/x-ndjson' } : jsonBody(value);
    const base = ndjson ? NDJSON_LINE : template;
    const mutated = fc
      .tuple(fc.constantFrom(...slots(base)), weirdJson)
      .map(([slot, weird]) => part(asBody(replaceAt(base, slot, weird.value)), `${slot.join('.')}=${weird.label}`));
    const proto = fc
      .tuple(fc.constantFrom<'top' | 'nested'>('top', 'nested'), fc.constantFrom('__proto__', 'constructor', 'prototype'))
      .map(([where, key]) => part(asBody(withProtoKey(base, where, key)), `${key}-key-${where}`));
    const missing = fc.constantFrom(...Object.keys(base)).map((key) => {
      const copy: Record<string, unknown> = { ...base };
      delete copy[key];
      return part(asBody(copy), `without-${key}`);
    });
    const wholeWrong = weirdJson.map((w) => part(asBody(w.value), `body=${w.label}`));
    const baseText = toJsonText(base);
    const rawSpecials = fc.constantFrom<Part<FuzzBody>>(
      part({ raw: '', contentType: 'application/json' }, 'empty-json-body'),
      part({ raw: baseText.slice(0, Math.floor(baseText.length / 2)), contentType: 'application/json' }, 'truncated-json'),
      part({ raw: '{"fields":{},', contentType: 'application/json' }, 'unterminated-json'),
      part({ raw: "{'single': 'quotes'}", contentType: 'application/json' }, 'single-quotes'),
      part({ raw: '{"a":1,}', contentType: 'application/json' }, 'trailing-comma'),
      part({ raw: 'NaN', contentType: 'application/json' }, 'bare-NaN'),
      part({ raw: '\ufeff' + baseText, contentType: 'application/json' }, 'bom'),
      part(
        { raw: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]), contentType: 'application/json' },
        'invalid-utf8',
      ),
      part({ raw: baseText.replace(/^\{/, '{"a":"\u0000",'), contentType: 'application/json' }, 'raw-nul'),
      part({ raw: baseText.slice(0, -1) + ',' + baseText.slice(1), contentType: 'application/json' }, 'duplicate-keys'),
      part({ raw: deepArray(DEEP).text, contentType: 'application/json' }, 'top-deep-array-5000'),
      part({ raw: deepObject(DEEP).text, contentType: 'application/json' }, 'top-deep-object-5000'),
      part({ raw: JSON.stringify({ blob: 'z'.repeat(1_100_000) }), contentType: 'application/json' }, 'over-body-limit'),
      part({ raw: '{"a":1}\n{"b":2}\n\n\n{broken\n' + '[]\n'.repeat(50), contentType: 'application/x-ndjson' }, 'ndjson-mixed'),
    );
    const wrongType = fc
      .constantFrom<string | null>(
        'text/plain',
        'application/xml',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=xyz',
        'application/merge-patch+json',
        'application/x-ndjson',
        'application/json; charset=utf-16',
        'application/json, text/plain',
        'APPLICATION/JSON',
        '',
        null,
      )
      .map((contentType) => part<FuzzBody>({ raw: baseText, contentType }, `content-type=${String(contentType)}`));
    return fc.oneof(
      { weight: 6, arbitrary: mutated },
      { weight: 2, arbitrary: proto },
      { weight: 1, arbitrary: missing },
      { weight: 1, arbitrary: wholeWrong },
      { weight: 2, arbitrary: rawSpecials },
      { weight: 2, arbitrary: wrongType },
    );
  }

  function bodyArbitrary(op: Operation): fc.Arbitrary<Part<FuzzBody> | null> {
    if (op.method === 'GET') return fc.constant(null);
    if (op.bodyTypes.length === 0) {
      // A route without a body, sent one anyway now and then.
      return fc.option(
        fc.constantFrom(part(jsonBody({ unexpected: true }), 'unexpected-body'), part(jsonBody(deepArray(DEEP)), 'unexpected-deep-body')),
        { freq: 4 },
      );
    }
    return fc.oneof({ weight: 9, arbitrary: jsonBodies(op) }, { weight: 1, arbitrary: fc.constant(null) });
  }

  function requestArbitrary(op: Operation): fc.Arbitrary<FuzzRequest> {
    const pathNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const pathParts = fc
      .tuple(...pathNames.map((name) => pathSegment(pools[name] ?? ['x'])))
      .map((values) => Object.fromEntries(values.map((v, i) => [pathNames[i]!, v])));
    return fc.record({
      role: fc.constantFrom<'admin' | 'service'>('admin', 'admin', 'admin', 'admin', 'admin', 'service'),
      path: pathParts,
      query: queryString(op),
      headers: headerSet(op),
      body: bodyArbitrary(op),
    });
  }

  /** Inputs every operation gets at least once, whatever the random draw. */
  function fixedExamples(op: Operation): FuzzRequest[] {
    const pathNames = [...op.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
    const knownPath = Object.fromEntries(pathNames.map((name) => [name, part(encode(pools[name]?.[0] ?? 'x'), 'known')]));
    const plain = (body: Part<FuzzBody> | null, path = knownPath, query = part('', 'no-query')): FuzzRequest => ({
      role: 'admin',
      path,
      query,
      headers: part({}, 'no-headers'),
      body,
    });
    const examples: FuzzRequest[] = [];
    for (const [segment, label] of [
      ['%ED%A0%80', 'utf8-surrogate-bytes'],
      [encode('\ud800'), 'lone-surrogate'],
      ['a'.repeat(3_000), 'segment-3000'],
    ] as const) {
      if (pathNames.length > 0) examples.push(plain(null, Object.fromEntries(pathNames.map((name) => [name, part(segment, label)]))));
    }
    // Every declared query parameter given twice (Fastify then hands the route an array).
    for (const parameter of op.parameters.filter((p) => p.in === 'query' && !p.name.includes('<'))) {
      const [first, second] = [...(QUERY_POOLS[parameter.name] ?? ['x']), 'x'];
      examples.push(
        plain(
          null,
          knownPath,
          part(`${parameter.name}=${encode(first!)}&${parameter.name}=${encode(second!)}`, `duplicate-${parameter.name}`),
        ),
      );
    }
    if (op.method === 'GET' || op.bodyTypes.length === 0) return examples;
    const template = templateOf(op);
    const ndjson = op.bodyTypes.some((t) => t.includes('ndjson'));
    const base = ndjson ? NDJSON_LINE : template;
    const asBody = (value: unknown): FuzzBody =>
      ndjson ? { raw: toJsonText(value) + '\n', contentType: 'application/x-ndjson' } : jsonBody(value);
    const firstSlot = slots(base).at(-1)!;
    examples.push(
      plain(part(asBody(deepArray(DEEP)), 'body=deep-array-5000')),
      plain(part(asBody(deepObject(DEEP)), 'body=deep-object-5000')),
      plain(part(asBody(replaceAt(base, firstSlot, deepArray(DEEP))), `${firstSlot.join('.')}=deep-array-5000`)),
      plain(part(asBody(replaceAt(base, firstSlot, HUGE)), `${firstSlot.join('.')}=string-100KB`)),
      plain(part(asBody(replaceAt(base, firstSlot, new Raw('1e309'))), `${firstSlot.join('.')}=literal-1e309`)),
      plain(part(asBody(replaceAt(base, firstSlot, '\ud800')), `${firstSlot.join('.')}=lone-high-surrogate`)),
      plain(part(asBody(withProtoKey(base, 'top', '__proto__')), '__proto__-key-top')),
      plain(part(asBody(withProtoKey(base, 'nested', '__proto__')), '__proto__-key-nested')),
      plain(part(asBody(withProtoKey(base, 'nested', 'constructor')), 'constructor-key-nested')),
      plain(part({ raw: '', contentType: 'application/json' }, 'empty-json-body')),
      plain(part({ raw: '{"a":', contentType: 'application/json' }, 'invalid-json')),
      plain(part({ raw: toJsonText(base), contentType: 'text/plain' }, 'content-type=text/plain')),
      // Each property of an otherwise valid body set to null.
      ...Object.keys(base).map((key) => plain(part(asBody({ ...base, [key]: null }), `${key}=null`))),
    );
    return examples;
  }

  // -------------------------------------------------------------------------------------------

  interface Violation {
    kind: ViolationKind;
    operation: string;
    status: number | string;
    detail: string;
    /** the input part most likely at fault (the body's, else the path's, else all) */
    cause: string;
    example: string;
  }
  type ViolationKind = '5xx' | 'problem' | 'changed' | 'transport';

  const record = (kind: ViolationKind, op: Operation, request: FuzzRequest, detail: string, status: number | string): void => {
    const labels = [
      ...Object.entries(request.path).map(([name, p]) => `{${name}}:${p.label}`),
      request.query.label !== 'no-query' ? `query:${request.query.label}` : '',
      request.headers.label !== 'no-headers' ? `headers:${request.headers.label}` : '',
      request.body ? `body:${request.body.label}` : '',
    ].filter(Boolean);
    const oddPath = Object.values(request.path).find((p) => p.label !== 'known');
    const cause =
      request.body && request.body.label !== 'unexpected-body'
        ? request.body.label.replace(/^[^=]*=/, 'value ')
        : oddPath
          ? `path ${oddPath.label}`
          : labels.join(' ');
    const url =
      fillPath(op.path, Object.fromEntries(Object.entries(request.path).map(([n, p]) => [n, p.value]))) +
      (request.query.value ? `?${request.query.value}` : '');
    const bodyPreview = request.body
      ? `${String(request.body.value.contentType)} ${String(request.body.value.raw).slice(0, 160)}`
      : '(no body)';
    violations.push({
      kind,
      operation: `${op.method} ${op.path}`,
      status,
      detail,
      cause,
      example: `${op.method} ${url.slice(0, 160)} (role ${request.role}; input ${labels.join(', ')})\n      body: ${bodyPreview}`,
    });
  };

  /** Violations of one kind, one line per (answer, detail, cause) with the operations it was seen on and one example. */
  const report = (kind: ViolationKind): string[] => {
    const groups = new Map<string, Violation[]>();
    for (const v of violations.filter((x) => x.kind === kind)) {
      const detail = v.detail.split(' @ ')[0];
      const key = kind === 'changed' ? `${v.status} ${detail} ← ${v.cause}` : `${v.status} ${detail}`;
      groups.set(key, [...(groups.get(key) ?? []), v]);
    }
    return [...groups.entries()].map(([key, list]) => {
      const operations = [...new Set(list.map((v) => v.operation))];
      const causes = [...new Set(list.map((v) => v.cause))].slice(0, 8);
      const places = [...new Set(list.map((v) => v.detail.split(' @ ')[1]).filter(Boolean))];
      return (
        `${key}\n    on ${operations.length} operation(s): ${operations.join('; ')}\n` +
        (places.length > 0 ? `    thrown at: ${places.join(', ')}\n` : '') +
        `    inputs: ${causes.join(' | ')}\n    e.g. ${list[0]!.example}`
      );
    });
  };

  /** The error the app logged for a 5xx answer (found by the request id the problem carries), for grouping and the report. */
  const loggedError = (answer: ApiAnswer): string => {
    const requestId = (answer.body as { requestId?: string } | undefined)?.requestId;
    const line = requestId ? env.t.logs.find((l) => l.includes(requestId) && l.includes('"err"')) : undefined;
    if (!line) return `code ${String((answer.body as { code?: string } | undefined)?.code)} (no logged error)`;
    const err = (JSON.parse(line) as { err: { type?: string; message?: string; stack?: string } }).err;
    // The first frame in the app's own code (library frames vary with the input's shape).
    const frame = (err.stack ?? '')
      .split('\n')
      .map((l) => /\((\/[^():]+):(\d+):\d+\)$|at (\/[^():]+):(\d+):\d+$/.exec(l.trim()))
      .map((m) => (m ? { file: (m[1] ?? m[3])!, line: (m[2] ?? m[4])! } : undefined))
      .find((f) => f !== undefined && f.file.startsWith(APP_SOURCES) && existsSync(f.file));
    const where = frame ? `${frame.file.slice(PROJECT_ROOT.length + 1)}:${frame.line}` : undefined;
    return `${err.type}: ${String(err.message).slice(0, 160)}${where ? ` @ ${where}` : ''}`;
  };

  const exercise = async (op: Operation, request: FuzzRequest, keys: { admin: string; service: string }): Promise<void> => {
    const url =
      fillPath(op.path, Object.fromEntries(Object.entries(request.path).map(([n, p]) => [n, p.value]))) +
      (request.query.value ? `?${request.query.value}` : '');
    const headers: Record<string, string> = { ...request.headers.value };
    let body = request.body?.value;
    if (op.path === '/v1/webhooks/opigno' && body && headers['x-opigno-lip-signature'] === undefined) {
      // Half of the webhook bodies are properly signed, so the body checks behind the signature are reached.
      headers['x-opigno-lip-signature'] = createHmac('sha256', WEBHOOK_SECRET).update(body.raw).digest('hex');
    }
    if (op.method === 'GET') body = undefined;
    const write = isWrite(op.method);
    const before = write ? await snapshot() : null;
    let answer: ApiAnswer;
    try {
      answer = await send(op.method, url, { key: request.role === 'admin' ? keys.admin : keys.service, headers, body });
    } catch (error) {
      record('transport', op, request, `request failed: ${(error as Error).message} ${String((error as Error).cause ?? '')}`, 'no answer');
      return;
    }
    fuzzRequests++;
    covered.add(`${op.method} ${op.path}`);
    if (answer.status >= 500) record('5xx', op, request, loggedError(answer), answer.status);
    if (answer.status >= 400 && op.path !== '/metrics') {
      const defect = problemDefect(answer);
      if (defect) record('problem', op, request, defect, answer.status);
    }
    if (write && answer.status >= 400 && answer.status < 500) {
      rejectedWritesChecked++;
      const after = await snapshot();
      const changed = Object.keys({ ...before, ...after }).filter((table) => before![table] !== after[table]);
      if (changed.length > 0)
        record(
          'changed',
          op,
          request,
          `rejected with ${(answer.body as { code?: string })?.code} but changed ${changed.join(', ')}`,
          answer.status,
        );
    }
    if (write && answer.status < 300) await afterSuccessfulWrite(op, answer);
  };

  beforeAll(async () => {
    prototypeBaseline = Object.getOwnPropertyNames(Object.prototype).sort();
    env = await startAppWithSimulator({ OPIGNO_WEBHOOK_SECRET: WEBHOOK_SECRET, LOG_LEVEL: 'error', UPSTREAM_CACHE_TTL_MS: '0' });
    const { t, sim } = env;
    serviceKey = await t.createKey('service');
    openapi = await fetchOpenApi(t);
    operations = listOperations(openapi);

    sim.store.addLearningPath({ id: 'lp-1', title: 'Onboarding' });
    sim.store.addLearningPath({ id: 'lp-2', title: 'Security' });
    for (const uuid of ['fuzz-user-1', 'fuzz-user-2']) {
      sim.store.upsertUser({ uuid, displayName: uuid, isActive: true, scope: 'AUTHENTICATED' });
      sim.store.setProgress(uuid, 'lp-1', { status: 'IN_PROGRESS', progress: 40 });
    }
    await createThrowawayKey();
    await ensureSeed();
    for (const uuid of ['fuzz-user-1', 'fuzz-user-2']) {
      const refreshed = await json('POST', `/v1/profiles/${uuid}/trainings:refresh`);
      if (refreshed.status !== 200) throw new Error(`refresh ${uuid}: ${refreshed.status} ${refreshed.text}`);
    }
    const anonymous = await json('POST', '/v1/user-contexts', { anonymous: true });
    if (anonymous.status !== 201) throw new Error(`anonymous context: ${anonymous.status} ${anonymous.text}`);
    pools.uuid.push((anonymous.body as { uuid: string }).uuid);
    await json('PUT', `/v1/profiles/${pools.uuid[3]}`, { fields: { nickname: 'visitor' } });
    // A finished sync run, so run ids have something real to hit.
    const run = await json('POST', '/v1/admin/sync-runs', { job: 'trainings', mode: 'full', dryRun: true });
    if (run.status !== 202) throw new Error(`sync run: ${run.status} ${run.text}`);
    pools.id.push((run.body as { id: string }).id);
    await afterSuccessfulWrite({ method: 'POST', path: '/v1/admin/sync-runs' } as Operation, run);
  });

  afterAll(async () => {
    figures.note('operations', operations?.length ?? 0);
    figures.note('seed', SEED);
    figures.note('fuzzedRequests', fuzzRequests);
    figures.note('rejectedWritesChecked', rejectedWritesChecked);
    figures.note(
      'violations',
      (['5xx', 'problem', 'changed', 'transport'] as const).reduce((n, k) => n + report(k).length, 0),
    );
    figures.note('rejectedWritesThatChangedData', violations.filter((v) => v.kind === 'changed').length);
    const lines = (['5xx', 'problem', 'changed', 'transport'] as const).flatMap((k) => report(k).map((line) => `[${k}] ${line}`));
    mkdirSync(RESULTS_DIR, { recursive: true });
    writeFileSync(join(RESULTS_DIR, 'fuzz-violations.txt'), `seed ${SEED}\n\n${lines.join('\n\n')}\n`);
    figures.flush();
    await env?.close();
  });

  it('drives every operation of the OpenAPI document with random and adversarial input', async () => {
    expect(operations.length).toBeGreaterThan(30);
    const keys = { admin: env.t.adminKey, service: serviceKey };
    for (const [index, op] of operations.entries()) {
      if (op.path.startsWith('/docs')) continue;
      await fc.assert(
        fc.asyncProperty(requestArbitrary(op), async (request) => {
          await exercise(op, request, keys);
          return true;
        }),
        { numRuns: RUNS_PER_OPERATION, seed: SEED + index, examples: fixedExamples(op).map((r) => [r] as [FuzzRequest]) },
      );
    }
    process.stdout.write(
      `fuzz: seed ${SEED}, ${fuzzRequests} fuzzed requests over ${covered.size} operations, ${violations.length} violations\n`,
    );
    const missed = operations.map((op) => `${op.method} ${op.path}`).filter((name) => !covered.has(name));
    expect(missed).toEqual([]);
    expect(report('transport')).toEqual([]);
  }, 200_000);

  it('never answers 5xx to bad input', () => {
    expect(report('5xx')).toEqual([]);
  });

  it('answers every 4xx as application/problem+json with a string code', () => {
    expect(report('problem')).toEqual([]);
  });

  it('changes nothing when it rejects a write', () => {
    expect(report('changed')).toEqual([]);
  });

  it('leaves Object.prototype unpolluted and the app alive', async () => {
    expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(prototypeBaseline);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect((await send('GET', '/health/live', { key: null })).status).toBe(200);
    const profile = await json('GET', '/v1/profiles/fuzz-user-1');
    expect(profile.status).toBe(200);
  });
});
