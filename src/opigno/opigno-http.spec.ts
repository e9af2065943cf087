import { readFileSync } from 'node:fs';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { AddressInfo, connect, Socket } from 'node:net';
import { join } from 'node:path';
import type { OpignoConfig } from '../config/configuration';
import { MetricsService } from '../metrics/metrics.service';
import { OpignoHttp } from './opigno-http';
import { UpstreamMalformedError, UpstreamTimeoutError, UpstreamUnavailableError } from './opigno.errors';
import { OpignoMetrics } from './opigno.metrics';

type Handler = (request: IncomingMessage, response: ServerResponse, body: string) => void;

interface TestServer {
  url: string;
  seen: Array<{ method: string; url: string; headers: IncomingMessage['headers']; body: string }>;
  close(): Promise<void>;
}

async function serve(handler: Handler): Promise<TestServer> {
  const seen: TestServer['seen'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method!, url: request.url!, headers: request.headers, body });
      handler(request, response, body);
    });
  });
  server.on('connection', (socket) => sockets.add(socket));
  // A forward proxy's CONNECT: answered here by the handler's status only.
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    seen.push({ method: 'CONNECT', url: request.url!, headers: request.headers, body: '' });
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function httpClient(overrides: Partial<OpignoConfig> = {}): OpignoHttp {
  const config = { timeoutMs: 2_000, maxConcurrency: 4, proxyUrl: undefined, ...overrides } as OpignoConfig;
  return new OpignoHttp(config, new OpignoMetrics(new MetricsService()));
}

describe('OpignoHttp', () => {
  let server: TestServer | undefined;
  let client: OpignoHttp | undefined;

  afterEach(async () => {
    client?.onApplicationShutdown();
    await server?.close();
    server = undefined;
    client = undefined;
  });

  it('posts the body with its headers and answers any status with its raw body and Retry-After', async () => {
    server = await serve((_request, response) => response.writeHead(503, { 'retry-after': '7' }).end('busy'));
    client = httpClient();
    const answer = await client.post(`${server.url}/graphql`, '{"query":"{ x }"}', { 'Content-Type': 'application/json' }, 'op');
    expect(answer).toEqual({ status: 503, text: 'busy', retryAfterSeconds: 7 });
    expect(server.seen[0]).toMatchObject({ method: 'POST', url: '/graphql', body: '{"query":"{ x }"}' });
    expect(server.seen[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'content-length': '17' });
  });

  it('reuses one kept-alive socket for calls in sequence', async () => {
    const ports = new Set<number>();
    server = await serve((request, response) => {
      ports.add(request.socket.remotePort!);
      response.end('{}');
    });
    client = httpClient();
    for (let i = 0; i < 3; i++) await client.post(`${server.url}/graphql`, '{}', {}, 'op');
    expect(ports.size).toBe(1);
  });

  it('does not follow redirects', async () => {
    server = await serve((_request, response) => response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end());
    client = httpClient();
    await expect(client.post(`${server.url}/graphql`, '{}', {}, 'op')).resolves.toMatchObject({ status: 302 });
    expect(server.seen).toHaveLength(1);
  });

  it('gives up at the deadline with UpstreamTimeoutError', async () => {
    server = await serve(() => undefined);
    client = httpClient({ timeoutMs: 150 });
    await expect(client.post(`${server.url}/graphql`, '{}', {}, 'op')).rejects.toBeInstanceOf(UpstreamTimeoutError);
  });

  it('reports an answer broken off mid-body, or larger than 32 MB, as malformed', async () => {
    server = await serve((request, response) => {
      if (request.url === '/short') {
        response.writeHead(200, { 'content-length': '100' });
        response.write('{"data":');
        setTimeout(() => response.socket?.destroy(), 20);
        return;
      }
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      response.writeHead(200);
      for (let i = 0; i < 33; i++) response.write(chunk);
      response.end();
    });
    client = httpClient();
    await expect(client.post(`${server.url}/short`, '{}', {}, 'op')).rejects.toBeInstanceOf(UpstreamMalformedError);
    await expect(client.post(`${server.url}/huge`, '{}', {}, 'op')).rejects.toThrow('more than 33554432 bytes');
  });

  it('reports a refused connection as UpstreamUnavailableError', async () => {
    client = httpClient();
    await expect(client.post('http://127.0.0.1:9/graphql', '{}', {}, 'op')).rejects.toBeInstanceOf(UpstreamUnavailableError);
  });

  it('sends plain HTTP calls to OPIGNO_PROXY_URL in absolute form, with the proxy credentials', async () => {
    server = await serve((_request, response) => response.end('{"data":{}}'));
    client = httpClient({ proxyUrl: server.url.replace('http://', 'http://me:s%40cret@') });
    const answer = await client.post('http://opigno.invalid/graphql', '{}', {}, 'op');
    expect(answer.status).toBe(200);
    expect(server.seen[0]).toMatchObject({ url: 'http://opigno.invalid/graphql' });
    expect(server.seen[0]!.headers).toMatchObject({
      host: 'opigno.invalid',
      'proxy-authorization': `Basic ${Buffer.from('me:s@cret').toString('base64')}`,
    });
  });

  it('tunnels HTTPS calls through the proxy with CONNECT and reports a refused tunnel as unavailable', async () => {
    server = await serve(() => undefined);
    client = httpClient({ proxyUrl: server.url });
    await expect(client.post('https://opigno.invalid/graphql', '{}', {}, 'op')).rejects.toBeInstanceOf(UpstreamUnavailableError);
    expect(server.seen[0]).toMatchObject({ method: 'CONNECT', url: 'opigno.invalid:443' });
  });

  it('speaks TLS with the target itself inside the CONNECT tunnel (a certificate the target alone holds is seen)', async () => {
    const tls = join(__dirname, '..', '..', 'test', 'fixtures', 'tls');
    const target = createHttpsServer(
      { key: readFileSync(join(tls, 'localhost.key')), cert: readFileSync(join(tls, 'localhost.crt')) },
      (_request, response) => response.end('{}'),
    );
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const targetPort = (target.address() as AddressInfo).port;
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (request: IncomingMessage, socket: Socket) => {
      tunnels.push(request.url!);
      const [host, port] = request.url!.split(':');
      const onward = connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        onward.pipe(socket).pipe(onward);
      });
      onward.on('error', () => socket.destroy());
      socket.on('error', () => onward.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    client = httpClient({ proxyUrl: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` });
    try {
      // The fixture certificate is self-signed, so verification fails: proof that the handshake reached the target.
      await expect(client.post(`https://localhost:${targetPort}/graphql`, '{}', {}, 'op')).rejects.toThrow('DEPTH_ZERO_SELF_SIGNED_CERT');
      expect(tunnels).toEqual([`localhost:${targetPort}`]);
    } finally {
      target.closeAllConnections();
      proxy.closeAllConnections();
      await new Promise((resolve) => target.close(resolve));
      await new Promise((resolve) => proxy.close(resolve));
    }
  });
});
