import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/errors/domain-error';
import { opignoConfig, OpignoConfig } from '../config/configuration';
import { UpstreamHealthIndicator } from '../health/upstream-health.indicator';
import { backoffDelayMs, sleep } from './backoff';
import { OpignoCircuit } from './opigno-circuit';
import { OpignoConnectionService, UpstreamSession } from './opigno-connection.service';
import { JOINT_USER_READ, OpignoCall, OpignoDocument, OpignoDocuments, OpignoOperation } from './opigno-documents';
import { OpignoHttp, UpstreamAnswer } from './opigno-http';
import { OpignoMetrics } from './opigno.metrics';
import {
  isRetryableUpstreamFailure,
  UpstreamAuthError,
  UpstreamMalformedError,
  UpstreamRejectedError,
  UpstreamTimeoutError,
  UpstreamUnavailableError,
} from './opigno.errors';
import type { UpstreamStatus } from './opigno.types';
import { Semaphore } from '../common/semaphore';

const CLIENT_UUID_HEADER = 'Opigno-Client-UUID';
const RETRY_BASE_MS = 100;
const AUTH_ERROR_CODES = new Set(['UNAUTHENTICATED', 'UNAUTHORIZED', 'INVALID_TOKEN']);
const AUTH_ERROR_MESSAGE = /^(unauthori[sz]ed|unauthenticated)\b|invalid[ _]token|token (has )?expired/i;

/** The upstream refused the bearer token: fetch a new one and send again, once. */
export const TOKEN_REFUSED = Symbol('token refused');

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function messageOf(error: unknown): string {
  return isObject(error) && typeof error.message === 'string' ? error.message : 'unnamed GraphQL error';
}

function isAuthError(error: unknown): boolean {
  if (!isObject(error)) return false;
  const code = isObject(error.extensions) ? error.extensions.code : undefined;
  return (typeof code === 'string' && AUTH_ERROR_CODES.has(code.toUpperCase())) || AUTH_ERROR_MESSAGE.test(messageOf(error));
}

function topLevelErrors(body: unknown): unknown[] {
  return isObject(body) && Array.isArray(body.errors) ? body.errors : [];
}

/** An answer whose root fields succeed or fail one by one: `data` (null when an error nulled all of it) and each failed root field's messages. */
export interface PartialGraphqlAnswer {
  data: Json | null;
  errorsByRootField: ReadonlyMap<string, string[]>;
}

/** The HTTP status and body of one GraphQL-over-HTTP answer: the body object, TOKEN_REFUSED, or a domain error. */
function readGraphqlBody(answer: UpstreamAnswer, operation: OpignoCall): Json | typeof TOKEN_REFUSED {
  const { status } = answer;
  if (status === 401) return TOKEN_REFUSED;
  if (status === 403) throw new UpstreamAuthError(`Opigno refused ${operation} (HTTP 403).`, { status });
  if (status === 408 || status === 504) throw new UpstreamTimeoutError(`Opigno timed out answering ${operation} (HTTP ${status}).`);
  if (status === 429)
    throw new UpstreamUnavailableError(`Opigno is rate limiting ${operation} (HTTP 429).`, 'rate_limited', answer.retryAfterSeconds ?? 1);
  if (status >= 500)
    throw new UpstreamUnavailableError(
      `Opigno failed answering ${operation} (HTTP ${status}).`,
      'server_error',
      answer.retryAfterSeconds ?? 1,
    );
  const body = parseJson(answer.text);
  if (status === 400 || status === 422) {
    const messages = topLevelErrors(body).map(messageOf);
    throw new UpstreamRejectedError(operation, messages.length > 0 ? messages : [`HTTP ${status}`]);
  }
  if (status < 200 || status >= 300) throw new UpstreamMalformedError(`Opigno answered ${operation} with an unexpected HTTP ${status}.`);
  if (!isObject(body)) throw new UpstreamMalformedError(`Opigno answered ${operation} with a body that is not a JSON object.`);
  if (body.errors !== undefined && body.errors !== null && !Array.isArray(body.errors))
    throw new UpstreamMalformedError(`Opigno answered ${operation} with an "errors" member that is not a list.`);
  return body;
}

/** Reads one GraphQL-over-HTTP answer: its `data`, TOKEN_REFUSED, or a domain error (any top-level error fails it). */
export function interpretGraphqlAnswer(answer: UpstreamAnswer, operation: OpignoCall): unknown {
  const body = readGraphqlBody(answer, operation);
  if (body === TOKEN_REFUSED) return TOKEN_REFUSED;
  const errors = topLevelErrors(body);
  if (errors.length > 0) {
    if (errors.some(isAuthError)) return TOKEN_REFUSED;
    throw new UpstreamRejectedError(operation, errors.map(messageOf));
  }
  if (!isObject(body.data)) throw new UpstreamMalformedError(`Opigno answered ${operation} without data.`);
  return body.data;
}

function rootFieldOf(error: unknown): string | null {
  const path = isObject(error) ? error.path : undefined;
  return Array.isArray(path) && typeof path[0] === 'string' ? path[0] : null;
}

/**
 * Reads an answer of a document with several root fields: errors located at a root field (GraphQL's `path`) fail only
 * that field; an authentication error asks for a new token; an error located nowhere fails the whole answer.
 */
export function interpretPartialGraphqlAnswer(answer: UpstreamAnswer, operation: OpignoCall): PartialGraphqlAnswer | typeof TOKEN_REFUSED {
  const body = readGraphqlBody(answer, operation);
  if (body === TOKEN_REFUSED) return TOKEN_REFUSED;
  const errors = topLevelErrors(body);
  if (errors.some(isAuthError)) return TOKEN_REFUSED;
  const unlocated = errors.filter((error) => rootFieldOf(error) === null);
  if (unlocated.length > 0) throw new UpstreamRejectedError(operation, unlocated.map(messageOf));
  const errorsByRootField = new Map<string, string[]>();
  for (const error of errors) {
    const field = rootFieldOf(error)!;
    errorsByRootField.set(field, [...(errorsByRootField.get(field) ?? []), messageOf(error)]);
  }
  const data = isObject(body.data) ? body.data : null;
  if (data === null && errors.length === 0) throw new UpstreamMalformedError(`Opigno answered ${operation} without data.`);
  return { data, errorsByRootField };
}

function outcomeOf(error: unknown): string {
  if (error instanceof UpstreamUnavailableError && error.reason === 'circuit_open') return 'circuit_open';
  return error instanceof DomainError ? error.code : 'error';
}

/**
 * The GraphQL transport: every call carries `Authorization: Bearer <token>` and `Opigno-Client-UUID`, goes through the
 * circuit breaker and the concurrency cap, gets one token refresh on 401, and is retried with backoff when it is a
 * query or setUserContext and the failure is transient.
 */
@Injectable()
export class OpignoGraphqlClient implements OnModuleInit {
  private readonly logger = new Logger('OpignoGraphqlClient');
  private readonly inFlight: Semaphore;

  constructor(
    @Inject(opignoConfig.KEY) private readonly config: OpignoConfig,
    private readonly documents: OpignoDocuments,
    private readonly connection: OpignoConnectionService,
    private readonly http: OpignoHttp,
    private readonly circuit: OpignoCircuit,
    private readonly metrics: OpignoMetrics,
    private readonly health: UpstreamHealthIndicator,
  ) {
    this.inFlight = new Semaphore(config.maxConcurrency);
  }

  onModuleInit(): void {
    this.health.attach(this);
    const replaced = this.documents.overridden();
    if (replaced.length > 0) this.logger.log({ files: replaced }, 'Opigno documents replaced from OPIGNO_DOCUMENTS_DIR');
  }

  status(): UpstreamStatus {
    return { state: this.circuit.state(), ...this.connection.status() };
  }

  /** Runs one operation as the user `asUserUuid` and maps its `data` (mapping errors count as the call's outcome). */
  execute<T>(operation: OpignoOperation, variables: Json, asUserUuid: string, map: (data: unknown) => T): Promise<T> {
    return this.run(this.documents.get(operation), variables, asUserUuid, interpretGraphqlAnswer, map);
  }

  /**
   * Runs the joint user read (context and first progress page) as one request. Its root fields fail one by one, so `map`
   * gets a PartialGraphqlAnswer; only failures of the whole request (transport, HTTP status, unlocated errors) throw.
   */
  executeJointUserRead<T>(variables: Json, asUserUuid: string, map: (answer: PartialGraphqlAnswer) => T): Promise<T> {
    return this.run(this.documents.get(JOINT_USER_READ), variables, asUserUuid, interpretPartialGraphqlAnswer, map);
  }

  private async run<A, T>(
    document: OpignoDocument,
    variables: Json,
    asUserUuid: string,
    interpret: (answer: UpstreamAnswer, operation: OpignoCall) => A | typeof TOKEN_REFUSED,
    map: (answer: A) => T,
  ): Promise<T> {
    const { operation } = document;
    const retryable = document.kind === 'query' || operation === 'setUserContext';
    try {
      const result = await this.withRetries(document, retryable ? this.config.retries : 0, () => {
        // Resolved per attempt: an admin may switch the connection while a call is backing off.
        const session = this.connection.session();
        return this.circuit.run(() =>
          this.inFlight.run(async () => map(await this.send(session, document, variables, asUserUuid, interpret))),
        );
      });
      this.metrics.calls.inc({ operation, outcome: 'success' });
      return result;
    } catch (error: unknown) {
      const outcome = outcomeOf(error);
      this.metrics.calls.inc({ operation, outcome });
      if (error instanceof UpstreamMalformedError || error instanceof UpstreamAuthError) {
        this.logger.warn({ operation, outcome, detail: error.message }, 'Opigno call failed');
      } else {
        this.logger.debug({ operation, outcome }, 'Opigno call failed');
      }
      throw error;
    }
  }

  private async withRetries<T>(document: OpignoDocument, retries: number, attempt: () => Promise<T>): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error: unknown) {
        if (retry >= retries || !isRetryableUpstreamFailure(error)) throw error;
        this.metrics.retries.inc({ operation: document.operation });
        await sleep(backoffDelayMs(retry, RETRY_BASE_MS));
      }
    }
  }

  private async send<A>(
    session: UpstreamSession,
    document: OpignoDocument,
    variables: Json,
    asUserUuid: string,
    interpret: (answer: UpstreamAnswer, operation: OpignoCall) => A | typeof TOKEN_REFUSED,
  ): Promise<A> {
    const token = await session.tokens.get();
    const first = interpret(await this.post(session, token, document, variables, asUserUuid), document.operation);
    if (first !== TOKEN_REFUSED) return first;

    session.tokens.invalidate(token);
    const fresh = await session.tokens.get();
    const second = interpret(await this.post(session, fresh, document, variables, asUserUuid), document.operation);
    if (second !== TOKEN_REFUSED) return second;
    session.tokens.invalidate(fresh);
    throw new UpstreamAuthError(`Opigno refused a freshly issued token for ${document.operation}.`, { status: 401 });
  }

  private post(
    session: UpstreamSession,
    token: string,
    document: OpignoDocument,
    variables: Json,
    asUserUuid: string,
  ): Promise<UpstreamAnswer> {
    const body = JSON.stringify({
      query: document.text,
      variables,
      ...(document.operationName ? { operationName: document.operationName } : {}),
    });
    return this.http.post(
      session.graphqlUrl,
      body,
      {
        'Content-Type': 'application/json',
        Accept: 'application/json',
        Authorization: `Bearer ${token}`,
        [CLIENT_UUID_HEADER]: asUserUuid,
      },
      document.operation,
    );
  }
}
