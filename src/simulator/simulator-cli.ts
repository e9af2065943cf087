import { FaultSettings, SimulatorOptions } from './simulator';
import { GenerateOptions } from './simulator-store';

export const DEFAULT_SIMULATOR_PORT = 4010;
export const DEFAULT_CLIENT_KEY = 'companion-dev';
export const DEFAULT_CLIENT_SECRET = 'companion-dev-secret';

export const SIMULATOR_USAGE = `Usage: node dist/src/simulator/main.js [options]

Simulates an Opigno Enterprise instance (POST /oauth/token, POST /graphql, /__admin/*).

  --port <n>                listen port (default ${DEFAULT_SIMULATOR_PORT}; 0 = random)
  --host <addr>             listen address (default 127.0.0.1)
  --client-key <key>        accepted client_id (default ${DEFAULT_CLIENT_KEY})
  --client-secret <secret>  accepted client_secret (default ${DEFAULT_CLIENT_SECRET})
  --token-ttl <s>           expires_in of issued tokens (default 3600)
  --seed <file.json>        load users, learning paths and progress from a JSON seed
  --users <n>               generate n users (user-1..user-n)
  --learning-paths <n>      learning paths to generate with --users (default 20)
  --progress-per-user <n>   progress records per generated user (default 3)
  --random-seed <n>         PRNG seed of the generator (default 42)
  --latency <ms>            answer token and GraphQL requests this long after they arrive
  --error-rate <0..1>       share of /graphql requests answered 500
  --timeout-rate <0..1>     share of /graphql requests that never answer
  --malformed-rate <0..1>   share of /graphql requests answered with a broken body
  --webhook-url <url>       where POST /__admin/webhooks delivers events
  --webhook-secret <secret> HMAC secret of the X-Opigno-LIP-Signature header
  -h, --help                show this help
`;

export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

export interface SimulatorCli {
  help: boolean;
  options: SimulatorOptions;
  seedFile?: string;
}

const VALUE_FLAGS = new Set([
  'port',
  'host',
  'client-key',
  'client-secret',
  'token-ttl',
  'seed',
  'users',
  'learning-paths',
  'progress-per-user',
  'random-seed',
  'latency',
  'error-rate',
  'timeout-rate',
  'malformed-rate',
  'webhook-url',
  'webhook-secret',
]);

function integer(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max)
    throw new CliUsageError(`--${flag} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
}

function decimal(flag: string, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(value) || value < min || value > max)
    throw new CliUsageError(`--${flag} must be a number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** Parses `--flag value` and `--flag=value` arguments (process.argv without node and script). */
export function parseSimulatorArgs(argv: readonly string[]): SimulatorCli {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new CliUsageError(`Unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!VALUE_FLAGS.has(flag)) throw new CliUsageError(`Unknown option --${flag}`);
    let value: string | undefined;
    if (eq >= 0) value = arg.slice(eq + 1);
    else {
      value = argv[i + 1];
      i++;
    }
    if (value === undefined) throw new CliUsageError(`--${flag} needs a value`);
    values.set(flag, value);
  }

  const faults: Partial<FaultSettings> = {};
  const latency = values.get('latency');
  if (latency !== undefined) faults.latencyMs = integer('latency', latency, 0, 600_000);
  for (const [flag, key] of [
    ['error-rate', 'errorRate'],
    ['timeout-rate', 'timeoutRate'],
    ['malformed-rate', 'malformedRate'],
  ] as const) {
    const raw = values.get(flag);
    if (raw !== undefined) faults[key] = decimal(flag, raw, 0, 1);
  }

  const options: SimulatorOptions = {
    port: integer('port', values.get('port') ?? String(DEFAULT_SIMULATOR_PORT), 0, 65_535),
    host: values.get('host') ?? '127.0.0.1',
    clientKey: values.get('client-key') ?? DEFAULT_CLIENT_KEY,
    clientSecret: values.get('client-secret') ?? DEFAULT_CLIENT_SECRET,
    faults,
  };
  const ttl = values.get('token-ttl');
  if (ttl !== undefined) options.tokenTtlSeconds = integer('token-ttl', ttl, 1, 10 * 365 * 86_400);

  const users = values.get('users');
  const generateOnly = ['learning-paths', 'progress-per-user', 'random-seed'].filter((flag) => values.has(flag));
  if (users === undefined && generateOnly.length > 0) throw new CliUsageError(`--${generateOnly[0]} needs --users`);
  if (users !== undefined) {
    const generate: GenerateOptions = { users: integer('users', users, 0, 10_000_000) };
    const paths = values.get('learning-paths');
    if (paths !== undefined) generate.learningPaths = integer('learning-paths', paths, 0, 1_000_000);
    const perUser = values.get('progress-per-user');
    if (perUser !== undefined) generate.progressPerUser = integer('progress-per-user', perUser, 0, 10_000);
    const randomSeed = values.get('random-seed');
    if (randomSeed !== undefined) generate.seed = integer('random-seed', randomSeed, 0, 4_294_967_295);
    options.generate = generate;
  }

  const webhookUrl = values.get('webhook-url');
  const webhookSecret = values.get('webhook-secret');
  if ((webhookUrl === undefined) !== (webhookSecret === undefined))
    throw new CliUsageError('--webhook-url and --webhook-secret go together');
  if (webhookUrl !== undefined && webhookSecret !== undefined) {
    try {
      new URL(webhookUrl);
    } catch {
      throw new CliUsageError(`--webhook-url is not a URL: "${webhookUrl}"`);
    }
    options.webhook = { url: webhookUrl, secret: webhookSecret };
  }

  return { help, options, seedFile: values.get('seed') };
}
