import { ConfigType, registerAs } from '@nestjs/config';
import { Environment, validateEnvironment } from './environment';

/** The only place that reads process.env. */
export function loadEnvironment(): Environment {
  return validateEnvironment(process.env);
}

export const serverConfig = registerAs('server', () => {
  const env = loadEnvironment();
  return {
    nodeEnv: env.NODE_ENV,
    isProduction: env.NODE_ENV === 'production',
    port: env.PORT,
    host: env.HOST,
    logLevel: env.LOG_LEVEL,
    corsOrigins: env.CORS_ORIGINS.split(',')
      .map((o) => o.trim())
      .filter((o) => o.length > 0),
    bodyLimitBytes: env.BODY_LIMIT_BYTES,
    importBodyLimitBytes: env.IMPORT_BODY_LIMIT_BYTES,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS,
  };
});
export type ServerConfig = ConfigType<typeof serverConfig>;

export type DatabaseConfig =
  | { engine: 'postgres'; url: string; poolSize: number }
  | { engine: 'sqlite'; path: string; synchronous: Environment['SQLITE_SYNCHRONOUS'] };

export const databaseConfig = registerAs('database', (): DatabaseConfig => {
  const env = loadEnvironment();
  return env.DATABASE_URL
    ? { engine: 'postgres', url: env.DATABASE_URL, poolSize: env.DATABASE_POOL_SIZE }
    : { engine: 'sqlite', path: env.SQLITE_PATH, synchronous: env.SQLITE_SYNCHRONOUS };
});

export const authConfig = registerAs('auth', () => {
  const env = loadEnvironment();
  return {
    bootstrapAdminKey: env.ADMIN_API_KEY,
    keyCacheMs: env.API_KEY_CACHE_MS,
    encryptionKey: env.ENCRYPTION_KEY,
  };
});
export type AuthConfig = ConfigType<typeof authConfig>;

export const opignoConfig = registerAs('opigno', () => {
  const env = loadEnvironment();
  return {
    baseUrl: env.OPIGNO_BASE_URL,
    /** Forward proxy for upstream calls; none when absent (HTTP_PROXY and friends are not read). */
    proxyUrl: env.OPIGNO_PROXY_URL,
    clientKey: env.OPIGNO_CLIENT_KEY,
    clientSecret: env.OPIGNO_CLIENT_SECRET,
    graphqlPath: env.OPIGNO_GRAPHQL_PATH,
    documentsDir: env.OPIGNO_DOCUMENTS_DIR,
    serviceUuid: env.OPIGNO_SERVICE_UUID,
    timeoutMs: env.OPIGNO_TIMEOUT_MS,
    retries: env.OPIGNO_RETRIES,
    maxConcurrency: env.OPIGNO_MAX_CONCURRENCY,
    circuit: {
      volumeThreshold: env.OPIGNO_CIRCUIT_VOLUME_THRESHOLD,
      errorThresholdPercentage: env.OPIGNO_CIRCUIT_ERROR_PERCENT,
      resetTimeoutMs: env.OPIGNO_CIRCUIT_RESET_MS,
    },
    webhookSecret: env.OPIGNO_WEBHOOK_SECRET,
    /** Development only: start the bundled simulator when no OPIGNO_BASE_URL is set. */
    startSimulator: env.NODE_ENV !== 'production' && !env.OPIGNO_BASE_URL && env.SIMULATOR_ENABLED,
    simulatorUsers: env.SIMULATOR_USERS,
    cache: {
      ttlMs: env.UPSTREAM_CACHE_TTL_MS,
      staleWindowMs: env.UPSTREAM_STALE_WINDOW_MS,
      batchConcurrency: env.UPSTREAM_BATCH_CONCURRENCY,
    },
  };
});
export type OpignoConfig = ConfigType<typeof opignoConfig>;

export const syncConfig = registerAs('sync', () => {
  const env = loadEnvironment();
  return {
    schedulerEnabled: env.SYNC_SCHEDULER_ENABLED,
    cron: {
      contexts: env.SYNC_CRON_CONTEXTS,
      progress: env.SYNC_CRON_PROGRESS,
      trainings: env.SYNC_CRON_TRAININGS,
      'retry-pending': env.SYNC_CRON_RETRY_PENDING,
    },
    concurrency: env.SYNC_CONCURRENCY,
    maxRequestsPerSecond: env.SYNC_MAX_RPS,
    leaseMs: env.SYNC_LEASE_MS,
    backoffBaseMs: env.SYNC_BACKOFF_BASE_MS,
    backoffMaxMs: env.SYNC_BACKOFF_MAX_MS,
    itemAttempts: env.SYNC_ITEM_ATTEMPTS,
    runRetention: env.SYNC_RUN_RETENTION,
  };
});
export type SyncConfig = ConfigType<typeof syncConfig>;

export const allConfigNamespaces = [serverConfig, databaseConfig, authConfig, opignoConfig, syncConfig];
