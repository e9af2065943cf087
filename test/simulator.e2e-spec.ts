import { createHmac, timingSafeEqual } from 'crypto';
import { IncomingHttpHeaders, Server, createServer } from 'http';
import { AddressInfo } from 'net';
import { RunningSimulator, startSimulator } from '../src/simulator/simulator';
import { SimulatorStore } from '../src/simulator/simulator-store';

const CLIENT_KEY = 'test-client';
const CLIENT_SECRET = 'test-secret';

interface HttpAnswer {
  status: number;
  text: string;
  json: () => Record<string, unknown>;
}

async function post(url: string, init: { body: string; headers?: Record<string, string> }): Promise<HttpAnswer> {
  const response = await fetch(url, { method: 'POST', body: init.body, headers: init.headers });
  const text = await response.text();
  return { status: response.status, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

function requestToken(sim: RunningSimulator, form: Record<string, string>): Promise<HttpAnswer> {
  return post(`${sim.url}/oauth/token`, {
    body: new URLSearchParams(form).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
  });
}

async function token(sim: RunningSimulator): Promise<string> {
  const answer = await requestToken(sim, { grant_type: 'client_credentials', client_id: CLIENT_KEY, client_secret: CLIENT_SECRET });
  expect(answer.status).toBe(200);
  return answer.json().access_token as string;
}

interface GqlRequest {
  query: string;
  variables?: Record<string, unknown>;
  operationName?: string;
  token?: string | null;
  uuid?: string | null;
  headers?: Record<string, string>;
}

function gql(sim: RunningSimulator, request: GqlRequest): Promise<HttpAnswer> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...request.headers };
  if (request.token) headers.Authorization = `Bearer ${request.token}`;
  if (request.uuid) headers['Opigno-Client-UUID'] = request.uuid;
  return post(`${sim.url}/graphql`, {
    body: JSON.stringify({ query: request.query, variables: request.variables, operationName: request.operationName }),
    headers,
  });
}

/** Runs a document as `uuid` and returns `data`, failing on any top-level error. */
async function data(
  sim: RunningSimulator,
  bearer: string,
  uuid: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await gql(sim, { query, variables, token: bearer, uuid });
  expect(answer.status).toBe(200);
  const body = answer.json();
  expect(body.errors).toBeUndefined();
  return body.data as Record<string, unknown>;
}

const SET_USER = `mutation Set($uuid: String!, $displayName: String, $isActive: Boolean, $scope: UserContextScope) {
  setUserContext(uuid: $uuid, displayName: $displayName, isActive: $isActive, scope: $scope) {
    errors
    response { id uuid displayName isActive scope }
  }
}`;
const GET_USER = `query GetUser($uuid: String!) {
  getUserContext(uuid: $uuid) { errors response { id uuid displayName isActive scope } }
}`;
const CATALOG_PAGE = `query Catalog($first: Int, $after: String, $filters: [FilterInput]) {
  getCatalogData(first: $first, after: $after, filters: $filters) {
    totalItems
    pageInfo { hasNextPage endCursor }
    edges { cursor node { id training { title } userEnrolled certificationEnabled } }
  }
}`;
const PROGRESS_PAGE = `query Progress($first: Int, $after: String) {
  getUserTrainingProgress(first: $first, after: $after) {
    totalItems
    pageInfo { hasNextPage endCursor }
    edges { cursor node { lpId title status progress score registeredAt completedAt timeSpent } }
  }
}`;

interface Connection<T> {
  totalItems: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: T }[];
}

describe('Opigno simulator', () => {
  let sim: RunningSimulator;
  let bearer: string;

  beforeAll(async () => {
    sim = await startSimulator({
      port: 0,
      clientKey: CLIENT_KEY,
      clientSecret: CLIENT_SECRET,
      seed: {
        users: [{ uuid: 'seeded-1', displayName: 'Seeded One', isActive: true, scope: 'AUTHENTICATED' }],
        learningPaths: [
          { id: 'lp-a', title: 'Alpha' },
          { id: 'lp-b', title: 'Beta', certificationEnabled: true },
        ],
        progress: [{ uuid: 'seeded-1', lpId: 'lp-a', status: 'IN_PROGRESS', progress: 40, registeredAt: '2024-02-01T00:00:00.000Z' }],
      },
    });
    bearer = await token(sim);
  });

  afterAll(async () => {
    await sim.close();
  });

  afterEach(() => {
    sim.healFaults();
    sim.setFaults({ tokenTtlSeconds: 3600 });
  });

  describe('token endpoint', () => {
    it('issues a bearer token with expires_in for valid client credentials', async () => {
      const answer = await requestToken(sim, { grant_type: 'client_credentials', client_id: CLIENT_KEY, client_secret: CLIENT_SECRET });
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ access_token: expect.stringMatching(/^[0-9a-f]{64}$/), token_type: 'Bearer', expires_in: 3600 });
    });

    it('answers 401 invalid_client for a wrong secret', async () => {
      const answer = await requestToken(sim, { grant_type: 'client_credentials', client_id: CLIENT_KEY, client_secret: 'nope' });
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual({ error: 'invalid_client' });
    });

    it('answers 400 unsupported_grant_type for another grant type', async () => {
      const answer = await requestToken(sim, { grant_type: 'password', client_id: CLIENT_KEY, client_secret: CLIENT_SECRET });
      expect(answer.status).toBe(400);
      expect(answer.json()).toEqual({ error: 'unsupported_grant_type' });
    });

    it('accepts client credentials in an HTTP Basic header', async () => {
      const answer = await post(`${sim.url}/oauth/token`, {
        body: 'grant_type=client_credentials',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded',
          Authorization: `Basic ${Buffer.from(`${CLIENT_KEY}:${CLIENT_SECRET}`).toString('base64')}`,
        },
      });
      expect(answer.status).toBe(200);
    });
  });

  describe('authentication and the user header', () => {
    const query = '{ getUserContext(uuid: "seeded-1") { errors } }';

    it('answers 401 Unauthorized without a bearer token', async () => {
      const answer = await gql(sim, { query, uuid: 'seeded-1' });
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual({ errors: [{ message: 'Unauthorized' }] });
    });

    it('answers 401 for an unknown token', async () => {
      const answer = await gql(sim, { query, uuid: 'seeded-1', token: 'f'.repeat(64) });
      expect(answer.status).toBe(401);
    });

    it('answers 401 once the token has expired', async () => {
      sim.setFaults({ tokenTtlSeconds: 1 });
      const shortLived = await token(sim);
      expect((await gql(sim, { query, uuid: 'seeded-1', token: shortLived })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const answer = await gql(sim, { query, uuid: 'seeded-1', token: shortLived });
      expect(answer.status).toBe(401);
      expect(answer.json()).toEqual({ errors: [{ message: 'Unauthorized' }] });
    });

    it('answers 401 for every token issued before revokeAllTokens', async () => {
      const doomed = await token(sim);
      sim.revokeAllTokens();
      expect((await gql(sim, { query, uuid: 'seeded-1', token: doomed })).status).toBe(401);
      bearer = await token(sim);
      expect((await gql(sim, { query, uuid: 'seeded-1', token: bearer })).status).toBe(200);
    });

    it('answers 400 without the Opigno-Client-UUID header', async () => {
      const answer = await gql(sim, { query, token: bearer });
      expect(answer.status).toBe(400);
      expect(answer.json()).toEqual({ errors: [{ message: 'Opigno-Client-UUID header is required' }] });
    });

    it('reads the Opigno-Client-UUID header whatever its letter case', async () => {
      const answer = await gql(sim, { query, token: bearer, headers: { 'opigno-client-uuid': 'seeded-1' } });
      expect(answer.status).toBe(200);
    });
  });

  describe('user contexts', () => {
    it('creates a user context with setUserContext and reads it back with getUserContext', async () => {
      const created = await data(sim, bearer, 'alice', SET_USER, {
        uuid: 'alice',
        displayName: 'Alice',
        isActive: true,
        scope: 'AUTHENTICATED',
      });
      const payload = created.setUserContext as { errors: string[]; response: Record<string, unknown> };
      expect(payload.errors).toEqual([]);
      expect(payload.response).toEqual({
        id: expect.stringMatching(/^\d+$/),
        uuid: 'alice',
        displayName: 'Alice',
        isActive: true,
        scope: 'AUTHENTICATED',
      });

      const read = await data(sim, bearer, 'alice', GET_USER, { uuid: 'alice' });
      expect(read.getUserContext).toEqual({ errors: [], response: payload.response });
    });

    it('creates anonymous contexts inactive and without scope when those arguments are omitted', async () => {
      const created = await data(sim, bearer, 'anon-42', SET_USER, { uuid: 'anon-42', displayName: 'Anonymous User' });
      expect(created.setUserContext).toEqual({
        errors: [],
        response: { id: expect.any(String), uuid: 'anon-42', displayName: 'Anonymous User', isActive: false, scope: null },
      });
    });

    it('updates only the fields sent and keeps the id', async () => {
      const first = await data(sim, bearer, 'bob', SET_USER, { uuid: 'bob', displayName: 'Bob', isActive: true, scope: 'AUTHENTICATED' });
      const second = await data(sim, bearer, 'bob', SET_USER, { uuid: 'bob', isActive: false });
      const before = (first.setUserContext as { response: { id: string } }).response;
      expect(second.setUserContext).toEqual({
        errors: [],
        response: { id: before.id, uuid: 'bob', displayName: 'Bob', isActive: false, scope: 'AUTHENTICATED' },
      });
    });

    it('reports a violation when the uuid argument is not the header user', async () => {
      const result = await data(sim, bearer, 'carol', SET_USER, { uuid: 'mallory', displayName: 'Mallory' });
      expect(result.setUserContext).toEqual({ errors: ['The application may not act on this user'], response: null });
      expect(sim.store.getUser('mallory')).toBeUndefined();
    });

    it('reports violations for a malformed uuid and an over-long displayName', async () => {
      const result = await data(sim, bearer, 'bad uuid!', SET_USER, { uuid: 'bad uuid!', displayName: 'x'.repeat(256) });
      const payload = result.setUserContext as { errors: string[]; response: null };
      expect(payload.response).toBeNull();
      expect(payload.errors).toHaveLength(2);
    });

    it('answers getUserContext for an unknown uuid with "User context not found"', async () => {
      const result = await data(sim, bearer, 'nobody', GET_USER, { uuid: 'nobody' });
      expect(result.getUserContext).toEqual({ errors: ['User context not found'], response: null });
    });
  });

  describe('GraphQL documents', () => {
    it('answers standard validation errors for an unknown field', async () => {
      const answer = await gql(sim, { query: '{ getUserContext(uuid: "seeded-1") { errors shoeSize } }', token: bearer, uuid: 'seeded-1' });
      expect(answer.status).toBe(200);
      const body = answer.json();
      expect(body.data).toBeUndefined();
      expect(body.errors).toEqual([expect.objectContaining({ message: 'Cannot query field "shoeSize" on type "UserContextPayload".' })]);
    });

    it('answers a syntax error for a broken document', async () => {
      const answer = await gql(sim, { query: '{ getUserContext(uuid: ', token: bearer, uuid: 'seeded-1' });
      expect(answer.status).toBe(200);
      expect(answer.json().errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Syntax Error/) })]);
    });

    it('rejects a variable of the wrong type', async () => {
      const answer = await gql(sim, { query: GET_USER, variables: { uuid: 42 }, token: bearer, uuid: 'seeded-1' });
      expect(answer.json().errors).toEqual([expect.objectContaining({ message: expect.stringContaining('$uuid') })]);
    });
  });

  describe('learning paths and progress', () => {
    let store: SimulatorStore;

    beforeAll(() => {
      store = sim.store;
      store.generate({ users: 250, learningPaths: 45, progressPerUser: 7 });
    });

    it('tells whether the header user is enrolled in a learning path', async () => {
      const query = 'query($id: ID!) { getLearningPath(lpId: $id) { id training { title } userEnrolled certificationEnabled } }';
      const enrolled = await data(sim, bearer, 'seeded-1', query, { id: 'lp-a' });
      expect(enrolled.getLearningPath).toEqual({
        id: 'lp-a',
        training: { title: 'Alpha' },
        userEnrolled: true,
        certificationEnabled: false,
      });
      const notEnrolled = await data(sim, bearer, 'seeded-1', query, { id: 'lp-b' });
      expect(notEnrolled.getLearningPath).toEqual({
        id: 'lp-b',
        training: { title: 'Beta' },
        userEnrolled: false,
        certificationEnabled: true,
      });
      const unknown = await data(sim, bearer, 'seeded-1', query, { id: 'no-such-lp' });
      expect(unknown.getLearningPath).toBeNull();
    });

    it('pages through the whole catalogue with opaque cursors, 20 per page by default', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      for (;;) {
        const result = await data(sim, bearer, 'user-1', CATALOG_PAGE, { after });
        const page = result.getCatalogData as Connection<{ id: string }>;
        expect(page.totalItems).toBe(47);
        expect(page.edges.length).toBeLessThanOrEqual(20);
        seen.push(...page.edges.map((edge) => edge.node.id));
        pages++;
        if (!page.pageInfo.hasNextPage) break;
        expect(page.pageInfo.endCursor).not.toContain('lp');
        after = page.pageInfo.endCursor;
      }
      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(47);
      expect(seen.slice(0, 3)).toEqual(['1', '2', '3']);
      expect(seen.slice(-2)).toEqual(['lp-a', 'lp-b']);
    });

    it('caps a catalogue page at 100 items', async () => {
      store.generate({ users: 0, learningPaths: 150 });
      const result = await data(sim, bearer, 'user-1', CATALOG_PAGE, { first: 1000 });
      expect((result.getCatalogData as Connection<unknown>).edges).toHaveLength(100);
    });

    it('filters the catalogue by the header user status label', async () => {
      const uuid = 'filter-user';
      store.setProgress(uuid, 'lp-a', { status: 'PASSED', progress: 100, score: 90 });
      store.setProgress(uuid, 'lp-b', { status: 'IN_PROGRESS', progress: 10 });
      const passed = await data(sim, bearer, uuid, CATALOG_PAGE, { filters: [{ key: 'status', value: ['Passed'] }] });
      const page = passed.getCatalogData as Connection<{ id: string; userEnrolled: boolean }>;
      expect(page.totalItems).toBe(1);
      expect(page.edges[0].node).toMatchObject({ id: 'lp-a', userEnrolled: true });
    });

    it("pages through a generated user's progress in lpId order", async () => {
      const uuid = 'user-250';
      const expected = store.listProgress(uuid).map((record) => record.lpId);
      expect(expected).toHaveLength(7);
      const seen: string[] = [];
      let after: string | null = null;
      for (;;) {
        const result = await data(sim, bearer, uuid, PROGRESS_PAGE, { first: 3, after });
        const page = result.getUserTrainingProgress as Connection<{ lpId: string; title: string; status: string; progress: number }>;
        expect(page.totalItems).toBe(7);
        for (const edge of page.edges) {
          expect(edge.node.title).toEqual(expect.any(String));
          expect(['NOT_STARTED', 'IN_PROGRESS', 'COMPLETED', 'PASSED', 'FAILED']).toContain(edge.node.status);
        }
        seen.push(...page.edges.map((edge) => edge.node.lpId));
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      expect(seen).toEqual(expected);
      expect([...seen].sort((a, b) => Number(a) - Number(b))).toEqual(seen);
    });

    it('answers an empty progress connection for an unknown user', async () => {
      const result = await data(sim, bearer, 'stranger', PROGRESS_PAGE);
      expect(result.getUserTrainingProgress).toEqual({ totalItems: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] });
    });

    it('serves progress set through the admin route', async () => {
      const put = await fetch(`${sim.url}/__admin/users/seeded-1/progress/lp-b`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ status: 'COMPLETED', progress: 100, score: 77, completedAt: '2024-03-01T10:00:00.000Z' }),
      });
      expect(put.status).toBe(200);
      const result = await data(sim, bearer, 'seeded-1', PROGRESS_PAGE);
      const page = result.getUserTrainingProgress as Connection<Record<string, unknown>>;
      expect(page.edges.map((edge) => edge.node)).toEqual([
        expect.objectContaining({
          lpId: 'lp-a',
          title: 'Alpha',
          status: 'IN_PROGRESS',
          progress: 40,
          score: null,
          registeredAt: '2024-02-01T00:00:00.000Z',
        }),
        expect.objectContaining({
          lpId: 'lp-b',
          title: 'Beta',
          status: 'COMPLETED',
          progress: 100,
          score: 77,
          completedAt: '2024-03-01T10:00:00.000Z',
        }),
      ]);
    });

    it('rejects progress for an unknown learning path on the admin route', async () => {
      const put = await fetch(`${sim.url}/__admin/users/seeded-1/progress/nope`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
      expect(put.status).toBe(404);
    });

    it('merges a seed posted to the admin route and rejects an invalid one without changes', async () => {
      const ok = await fetch(`${sim.url}/__admin/seed`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ users: [{ uuid: 'posted-1', displayName: 'Posted' }] }),
      });
      expect(ok.status).toBe(200);
      expect(sim.store.getUser('posted-1')).toMatchObject({ displayName: 'Posted', isActive: false, scope: null });

      const before = sim.store.counts();
      const bad = await fetch(`${sim.url}/__admin/seed`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          users: [{ uuid: 'posted-2' }],
          progress: [{ uuid: 'posted-2', lpId: 'lp-a', status: 'DONE', progress: 5 }],
        }),
      });
      expect(bad.status).toBe(400);
      expect(sim.store.counts()).toEqual(before);
    });
  });

  describe('fault injection', () => {
    const query = '{ getUserContext(uuid: "seeded-1") { errors } }';

    it('answers 500 to every request when errorRate is 1', async () => {
      sim.setFaults({ errorRate: 1 });
      const answer = await gql(sim, { query, token: bearer, uuid: 'seeded-1' });
      expect(answer.status).toBe(500);
      expect(answer.json()).toEqual({ errors: [{ message: 'Internal Server Error' }] });
    });

    it('answers 200 with a body that is not JSON when malformedRate is 1', async () => {
      sim.setFaults({ malformedRate: 1 });
      const answer = await gql(sim, { query, token: bearer, uuid: 'seeded-1' });
      expect(answer.status).toBe(200);
      expect(() => answer.json()).toThrow(SyntaxError);
    });

    it('delays every answer by at least latencyMs', async () => {
      sim.setFaults({ latencyMs: 150 });
      const started = performance.now();
      const answer = await gql(sim, { query, token: bearer, uuid: 'seeded-1' });
      expect(answer.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThanOrEqual(145);
    });

    it('answers normally again after healFaults', async () => {
      sim.setFaults({ errorRate: 1, malformedRate: 1 });
      sim.healFaults();
      expect((await gql(sim, { query, token: bearer, uuid: 'seeded-1' })).status).toBe(200);
    });

    it('changes faults live through the admin route', async () => {
      const put = await fetch(`${sim.url}/__admin/faults`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: '{"errorRate":1}',
      });
      expect(put.status).toBe(200);
      expect(sim.faults.errorRate).toBe(1);
      expect((await gql(sim, { query, token: bearer, uuid: 'seeded-1' })).status).toBe(500);
      const invalid = await fetch(`${sim.url}/__admin/faults`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json' },
        body: '{"errorRate":3}',
      });
      expect(invalid.status).toBe(400);
      await fetch(`${sim.url}/__admin/faults/heal`, { method: 'POST' });
      expect(sim.faults.errorRate).toBe(0);
    });

    it('hangs requests when timeoutRate is 1 and still closes promptly', async () => {
      const hanging = await startSimulator({ clientKey: CLIENT_KEY, clientSecret: CLIENT_SECRET, faults: { timeoutRate: 1 } });
      const hungToken = await token(hanging);
      const pending = gql(hanging, { query, token: hungToken, uuid: 'seeded-1' }).then(
        () => 'answered',
        () => 'failed',
      );
      const early = await Promise.race([pending, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 300))]);
      expect(early).toBe('still waiting');
      expect(hanging.stats.inFlightGraphql).toBe(1);
      const started = performance.now();
      await hanging.close();
      expect(performance.now() - started).toBeLessThan(1000);
      await expect(pending).resolves.toBe('failed');
    });
  });

  describe('stats', () => {
    beforeEach(() => sim.resetStats());

    it('counts token requests, graphql requests, and calls per operation and user', async () => {
      await token(sim);
      await data(sim, bearer, 'seeded-1', GET_USER, { uuid: 'seeded-1' });
      await data(sim, bearer, 'seeded-1', GET_USER, { uuid: 'seeded-1' });
      await data(sim, bearer, 'alice', GET_USER, { uuid: 'alice' });
      await gql(sim, { query: GET_USER, variables: { uuid: 'seeded-1' }, uuid: 'seeded-1' });
      expect(sim.stats).toMatchObject({
        tokenRequests: 1,
        graphqlRequests: 4,
        byOperation: { getUserContext: 4 },
        byOperationName: { GetUser: 4 },
        byOperationAndUser: { getUserContext: { 'seeded-1': 3, alice: 1 } },
      });
    });

    it('records the peak number of concurrent graphql requests', async () => {
      sim.setFaults({ latencyMs: 100 });
      await Promise.all(Array.from({ length: 8 }, () => data(sim, bearer, 'seeded-1', GET_USER, { uuid: 'seeded-1' })));
      expect(sim.stats.maxConcurrentGraphql).toBe(8);
      expect(sim.stats.inFlightGraphql).toBe(0);
    });

    it('serves and resets the counters on the admin routes', async () => {
      await data(sim, bearer, 'seeded-1', GET_USER, { uuid: 'seeded-1' });
      const stats = (await (await fetch(`${sim.url}/__admin/stats`)).json()) as Record<string, unknown>;
      expect(stats.graphqlRequests).toBe(1);
      await fetch(`${sim.url}/__admin/stats/reset`, { method: 'POST' });
      expect(sim.stats.graphqlRequests).toBe(0);
      expect(sim.stats.byOperation).toEqual({});
    });
  });

  describe('webhooks', () => {
    let receiver: Server;
    let receiverUrl: string;
    const received: { headers: IncomingHttpHeaders; body: string }[] = [];

    beforeAll(async () => {
      receiver = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
          response.writeHead(204).end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/opigno`;
    });

    afterAll(async () => {
      receiver.closeAllConnections();
      await new Promise<void>((resolve, reject) => receiver.close((error) => (error ? reject(error) : resolve())));
    });

    it('posts a signed event whose X-Opigno-LIP-Signature verifies with the shared secret', async () => {
      sim.setWebhook({ url: receiverUrl, secret: 'hook-secret' });
      const status = await sim.sendWebhook('USER_COMPLETED_TRAINING', { uuid: 'seeded-1', lpId: 'lp-a' });
      expect(status).toBe(204);
      const delivery = received[received.length - 1];
      expect(delivery.headers['content-type']).toBe('application/json');
      const signature = delivery.headers['x-opigno-lip-signature'];
      expect(typeof signature).toBe('string');
      const expected = createHmac('sha256', 'hook-secret').update(delivery.body).digest('hex');
      expect(timingSafeEqual(Buffer.from(String(signature)), Buffer.from(expected))).toBe(true);
      expect(JSON.parse(delivery.body)).toEqual({
        id: expect.any(String),
        event: 'USER_COMPLETED_TRAINING',
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        data: { uuid: 'seeded-1', lpId: 'lp-a' },
      });
    });

    it('sends an event requested on the admin route', async () => {
      sim.setWebhook({ url: receiverUrl, secret: 'hook-secret' });
      const count = received.length;
      const answer = await fetch(`${sim.url}/__admin/webhooks`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ event: 'LEARNING_PATH_NEW_REVISION', payload: { lpId: 'lp-b' } }),
      });
      expect(answer.status).toBe(200);
      expect(await answer.json()).toEqual({ status: 204 });
      expect(received).toHaveLength(count + 1);
      expect(JSON.parse(received[count].body)).toMatchObject({ event: 'LEARNING_PATH_NEW_REVISION', data: { lpId: 'lp-b' } });
    });
  });
});

describe('SimulatorStore.generate', () => {
  it('generates 100,000 users with progress in well under 3 seconds', () => {
    const store = new SimulatorStore();
    const started = performance.now();
    const counts = store.generate({ users: 100_000, learningPaths: 50, progressPerUser: 5 });
    expect(performance.now() - started).toBeLessThan(3000);
    expect(counts).toEqual({ users: 100_000, learningPaths: 50, progress: 500_000 });
    expect(store.getUser('user-100000')).toMatchObject({ id: '100000', isActive: true, scope: 'AUTHENTICATED' });
  });

  it('produces the same data for the same PRNG seed', () => {
    const a = new SimulatorStore();
    const b = new SimulatorStore();
    a.generate({ users: 50, learningPaths: 10, progressPerUser: 4, seed: 7 });
    b.generate({ users: 50, learningPaths: 10, progressPerUser: 4, seed: 7 });
    expect(b.listProgress('user-33')).toEqual(a.listProgress('user-33'));
    expect(b.listLearningPaths()).toEqual(a.listLearningPaths());
  });
});
