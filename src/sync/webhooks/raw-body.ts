import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export type RequestWithRawBody = FastifyRequest & { rawBody?: Buffer };

/**
 * Keeps the exact request bytes of the given routes on `request.rawBody` (signatures are over the
 * raw body) and hands Fastify's JSON parser an identical stream. Route-scoped, so the rest of the
 * app keeps the default parsing.
 */
export function captureRawBody(fastify: FastifyInstance, routeUrls: readonly string[]): void {
  // A callback hook, not an async one: every other request passes straight through without a promise.
  fastify.addHook('preParsing', (request: RequestWithRawBody, _reply, payload, done) => {
    if (!routeUrls.includes(request.routeOptions.url ?? '')) {
      done(null, payload);
      return;
    }
    readAll(payload).then((raw) => {
      request.rawBody = raw;
      const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
      replay.receivedEncodedLength = raw.length;
      done(null, replay);
    }, done);
  });
}

async function readAll(payload: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of payload) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  return Buffer.concat(chunks);
}
