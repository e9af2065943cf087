import { createServer, request as httpRequest, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AppWithUpstream, startAppWithSimulator } from './support/upstream';

/** A forward proxy over plain HTTP: absolute-form requests are passed on to their target and counted. */
async function startForwardProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server: Server = createServer((incoming, outgoing) => {
    seen.push(`${incoming.method} ${incoming.url}`);
    const upstream = httpRequest(incoming.url!, { method: incoming.method, headers: incoming.headers }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('Opigno calls through a forward proxy', () => {
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;
  let env: AppWithUpstream;

  beforeAll(async () => {
    proxy = await startForwardProxy();
    env = await startAppWithSimulator({ OPIGNO_PROXY_URL: proxy.url });
  });
  afterAll(async () => {
    await env.close();
    await proxy.close();
  });

  it('sends the token request and GraphQL calls through OPIGNO_PROXY_URL', async () => {
    expect((await env.t.request('POST', '/v1/admin/connection/test')).body).toMatchObject({ ok: true });
    await env.t.request('GET', '/v1/profiles/nobody-anywhere?include=context');
    expect(proxy.seen).toEqual(
      expect.arrayContaining([`POST ${env.sim.url}/oauth/token`, expect.stringMatching(new RegExp(`^POST ${env.sim.url}/graphql`))]),
    );
  });
});

describe('Opigno calls without OPIGNO_PROXY_URL', () => {
  let env: AppWithUpstream;
  const previous = process.env.HTTP_PROXY;

  beforeAll(async () => {
    // A proxy named only in the environment is not used: nothing listens there.
    process.env.HTTP_PROXY = 'http://127.0.0.1:9';
    env = await startAppWithSimulator({ OPIGNO_PROXY_URL: '' });
  });
  afterAll(async () => {
    await env.close();
    if (previous === undefined) delete process.env.HTTP_PROXY;
    else process.env.HTTP_PROXY = previous;
  });

  it('goes straight to Opigno, ignoring HTTP_PROXY', async () => {
    expect((await env.t.request('POST', '/v1/admin/connection/test')).body).toMatchObject({ ok: true });
  });
});
