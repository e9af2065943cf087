import type { FastifyInstance } from 'fastify';

export interface LoopbackServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a bench server on 127.0.0.1 (port 0: any free port); `release` frees what it holds after it closes. */
export async function listenOnLoopback(app: FastifyInstance, port: number, release: () => void): Promise<LoopbackServer> {
  await app.listen({ port, host: '127.0.0.1' });
  const address = app.server.address();
  const bound = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${bound}`,
    close: async () => {
      await app.close();
      release();
    },
  };
}
