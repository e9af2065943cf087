import type { FastifyInstance } from 'fastify';
import { PinoLogger } from 'nestjs-pino';

type CompletionLevel = 'error' | 'warn' | 'info';

function levelOf(statusCode: number): CompletionLevel {
  return statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
}

/**
 * Request logging as two Fastify hooks rather than nestjs-pino's HTTP middleware (pino-http through
 * @fastify/middie, which built a child logger with the serialized request and three response
 * listeners per request: about 2.5 µs of a 30 µs keyed read). Every line logged while a request is
 * handled, through Nest's Logger or PinoLogger, carries its `reqId` (nestjs-pino's own context);
 * each request ends with one "request completed" line: error for 5xx, warn for 4xx, info otherwise.
 */
export function logRequests(fastify: FastifyInstance, context: PinoLogger): void {
  fastify.addHook('onRequest', (request, _reply, done) => context.runInContext(done, { bindings: { reqId: request.id } }));
  fastify.addHook('onResponse', (request, reply, done) => {
    const level = levelOf(reply.statusCode);
    const root = PinoLogger.root;
    if (root.isLevelEnabled(level)) {
      root[level](
        // The raw request and response, through the logger's req/res serializers (id, method, url; statusCode).
        { req: request.raw, res: reply.raw, responseTime: Math.round(reply.elapsedTime) },
        'request completed',
      );
    }
    done();
  });
}
