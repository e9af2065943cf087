import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toNumber = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }): unknown => {
  if (value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }): unknown => (value === '' ? undefined : value);

/** Every environment variable the service reads. Validated once at boot. */
export class Environment {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' = 'info';

  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString()
  @MinLength(1)
  SQLITE_PATH = './data/companion.sqlite';

  @IsIn(['OFF', 'NORMAL', 'FULL', 'EXTRA'])
  SQLITE_SYNCHRONOUS: 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA' = 'NORMAL';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(24, { message: 'ADMIN_API_KEY must be at least 24 characters' })
  ADMIN_API_KEY?: string;

  @IsString()
  CORS_ORIGINS = '';

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(100 * 1024 * 1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  IMPORT_BODY_LIMIT_BYTES = 50 * 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 6000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  SHUTDOWN_GRACE_MS = 10_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(600_000)
  API_KEY_CACHE_MS = 5_000;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'OPIGNO_BASE_URL must be an http(s) URL' },
  )
  OPIGNO_BASE_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsUrl(
    { require_tld: false, protocols: ['http', 'https'], require_protocol: true },
    { message: 'OPIGNO_PROXY_URL must be an http(s) URL' },
  )
  OPIGNO_PROXY_URL?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(512)
  OPIGNO_CLIENT_KEY?: string;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MaxLength(1024)
  OPIGNO_CLIENT_SECRET?: string;

  @IsString()
  @Matches(/^\//, { message: 'OPIGNO_GRAPHQL_PATH must start with /' })
  OPIGNO_GRAPHQL_PATH = '/graphql';

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  OPIGNO_DOCUMENTS_DIR?: string;

  /** The Opigno-Client-UUID sent on calls that act on no particular user (the catalogue). */
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, {
    message: 'OPIGNO_SERVICE_UUID must be 1 to 128 characters from A-Z a-z 0-9 . _ : @ - starting with a letter or digit',
  })
  OPIGNO_SERVICE_UUID = 'companion-service';

  @Transform(toInt)
  @IsInt()
  @Min(50)
  @Max(120_000)
  OPIGNO_TIMEOUT_MS = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(10)
  OPIGNO_RETRIES = 2;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OPIGNO_MAX_CONCURRENCY = 32;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  OPIGNO_CIRCUIT_VOLUME_THRESHOLD = 5;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  OPIGNO_CIRCUIT_ERROR_PERCENT = 50;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(600_000)
  OPIGNO_CIRCUIT_RESET_MS = 5000;

  @IsOptional()
  @Transform(emptyToUndefined)
  @IsString()
  @MinLength(16, { message: 'OPIGNO_WEBHOOK_SECRET must be at least 16 characters' })
  OPIGNO_WEBHOOK_SECRET?: string;

  /** 32 bytes as 64 hex chars or base64; encrypts secrets at rest (AES-256-GCM). */
  @IsOptional()
  @Transform(emptyToUndefined)
  @Matches(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, { message: 'ENCRYPTION_KEY must be 32 bytes as 64 hex characters or base64' })
  ENCRYPTION_KEY?: string;

  @Transform(toBool)
  @IsBoolean()
  SIMULATOR_ENABLED = true;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  SIMULATOR_USERS = 25;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600_000)
  UPSTREAM_CACHE_TTL_MS = 30_000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86_400_000)
  UPSTREAM_STALE_WINDOW_MS = 300_000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(100)
  UPSTREAM_BATCH_CONCURRENCY = 8;

  @Transform(toBool)
  @IsBoolean()
  SYNC_SCHEDULER_ENABLED = true;

  @IsString()
  SYNC_CRON_CONTEXTS = '0 */6 * * *';

  @IsString()
  SYNC_CRON_PROGRESS = '*/15 * * * *';

  @IsString()
  SYNC_CRON_TRAININGS = '0 * * * *';

  @IsString()
  SYNC_CRON_RETRY_PENDING = '*/5 * * * *';

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(256)
  SYNC_CONCURRENCY = 8;

  @Transform(toNumber)
  @Min(0)
  SYNC_MAX_RPS = 200;

  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3600_000)
  SYNC_LEASE_MS = 30_000;

  /** First pause of a sync run after an upstream outage; doubles per consecutive failure up to SYNC_BACKOFF_MAX_MS. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(600_000)
  SYNC_BACKOFF_BASE_MS = 500;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(3600_000)
  SYNC_BACKOFF_MAX_MS = 30_000;

  /** Attempts per item when the upstream is unavailable, before the item is recorded as failed. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(20)
  SYNC_ITEM_ATTEMPTS = 4;

  /** Per job, per-item records are kept for this many newest runs. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10_000)
  SYNC_RUN_RETENTION = 20;
}

export class EnvironmentError extends Error {}

const SECRET_VARIABLES = new Set(['ADMIN_API_KEY', 'OPIGNO_CLIENT_SECRET', 'OPIGNO_WEBHOOK_SECRET', 'ENCRYPTION_KEY', 'DATABASE_URL']);

/** Validates raw variables; throws one message naming each bad variable. */
export function validateEnvironment(raw: Record<string, string | undefined>): Environment {
  const env = plainToInstance(Environment, { ...raw }, { exposeDefaultValues: true });
  const failures = validateSync(env, { skipMissingProperties: false, forbidUnknownValues: false });
  if (failures.length > 0) {
    const lines = failures.map((f) => {
      const reasons = Object.values(f.constraints ?? {}).join('; ');
      const shown = SECRET_VARIABLES.has(f.property) ? '(value hidden)' : `(got ${JSON.stringify(f.value)})`;
      return `${f.property}: ${reasons} ${shown}`;
    });
    throw new EnvironmentError(`Invalid configuration: ${lines.join(' | ')}`);
  }
  if (env.NODE_ENV === 'production' && !env.OPIGNO_BASE_URL) {
    throw new EnvironmentError(
      'Invalid configuration: OPIGNO_BASE_URL is required when NODE_ENV=production ' +
        '(the bundled Opigno simulator never runs in production); set it to the Opigno Enterprise base URL.',
    );
  }
  return env;
}
