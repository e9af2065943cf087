import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule, AppModuleOptions } from './app.module';
import { API_SECURITY_HEADER_OPTIONS, computeSecurityHeaders, DOCS_SECURITY_HEADER_OPTIONS } from './common/http/security-headers';
import { parseQueryString, registerJsonParsers } from './common/http/json-body';
import { BadRequestError } from './common/errors/domain-error';
import { sendProblem } from './common/filters/problem.filter';
import { Logger as NestLogger } from '@nestjs/common';
import { serverConfig } from './config/configuration';
import { ApiKeysService } from './auth/api-keys.service';
import { authenticateUnmatched } from './auth/api-key.guard';
import { MetricsService } from './metrics/metrics.service';
import { setupOpenApi } from './openapi';
import { logRequests } from './logging/request-logging';
import { captureRawBody } from './sync/webhooks/raw-body';
import { OPIGNO_WEBHOOK_ROUTE } from './sync/webhooks/webhooks.controller';
import { serveDirectRoutes } from './common/http/direct-routes';
import { COMBINED_READ_DIRECT_ROUTES } from './combined-reads/combined-reads.direct-routes';

const frameworkLogger = new NestLogger('Http');
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

function requestIdOf(req: IncomingMessage): string {
  const offered = req.headers['x-request-id'];
  const id = typeof offered === 'string' && REQUEST_ID_PATTERN.test(offered) ? offered : randomUUID();
  (req as IncomingMessage & { id: string }).id = id;
  return id;
}

/** Builds the fully configured app (used by main.ts, the e2e suites and the benchmarks). */
export async function createApp(options: AppModuleOptions = {}): Promise<NestFastifyApplication> {
  const config = serverConfig();
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    genReqId: requestIdOf,
    trustProxy: true,
    return503OnClosing: false,
    forceCloseConnections: 'idle',
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 256, querystringParser: parseQueryString },
    // Router-level refusals (undecodable URL, over-long parameter) get the same problem+json as everything else.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
      sendProblem(error, request, reply, frameworkLogger),
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(options), adapter, {
    bufferLogs: true,
    bodyParser: false,
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  const fastify = app.getHttpAdapter().getInstance();

  if (config.corsOrigins.length > 0) {
    app.enableCors({ origin: config.corsOrigins, exposedHeaders: ['ETag', 'X-Request-Id', 'Retry-After', 'Location'] });
  }

  const metrics = app.get(MetricsService);
  const apiKeys = app.get(ApiKeysService);
  logRequests(fastify);
  const apiSecurityHeaders = computeSecurityHeaders(API_SECURITY_HEADER_OPTIONS);
  const docsSecurityHeaders = computeSecurityHeaders(DOCS_SECURITY_HEADER_OPTIONS);
  // Callback hooks rather than async ones: no promise per request on the hot path.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(request.url.startsWith('/docs') ? docsSecurityHeaders : apiSecurityHeaders);
    void reply.header('x-request-id', request.id);
    if (request.url.includes('%00')) {
      done(new BadRequestError('invalid_character', 'The URL contains the character U+0000, which is not accepted.'));
      return;
    }
    // Unknown /v1 paths answer 401 to anonymous callers, so the API's shape is not probeable without a key.
    if (request.is404 && request.url.startsWith('/v1')) {
      authenticateUnmatched(apiKeys, request.headers.authorization).then(() => done(), done);
      return;
    }
    done();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  // JSON only (plus NDJSON for bulk import): anything else is 415.
  fastify.removeContentTypeParser(['text/plain']);
  registerJsonParsers(fastify);
  fastify.addContentTypeParser(
    ['application/x-ndjson', 'application/ndjson'],
    { parseAs: 'string', bodyLimit: config.importBodyLimitBytes },
    (_request, body, done) => done(null, body),
  );

  serveDirectRoutes(app, COMBINED_READ_DIRECT_ROUTES);
  captureRawBody(fastify, [OPIGNO_WEBHOOK_ROUTE]);
  setupOpenApi(app);
  return app;
}
