import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';

export type RequestWithRawBody = FastifyRequest & { rawBody?: Buffer };

/**
 * Keeps the exact request bytes of the given routes on `request.rawBody` (signatures are over the
 * raw body) and hands Fastify's JSON parser an identical stream. Attached to those routes only, as
 * they are registered, so no other request pays for a hook: call it before the app initializes.
 */
export function captureRawBody(fastify: FastifyInstance, routeUrls: readonly string[]): void {
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (!routeUrls.includes(route.url)) return;
    const existing = route.preParsing ? [route.preParsing].flat() : [];
    route.preParsing = [...existing, keepRawBody];
  });
}

async function keepRawBody(request: RequestWithRawBody, _reply: FastifyReply, payload: AsyncIterable<unknown>): Promise<Readable> {
  const chunks: Buffer[] = [];
  for await (const chunk of payload) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
  const raw = Buffer.concat(chunks);
  request.rawBody = raw;
  const replay = Readable.from([raw]) as Readable & { receivedEncodedLength?: number };
  replay.receivedEncodedLength = raw.length;
  return replay;
}
