import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { ServerConfig } from '../config/configuration';

/** Log paths whose values are secrets. pino replaces them with "[Redacted]". */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-opigno-lip-signature"]',
  '*.authorization',
  '*.Authorization',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.access_token',
  '*.accessToken',
  '*.token',
  '*.apiKey',
  '*.key',
  'err.config',
  'err.request',
  'err.response',
];

export function buildLoggerOptions(config: ServerConfig, stream?: DestinationStream): Params {
  const options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  // No HTTP middleware: requests are logged by Fastify hooks (see logRequests); pinoHttp only builds the root logger.
  return { pinoHttp: stream ? [options, stream] : options, renameContext: 'context', forRoutes: [] } as Params;
}
