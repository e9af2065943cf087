import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { randomBytes, randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError, DomainError, ValidationFailedError } from '../common/errors/domain-error';
import { SecretBox, SecretBoxError } from '../common/crypto/secret-box';
import { authConfig, AuthConfig, opignoConfig, OpignoConfig } from '../config/configuration';
import type { RunningSimulator } from '../simulator/simulator';
import { OpignoCircuit } from './opigno-circuit';
import { OpignoConnectionRow } from './opigno-connection.entity';
import { OpignoConnectionRepository } from './opigno-connection.repository';
import { OpignoHttp } from './opigno-http';
import { OpignoMetrics } from './opigno.metrics';
import { UpstreamAuthError, UpstreamNotConfiguredError } from './opigno.errors';
import type { CircuitState, ConnectionSource } from './opigno.types';
import { IssuedToken, TokenCache, TokenStatus } from './token-cache';
import { requestClientCredentialsToken } from './token-endpoint';

/** Authenticated data for AES-GCM: binds the sealed secret to this column. */
const SECRET_CONTEXT = 'opigno_connection.client_secret';
/** How often an instance checks whether another instance changed the stored connection. */
const CHANGE_CHECK_INTERVAL_MS = 10_000;
/** Refused credentials are answered from memory this long, so bad credentials do not hammer the token endpoint. */
const REFUSED_CREDENTIALS_COOLDOWN_MS = 5_000;

/** Everything needed to call the upstream. Holds the secret: never log or return it. */
export interface UpstreamConnection {
  source: ConnectionSource;
  baseUrl: string;
  graphqlPath: string;
  clientKey: string;
  clientSecret: string;
}

/** One connection and its token cache: new credentials mean a new session, so the old token is dropped with it. */
export class UpstreamSession {
  readonly graphqlUrl: string;

  constructor(
    readonly connection: UpstreamConnection,
    readonly tokens: TokenCache,
  ) {
    this.graphqlUrl = connection.baseUrl + connection.graphqlPath;
  }
}

/** What an admin may see of the connection (never the secret or the token). */
export interface ConnectionDescription {
  configured: boolean;
  source: ConnectionSource;
  baseUrl: string | null;
  graphqlPath: string;
  clientKey: string | null;
  secretSet: boolean;
  token: TokenStatus;
  circuit: CircuitState;
  updatedAt: string | null;
  /** why calls cannot be made, when they cannot */
  problem: string | null;
}

export interface ConnectionUpdate {
  baseUrl: string;
  clientKey: string;
  clientSecret?: string;
  graphqlPath?: string;
}

export interface ConnectionTestResult {
  ok: true;
  expiresIn: number;
}

interface ResolvedConnection {
  source: ConnectionSource;
  baseUrl: string | null;
  graphqlPath: string;
  clientKey: string | null;
  secretSet: boolean;
  updatedAt: string | null;
  revision: string | null;
  problem: string | null;
  session: UpstreamSession | null;
}

function withoutTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** OPIGNO_BASE_URL without a trailing slash, and without any user:password (which must never reach a log). */
function configuredBaseUrl(configured: string): { baseUrl: string; hasCredentials: boolean } {
  const url = new URL(configured);
  const hasCredentials = url.username !== '' || url.password !== '';
  url.username = '';
  url.password = '';
  return { baseUrl: withoutTrailingSlash(url.toString()), hasCredentials };
}

/** The base URL as stored: http(s), no credentials, query or fragment, no trailing slash. */
function normalizeBaseUrl(input: string): string {
  const invalid = (message: string): ValidationFailedError =>
    new ValidationFailedError([{ field: 'baseUrl', code: 'invalid_url', message }]);
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid('baseUrl must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('baseUrl must be an http(s) URL');
  if (url.username || url.password) throw invalid('baseUrl may not contain credentials');
  if (url.search || url.hash) throw invalid('baseUrl may not have a query or fragment');
  return withoutTrailingSlash(`${url.origin}${url.pathname}`);
}

/**
 * Which upstream to call, with which credentials. Precedence: the admin's stored connection (database),
 * then OPIGNO_* from the environment (config), then the in-process simulator (development only).
 */
@Injectable()
export class OpignoConnectionService implements OnModuleInit, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly logger = new Logger('OpignoConnection');
  private readonly secretBox: SecretBox | null;
  private simulator: RunningSimulator | null = null;
  private simulatorConnection: UpstreamConnection | null = null;
  private current: ResolvedConnection;
  private nextChangeCheckAt = 0;
  private changeCheck: Promise<void> | null = null;
  private closing = false;

  constructor(
    @Inject(opignoConfig.KEY) private readonly config: OpignoConfig,
    @Inject(authConfig.KEY) auth: AuthConfig,
    private readonly repository: OpignoConnectionRepository,
    private readonly http: OpignoHttp,
    private readonly circuit: OpignoCircuit,
    private readonly metrics: OpignoMetrics,
  ) {
    this.secretBox = SecretBox.fromEncodedKey(auth.encryptionKey);
    this.current = this.resolve(null);
  }

  async onModuleInit(): Promise<void> {
    const stored = await this.repository.findCurrent();
    if (this.config.startSimulator && !stored) await this.startSimulator();
    this.current = this.resolve(stored);
    this.nextChangeCheckAt = Date.now() + CHANGE_CHECK_INTERVAL_MS;
    if (this.current.session) {
      this.logger.log(
        { source: this.current.source, baseUrl: this.current.baseUrl },
        `Opigno upstream: ${this.current.baseUrl} (from ${this.current.source})`,
      );
    } else {
      this.logger.warn({ source: this.current.source }, `Opigno upstream not usable: ${this.current.problem}`);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    await this.changeCheck;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.simulator?.close();
    this.simulator = null;
  }

  /** The session to call the upstream with; throws UpstreamNotConfiguredError when there is none. */
  session(): UpstreamSession {
    this.noticeChangesByOtherInstances();
    const session = this.current.session;
    if (!session) throw new UpstreamNotConfiguredError(this.current.problem ?? 'No Opigno upstream is configured.');
    return session;
  }

  status(): { configured: boolean; source: ConnectionSource } {
    return { configured: this.current.session !== null, source: this.current.source };
  }

  async describe(): Promise<ConnectionDescription> {
    if (!this.closing) await this.reloadIfChanged();
    const current = this.current;
    return {
      configured: current.session !== null,
      source: current.source,
      baseUrl: current.baseUrl,
      graphqlPath: current.graphqlPath,
      clientKey: current.clientKey,
      secretSet: current.secretSet,
      token: current.session?.tokens.status() ?? { cached: false, expiresAt: null },
      circuit: this.circuit.state(),
      updatedAt: current.updatedAt,
      problem: current.problem,
    };
  }

  /** Stores the admin's connection (secret sealed) and switches to it at once, dropping the cached token. */
  async update(input: ConnectionUpdate): Promise<ConnectionDescription> {
    const baseUrl = normalizeBaseUrl(input.baseUrl);
    const stored = await this.repository.findCurrent();
    let sealedSecret: string;
    if (input.clientSecret !== undefined) {
      if (!this.secretBox) {
        throw new ConflictError(
          'encryption_key_missing',
          'ENCRYPTION_KEY is not configured, so a client secret cannot be stored encrypted. Set ENCRYPTION_KEY (32 bytes as 64 hex characters or base64) and try again.',
        );
      }
      sealedSecret = this.secretBox.seal(input.clientSecret, SECRET_CONTEXT);
    } else if (stored?.clientSecretSealed && originOf(stored.baseUrl) === originOf(baseUrl)) {
      sealedSecret = stored.clientSecretSealed;
    } else {
      // A stored secret is only ever sent to the host it was given for.
      throw new ValidationFailedError([
        {
          field: 'clientSecret',
          code: 'secret_required',
          message: 'clientSecret is required when no secret is stored yet or the base URL points to another host',
        },
      ]);
    }
    const row = await this.repository.saveCurrent({
      baseUrl,
      graphqlPath: input.graphqlPath ?? stored?.graphqlPath ?? this.config.graphqlPath,
      clientKey: input.clientKey,
      clientSecretSealed: sealedSecret,
      revision: randomUUID(),
      updatedAt: new Date().toISOString(),
    });
    this.switchTo(row);
    this.logger.log({ source: 'database', baseUrl }, 'Opigno connection changed by an admin');
    return await this.describe();
  }

  /** Drops the stored connection (secret included) and falls back to the environment's, at once. */
  async reset(): Promise<ConnectionDescription> {
    if (!(await this.repository.deleteCurrent())) {
      throw new NotFoundError('No connection is stored; the environment configuration is already in use.', 'connection_not_stored');
    }
    this.switchTo(null);
    this.logger.log({ source: this.current.source, baseUrl: this.current.baseUrl }, 'Stored Opigno connection removed by an admin');
    return await this.describe();
  }

  /** Fetches a fresh token with the current credentials (bypassing the circuit breaker, so it also works while it is open). */
  async test(): Promise<ConnectionTestResult> {
    const fresh = await this.session().tokens.refresh();
    return { ok: true, expiresIn: fresh.expiresInSeconds };
  }

  private switchTo(row: OpignoConnectionRow | null): void {
    this.current = this.resolve(row);
    this.circuit.reset();
  }

  private resolve(row: OpignoConnectionRow | null): ResolvedConnection {
    if (row) return this.resolveStored(row);
    const { clientKey, clientSecret, graphqlPath } = this.config;
    if (this.config.baseUrl) {
      const { baseUrl, hasCredentials } = configuredBaseUrl(this.config.baseUrl);
      const missing = [clientKey ? null : 'OPIGNO_CLIENT_KEY', clientSecret ? null : 'OPIGNO_CLIENT_SECRET'].filter(
        (name) => name !== null,
      );
      const usable = clientKey && clientSecret && !hasCredentials;
      const problem = hasCredentials
        ? 'OPIGNO_BASE_URL may not contain credentials.'
        : `OPIGNO_BASE_URL is set but ${missing.join(' and ')} is not.`;
      return {
        source: 'config',
        baseUrl,
        graphqlPath,
        clientKey: clientKey ?? null,
        secretSet: Boolean(clientSecret),
        updatedAt: null,
        revision: null,
        problem: usable ? null : problem,
        session: usable ? this.newSession({ source: 'config', baseUrl, graphqlPath, clientKey, clientSecret }) : null,
      };
    }
    if (this.simulatorConnection) {
      const connection = this.simulatorConnection;
      return { ...connection, secretSet: true, updatedAt: null, revision: null, problem: null, session: this.newSession(connection) };
    }
    return {
      source: 'config',
      baseUrl: null,
      graphqlPath,
      clientKey: clientKey ?? null,
      secretSet: Boolean(clientSecret),
      updatedAt: null,
      revision: null,
      problem:
        'No Opigno upstream is configured: set OPIGNO_BASE_URL, OPIGNO_CLIENT_KEY and OPIGNO_CLIENT_SECRET, or PUT /v1/admin/connection.',
      session: null,
    };
  }

  private resolveStored(row: OpignoConnectionRow): ResolvedConnection {
    const described = {
      source: 'database' as const,
      baseUrl: row.baseUrl,
      graphqlPath: row.graphqlPath,
      clientKey: row.clientKey,
      secretSet: row.clientSecretSealed !== null,
      updatedAt: row.updatedAt,
      revision: row.revision,
    };
    const unusable = (problem: string): ResolvedConnection => ({ ...described, problem, session: null });
    if (row.clientSecretSealed === null)
      return unusable('The stored connection has no client secret: PUT /v1/admin/connection with clientSecret.');
    if (!this.secretBox) return unusable('ENCRYPTION_KEY is not set, so the stored client secret cannot be decrypted.');
    let clientSecret: string;
    try {
      clientSecret = this.secretBox.open(row.clientSecretSealed, SECRET_CONTEXT);
    } catch (error: unknown) {
      if (!(error instanceof SecretBoxError)) throw error;
      return unusable(
        'The stored client secret does not decrypt with the current ENCRYPTION_KEY: PUT /v1/admin/connection with clientSecret again.',
      );
    }
    const connection: UpstreamConnection = {
      source: 'database',
      baseUrl: row.baseUrl,
      graphqlPath: row.graphqlPath,
      clientKey: row.clientKey,
      clientSecret,
    };
    return { ...described, problem: null, session: this.newSession(connection) };
  }

  private newSession(connection: UpstreamConnection): UpstreamSession {
    const tokens = new TokenCache(() => this.fetchToken(connection), {
      failureCooldownMs: REFUSED_CREDENTIALS_COOLDOWN_MS,
      remembersFailure: (error) => error instanceof UpstreamAuthError,
    });
    return new UpstreamSession(connection, tokens);
  }

  private async fetchToken(connection: UpstreamConnection): Promise<IssuedToken> {
    try {
      const issued = await requestClientCredentialsToken(this.http, connection);
      this.metrics.tokenFetches.inc({ outcome: 'success' });
      return issued;
    } catch (error: unknown) {
      const outcome = error instanceof DomainError ? error.code : 'error';
      this.metrics.tokenFetches.inc({ outcome });
      if (error instanceof UpstreamAuthError) {
        this.logger.warn(
          { source: connection.source, baseUrl: connection.baseUrl, upstream: error.extensions },
          'Opigno refused the client credentials',
        );
      } else {
        this.logger.debug({ source: connection.source, outcome }, 'Opigno token request failed');
      }
      throw error;
    }
  }

  /** Another instance may have stored a new connection: check the revision now and then, off the request path. */
  private noticeChangesByOtherInstances(): void {
    const now = Date.now();
    if (this.closing || this.changeCheck || now < this.nextChangeCheckAt) return;
    this.nextChangeCheckAt = now + CHANGE_CHECK_INTERVAL_MS;
    this.changeCheck = this.reloadIfChanged()
      .catch((error: unknown) => {
        this.logger.warn({ error: error instanceof Error ? error.name : 'unknown' }, 'Could not check the stored Opigno connection');
      })
      .finally(() => {
        this.changeCheck = null;
      });
  }

  private async reloadIfChanged(): Promise<void> {
    const revision = await this.repository.findCurrentRevision();
    if (revision === this.current.revision) return;
    const row = await this.repository.findCurrent();
    if ((row?.revision ?? null) === this.current.revision) return;
    this.switchTo(row);
    this.logger.log({ source: this.current.source, baseUrl: this.current.baseUrl }, 'Opigno connection changed by another instance');
  }

  private async startSimulator(): Promise<void> {
    const { startSimulator } = await import('../simulator/simulator');
    const clientKey = `dev-${randomBytes(6).toString('hex')}`;
    const clientSecret = randomBytes(24).toString('base64url');
    const simulator = await startSimulator({ port: 0, clientKey, clientSecret, generate: { users: this.config.simulatorUsers } });
    this.simulator = simulator;
    this.simulatorConnection = { source: 'simulator', baseUrl: simulator.url, graphqlPath: '/graphql', clientKey, clientSecret };
    const counts = simulator.store.counts();
    this.logger.warn(
      { source: 'simulator', baseUrl: simulator.url },
      `No OPIGNO_BASE_URL is set: the upstream is an in-process Opigno SIMULATOR at ${simulator.url} ` +
        `(${counts.users} generated users, ${counts.learningPaths} learning paths). Development only: set OPIGNO_BASE_URL to use a real Opigno.`,
    );
  }
}
