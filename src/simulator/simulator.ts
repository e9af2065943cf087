import { randomBytes, timingSafeEqual } from 'crypto';
import { AddressInfo } from 'net';
import Fastify, { FastifyInstance, FastifyRequest, onRequestHookHandler, onSendHookHandler } from 'fastify';
import { GraphQLSchema } from 'graphql';
import { InvalidCursorError } from './simulator-pagination';
import { SimulatorGraphql, loadOpignoSchema } from './simulator-graphql';
import {
  InvalidSeedError,
  SimulatorSeed,
  parseSimulatorSeed,
  isNullableDate,
  isNullablePercent,
  isPercent,
  isSeconds,
  isStatus,
} from './simulator-seed';
import { GenerateOptions, ProgressPatch, SimulatorStore, UnknownLearningPathError } from './simulator-store';
import {
  WebhookEventName,
  WebhookPayload,
  WebhookTarget,
  buildWebhookEnvelope,
  deliverWebhook,
  isWebhookEvent,
} from './simulator-webhooks';

export interface FaultSettings {
  /** added before every answer (token endpoint included) */
  latencyMs: number;
  /** 0..1: share of /graphql requests answered HTTP 500 */
  errorRate: number;
  /** 0..1: share of /graphql requests that never answer (until the socket closes or ~60 s) */
  timeoutRate: number;
  /** 0..1: share of /graphql requests answered 200 with a truncated, non-JSON body */
  malformedRate: number;
  /** expires_in of newly issued tokens */
  tokenTtlSeconds: number;
}

export interface SimulatorOptions {
  /** 0 = a random free port (default) */
  port?: number;
  /** default 127.0.0.1 */
  host?: string;
  clientKey: string;
  clientSecret: string;
  /** default 3600 */
  tokenTtlSeconds?: number;
  faults?: Partial<FaultSettings>;
  seed?: SimulatorSeed;
  /** bulk data generated after the seed is loaded */
  generate?: GenerateOptions;
  webhook?: WebhookTarget;
  /** default: src/opigno/opigno-schema.graphql */
  schema?: GraphQLSchema;
}

export interface SimulatorStats {
  tokenRequests: number;
  /** every POST /graphql, whatever its outcome (faults and 401s included) */
  graphqlRequests: number;
  /** per root field of the requested operation, e.g. `getUserContext` (what a "call" of the upstream API is) */
  byOperation: Record<string, number>;
  /** per root field, then per Opigno-Client-UUID header value */
  byOperationAndUser: Record<string, Record<string, number>>;
  /** per operation name written in the document (`query GetUser { … }`); anonymous operations are not counted */
  byOperationName: Record<string, number>;
  inFlightGraphql: number;
  /** peak of `inFlightGraphql` since start or the last reset */
  maxConcurrentGraphql: number;
  webhooksSent: number;
}

export interface RunningSimulator {
  /** base URL without trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  store: SimulatorStore;
  /** live settings: mutate directly or through setFaults */
  faults: FaultSettings;
  /** live counters: the same object for the simulator's lifetime (resetStats zeroes it in place) */
  stats: SimulatorStats;
  setFaults(patch: Partial<FaultSettings>): void;
  /** latency and all rates back to 0; the token TTL is kept */
  healFaults(): void;
  revokeAllTokens(): void;
  /** a valid bearer token, as if obtained from /oauth/token (not counted in stats) */
  issueToken(): string;
  resetStats(): void;
  setWebhook(target: WebhookTarget | null): void;
  /** POSTs a signed event to the webhook target; resolves with the receiver's HTTP status */
  sendWebhook(event: WebhookEventName, payload: WebhookPayload): Promise<number>;
  close(): Promise<void>;
}

export const NO_FAULTS: Readonly<Omit<FaultSettings, 'tokenTtlSeconds'>> = { latencyMs: 0, errorRate: 0, timeoutRate: 0, malformedRate: 0 };
const HANG_MS = 60_000;
const CLIENT_UUID_HEADER = 'opigno-client-uuid';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

class BadRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequestError';
  }
}

/** Validates an untrusted partial FaultSettings (CLI flags, admin route, API). */
export function checkFaultPatch(input: unknown): Partial<FaultSettings> {
  if (!isObject(input)) throw new RangeError('Fault settings must be an object');
  const out: Partial<FaultSettings> = {};
  const number = (key: keyof FaultSettings, min: number, max: number): void => {
    const value = input[key];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      throw new RangeError(`${key} must be a number from ${min} to ${max}`);
    }
    out[key] = value;
  };
  number('latencyMs', 0, 600_000);
  number('errorRate', 0, 1);
  number('timeoutRate', 0, 1);
  number('malformedRate', 0, 1);
  number('tokenTtlSeconds', 1, 10 * 365 * 86_400);
  return out;
}

function newStats(): SimulatorStats {
  return {
    tokenRequests: 0,
    graphqlRequests: 0,
    byOperation: {},
    byOperationAndUser: {},
    byOperationName: {},
    inFlightGraphql: 0,
    maxConcurrentGraphql: 0,
    webhooksSent: 0,
  };
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.length === 0 ? undefined : first;
}

function toProgressPatch(body: unknown): ProgressPatch {
  if (!isObject(body)) throw new RangeError('The progress must be a JSON object');
  const patch: ProgressPatch = {};
  if (body.status !== undefined) {
    if (!isStatus(body.status)) throw new RangeError('status must be NOT_STARTED, IN_PROGRESS, COMPLETED, PASSED or FAILED');
    patch.status = body.status;
  }
  if (body.progress !== undefined) {
    if (!isPercent(body.progress)) throw new RangeError('progress must be an integer from 0 to 100');
    patch.progress = body.progress;
  }
  if (body.score !== undefined) {
    if (!isNullablePercent(body.score)) throw new RangeError('score must be an integer from 0 to 100 or null');
    patch.score = body.score;
  }
  for (const key of ['registeredAt', 'completedAt'] as const) {
    const value = body[key];
    if (value === undefined) continue;
    if (!isNullableDate(value)) throw new RangeError(`${key} must be an ISO 8601 date or null`);
    patch[key] = value;
  }
  if (body.timeSpent !== undefined) {
    if (!isSeconds(body.timeSpent)) throw new RangeError('timeSpent must be a non-negative integer');
    patch.timeSpent = body.timeSpent;
  }
  return patch;
}

function toGenerateOptions(body: unknown): GenerateOptions {
  if (!isObject(body)) throw new RangeError('The generate options must be a JSON object');
  const count = (key: string): number | undefined => {
    const value = body[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new RangeError(`${key} must be a non-negative integer`);
    return value;
  };
  const users = count('users');
  if (users === undefined) throw new RangeError('users is required');
  const prefix = body.uuidPrefix;
  if (prefix !== undefined && typeof prefix !== 'string') throw new RangeError('uuidPrefix must be a string');
  return {
    users,
    learningPaths: count('learningPaths'),
    progressPerUser: count('progressPerUser'),
    seed: count('seed'),
    uuidPrefix: prefix,
  };
}

/** Sleeps that close() can cut short, so a closing simulator leaves no timers behind. */
class Sleeper {
  private readonly pending = new Set<() => void>();
  private stopped = false;

  sleep(ms: number, wakeOn?: { once(event: 'close', listener: () => void): unknown }): Promise<void> {
    if (ms <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.pending.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.pending.add(wake);
      wakeOn?.once('close', wake);
    });
  }

  /** Wakes every sleeper; later sleeps return at once. */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.pending]) wake();
  }
}

function baseUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

/** Starts a simulated Opigno Enterprise instance over HTTP. */
export async function startSimulator(options: SimulatorOptions): Promise<RunningSimulator> {
  const store = new SimulatorStore();
  if (options.seed) store.load(options.seed);
  if (options.generate) store.generate(options.generate);
  const graphql = new SimulatorGraphql(store, options.schema ?? loadOpignoSchema());
  const faults: FaultSettings = {
    ...NO_FAULTS,
    tokenTtlSeconds: options.tokenTtlSeconds ?? 3600,
    ...checkFaultPatch(options.faults ?? {}),
  };
  const stats = newStats();
  /** token → expiry (epoch ms) */
  const tokens = new Map<string, number>();
  const sleeper = new Sleeper();
  let webhook: WebhookTarget | null = options.webhook ?? null;
  let closing = false;

  const issueToken = (): string => {
    const now = Date.now();
    if (tokens.size > 10_000) for (const [token, expiresAt] of tokens) if (expiresAt <= now) tokens.delete(token);
    const token = randomBytes(32).toString('hex');
    tokens.set(token, now + faults.tokenTtlSeconds * 1000);
    return token;
  };

  const isAuthorized = (request: FastifyRequest): boolean => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(headerValue(request, 'authorization') ?? '');
    if (!match) return false;
    const expiresAt = tokens.get(match[1]);
    if (expiresAt === undefined) return false;
    if (expiresAt <= Date.now()) {
      tokens.delete(match[1]);
      return false;
    }
    return true;
  };

  const count = (record: Record<string, number>, key: string): void => {
    record[key] = (record[key] ?? 0) + 1;
  };

  const sendWebhook = async (event: WebhookEventName, payload: WebhookPayload): Promise<number> => {
    if (!webhook) throw new Error('No webhook target is configured');
    if (!isWebhookEvent(event)) throw new RangeError(`Unknown webhook event: ${String(event)}`);
    const status = await deliverWebhook(webhook, buildWebhookEnvelope(event, payload));
    stats.webhooksSent++;
    return status;
  };

  const app: FastifyInstance = Fastify({ logger: false, forceCloseConnections: true, bodyLimit: 64 * 1024 * 1024 });

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(typeof body === 'string' ? body : body.toString('utf8'))));
  });

  app.setErrorHandler((error: unknown, _request, reply) => {
    let status = 500;
    if (
      error instanceof RangeError ||
      error instanceof InvalidSeedError ||
      error instanceof InvalidCursorError ||
      error instanceof BadRequestError
    )
      status = 400;
    else if (error instanceof UnknownLearningPathError) status = 404;
    else if (isObject(error) && typeof error.statusCode === 'number') status = error.statusCode;
    const message = status >= 500 && status !== 503 ? 'Internal Server Error' : error instanceof Error ? error.message : 'Bad Request';
    return reply.code(status).send({ errors: [{ message }] });
  });

  // Latency is the time from a request's arrival to its answer, as a client sees it: the answer is
  // held until latencyMs after arrival, so the simulator's own work does not add to it. Node's
  // timers round a fractional delay up to the next millisecond, so the remainder is rounded down.
  const delayedRoutes = new Set(['/oauth/token', '/graphql']);
  const arrivals = new WeakMap<object, number>();
  const noteArrival: onRequestHookHandler = (request, _reply, done) => {
    arrivals.set(request, performance.now());
    done();
  };
  const holdAnswer: onSendHookHandler = async (request, reply, payload) => {
    const arrivedAt = arrivals.get(request);
    if (arrivedAt !== undefined) await sleeper.sleep(Math.floor(faults.latencyMs - (performance.now() - arrivedAt)), reply.raw);
    return payload;
  };
  app.addHook('onRoute', (route) => {
    if (!delayedRoutes.has(route.url)) return;
    route.onRequest = [...(route.onRequest ? [route.onRequest].flat() : []), noteArrival];
    route.onSend = [...(route.onSend ? [route.onSend].flat() : []), holdAnswer];
  });

  // ---- OAuth 2.0 client credentials ----
  app.post('/oauth/token', async (request, reply) => {
    stats.tokenRequests++;
    const body = isObject(request.body) ? request.body : {};
    let clientId = typeof body.client_id === 'string' ? body.client_id : undefined;
    let clientSecret = typeof body.client_secret === 'string' ? body.client_secret : undefined;
    // client_secret_basic (RFC 6749 §2.3.1) as well as the documented form fields.
    const basic = /^Basic\s+(\S+)$/i.exec(headerValue(request, 'authorization') ?? '');
    if (basic && clientId === undefined) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
    }
    reply.header('Cache-Control', 'no-store');
    if (body.grant_type === undefined)
      return reply.code(400).send({ error: 'invalid_request', error_description: 'grant_type is required' });
    if (body.grant_type !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type' });
    if (
      clientId === undefined ||
      clientSecret === undefined ||
      !sameSecret(clientId, options.clientKey) ||
      !sameSecret(clientSecret, options.clientSecret)
    ) {
      return reply.code(401).header('WWW-Authenticate', 'Basic realm="opigno"').send({ error: 'invalid_client' });
    }
    return reply.send({ access_token: issueToken(), token_type: 'Bearer', expires_in: faults.tokenTtlSeconds });
  });

  // ---- GraphQL ----
  app.post('/graphql', async (request, reply) => {
    stats.graphqlRequests++;
    stats.inFlightGraphql++;
    stats.maxConcurrentGraphql = Math.max(stats.maxConcurrentGraphql, stats.inFlightGraphql);
    // In flight until the answer is out (after the latency wait) or the connection is gone.
    reply.raw.once('close', () => stats.inFlightGraphql--);
    const body = isObject(request.body) ? request.body : {};
    const query = typeof body.query === 'string' && body.query.length > 0 ? body.query : undefined;
    const operationName = typeof body.operationName === 'string' && body.operationName.length > 0 ? body.operationName : undefined;
    const clientUuid = headerValue(request, CLIENT_UUID_HEADER);
    const prepared = query === undefined ? undefined : graphql.prepare(query, operationName);

    if (prepared) {
      if (prepared.operationName) count(stats.byOperationName, prepared.operationName);
      for (const field of prepared.rootFields) {
        count(stats.byOperation, field);
        if (clientUuid !== undefined) count((stats.byOperationAndUser[field] ??= {}), clientUuid);
      }
    }

    // Faults act like a flaky network or proxy in front of Opigno: before authentication.
    if (faults.errorRate > 0 && Math.random() < faults.errorRate) {
      return reply.code(500).send({ errors: [{ message: 'Internal Server Error' }] });
    }
    if (faults.timeoutRate > 0 && Math.random() < faults.timeoutRate) {
      if (!closing) await sleeper.sleep(HANG_MS, reply.raw);
      if (closing || reply.raw.destroyed || request.raw.socket.destroyed) {
        reply.hijack();
        reply.raw.destroy();
        return reply;
      }
      return reply.code(504).send({ errors: [{ message: 'Gateway Timeout' }] });
    }
    if (faults.malformedRate > 0 && Math.random() < faults.malformedRate) {
      return reply.code(200).type('application/json').send('{"data":{"getUserContext":{"errors":[],"response":{"id":"1","uu');
    }

    if (!isAuthorized(request)) {
      return reply
        .code(401)
        .header('WWW-Authenticate', 'Bearer')
        .send({ errors: [{ message: 'Unauthorized' }] });
    }
    if (clientUuid === undefined) {
      return reply.code(400).send({ errors: [{ message: 'Opigno-Client-UUID header is required' }] });
    }
    if (!prepared) return reply.code(400).send({ errors: [{ message: 'Must provide query string.' }] });
    let variables = body.variables;
    if (typeof variables === 'string') {
      try {
        variables = JSON.parse(variables) as unknown;
      } catch {
        throw new BadRequestError('Variables are invalid JSON.');
      }
    }
    if (variables !== undefined && variables !== null && !isObject(variables)) throw new BadRequestError('Variables must be an object.');
    // Like graphql-over-http with application/json: syntax and validation errors answer 200.
    if (!prepared.ok) return reply.code(200).send({ errors: prepared.errors });
    const result = await graphql.execute(prepared, { variables: variables ?? null, operationName, clientUuid });
    return reply.code(200).send(result);
  });

  // ---- admin (unauthenticated; for the CLI, tests and manual testing) ----
  app.get('/__admin/health', async () => ({ status: 'ok', ...store.counts() }));
  app.get('/__admin/faults', async () => faults);
  app.put('/__admin/faults', async (request) => {
    Object.assign(faults, checkFaultPatch(request.body));
    return faults;
  });
  app.post('/__admin/faults/heal', async () => {
    Object.assign(faults, NO_FAULTS);
    return faults;
  });
  app.post('/__admin/seed', async (request) => store.load(parseSimulatorSeed(request.body)));
  app.post('/__admin/generate', async (request) => store.generate(toGenerateOptions(request.body)));
  app.get<{ Params: { uuid: string } }>('/__admin/users/:uuid', async (request, reply) => {
    const user = store.getUser(request.params.uuid);
    if (!user) return reply.code(404).send({ errors: [{ message: 'User context not found' }] });
    return { ...user, progress: store.listProgress(user.uuid) };
  });
  app.delete<{ Params: { uuid: string } }>('/__admin/users/:uuid', async (request, reply) => {
    return reply.code(store.removeUser(request.params.uuid) ? 204 : 404).send();
  });
  app.put<{ Params: { uuid: string; lpId: string } }>('/__admin/users/:uuid/progress/:lpId', async (request) => {
    return store.setProgress(request.params.uuid, request.params.lpId, toProgressPatch(request.body ?? {}));
  });
  app.delete<{ Params: { uuid: string; lpId: string } }>('/__admin/users/:uuid/progress/:lpId', async (request, reply) => {
    return reply.code(store.removeProgress(request.params.uuid, request.params.lpId) ? 204 : 404).send();
  });
  app.get('/__admin/stats', async () => stats);
  app.post('/__admin/stats/reset', async () => {
    resetStats();
    return stats;
  });
  app.post('/__admin/tokens/revoke', async () => {
    const revoked = tokens.size;
    tokens.clear();
    return { revoked };
  });
  app.put('/__admin/webhook', async (request) => {
    const body = request.body;
    if (body === null) webhook = null;
    else if (isObject(body) && typeof body.url === 'string' && typeof body.secret === 'string')
      webhook = { url: body.url, secret: body.secret };
    else throw new BadRequestError('The webhook target must be {"url", "secret"} or null');
    return { url: webhook?.url ?? null };
  });
  app.post('/__admin/webhooks', async (request, reply) => {
    const body = isObject(request.body) ? request.body : {};
    if (!isWebhookEvent(body.event)) throw new BadRequestError('event must be one of the Opigno webhook events');
    const payload = isObject(body.payload) ? body.payload : {};
    if (!webhook) return reply.code(409).send({ errors: [{ message: 'No webhook target is configured' }] });
    return { status: await sendWebhook(body.event, payload) };
  });

  function resetStats(): void {
    const inFlight = stats.inFlightGraphql;
    Object.assign(stats, newStats(), { inFlightGraphql: inFlight, maxConcurrentGraphql: inFlight });
  }

  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;

  return {
    url: baseUrl(options.host ?? '127.0.0.1', address.port),
    port: address.port,
    store,
    faults,
    stats,
    setFaults(patch) {
      Object.assign(faults, checkFaultPatch(patch));
    },
    healFaults() {
      Object.assign(faults, NO_FAULTS);
    },
    revokeAllTokens() {
      tokens.clear();
    },
    issueToken,
    resetStats,
    setWebhook(target) {
      webhook = target;
    },
    sendWebhook,
    async close() {
      if (closing) return;
      closing = true;
      sleeper.stop();
      await app.close();
    },
  };
}
