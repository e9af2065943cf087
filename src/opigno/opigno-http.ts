import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent as HttpAgent, ClientRequest, IncomingMessage, request as httpRequest, RequestOptions } from 'node:http';
import { Agent as HttpsAgent, AgentOptions as HttpsAgentOptions, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { opignoConfig, OpignoConfig } from '../config/configuration';
import { OpignoMetrics } from './opigno.metrics';
import { UpstreamMalformedError, UpstreamTimeoutError, UpstreamUnavailableError } from './opigno.errors';

const MAX_ANSWER_BYTES = 32 * 1024 * 1024;

export interface UpstreamAnswer {
  status: number;
  /** the raw body; parsed by the caller, so a truncated body is ours to report */
  text: string;
  retryAfterSeconds?: number;
}

interface ForwardProxy {
  url: URL;
  /** Basic credentials for Proxy-Authorization, when the proxy URL carries them */
  authorization?: string;
}

function forwardProxyOf(url: string | undefined): ForwardProxy | null {
  if (!url) return null;
  const proxy = new URL(url);
  if (!proxy.username) return { url: proxy };
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { url: proxy, authorization: `Basic ${Buffer.from(credentials).toString('base64')}` };
}

function retryAfterOf(response: IncomingMessage): number | undefined {
  const header = response.headers['retry-after'];
  if (typeof header !== 'string' || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

function portOf(url: URL): number {
  return Number(url.port) || (url.protocol === 'https:' ? 443 : 80);
}

/** A request to the proxy itself: plain HTTP to an http: proxy, TLS to an https: proxy. */
function requestToProxy(proxy: ForwardProxy, options: RequestOptions): ClientRequest {
  const target = { ...options, host: proxy.url.hostname, port: portOf(proxy.url) };
  return proxy.url.protocol === 'https:' ? httpsRequest(target) : httpRequest(target);
}

/** HTTPS through a forward proxy: each socket is a CONNECT tunnel to the target, with TLS to the target inside it. */
class TunnelingAgent extends HttpsAgent {
  constructor(
    private readonly proxy: ForwardProxy,
    options: HttpsAgentOptions,
  ) {
    super(options);
  }

  override createConnection(
    options: RequestOptions & { servername?: string },
    done?: (error: Error | null, stream: Duplex) => void,
  ): undefined {
    if (!done) throw new Error('TunnelingAgent opens connections asynchronously only');
    // node:http's agent reads only the error when there is one.
    const refuse = done as (error: Error) => void;
    const authority = `${options.host ?? 'localhost'}:${options.port ?? 443}`;
    const connect = requestToProxy(this.proxy, {
      agent: false,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...(this.proxy.authorization ? { 'proxy-authorization': this.proxy.authorization } : {}) },
    });
    connect.once('connect', (answer: IncomingMessage, socket: Socket) => {
      if (answer.statusCode !== 200) {
        socket.destroy();
        refuse(new Error(`the proxy refused CONNECT ${authority} (HTTP ${answer.statusCode})`));
        return;
      }
      done(null, tlsConnect({ socket, servername: options.servername ?? options.host ?? undefined }));
    });
    connect.once('error', refuse);
    connect.end();
    return undefined;
  }
}

type Transport = (url: URL, options: RequestOptions) => ClientRequest;

/**
 * The one HTTP client of the upstream, on node:http (measured: axios cost about 0.3 ms of CPU per call and 0.6 to 0.8 ms
 * of latency per round trip here, most of combined reads' budget). Keep-alive sockets, a hard per-request deadline, no
 * redirects (a redirect could carry the client secret elsewhere), answers capped at 32 MB. Transport failures become
 * domain errors here; nothing that carries the request headers is logged or rethrown. The proxy comes from
 * OPIGNO_PROXY_URL only, never from HTTP_PROXY and friends, so the bearer token goes through no proxy nobody chose.
 */
@Injectable()
export class OpignoHttp implements OnApplicationShutdown {
  private readonly agents: Array<HttpAgent | HttpsAgent>;
  private readonly transport: Transport;
  readonly timeoutMs: number;

  constructor(
    @Inject(opignoConfig.KEY) config: OpignoConfig,
    private readonly metrics: OpignoMetrics,
  ) {
    this.timeoutMs = config.timeoutMs;
    const pool = { keepAlive: true, maxSockets: config.maxConcurrency + 4 };
    const proxy = forwardProxyOf(config.proxyUrl);
    if (proxy === null) {
      const httpAgent = new HttpAgent(pool);
      const httpsAgent = new HttpsAgent(pool);
      this.agents = [httpAgent, httpsAgent];
      this.transport = (url, options) =>
        url.protocol === 'https:'
          ? httpsRequest(url, { ...options, agent: httpsAgent })
          : httpRequest(url, { ...options, agent: httpAgent });
    } else {
      const tunnels = new TunnelingAgent(proxy, pool);
      const proxyAgent = proxy.url.protocol === 'https:' ? new HttpsAgent(pool) : new HttpAgent(pool);
      this.agents = [tunnels, proxyAgent];
      this.transport = (url, options) => {
        if (url.protocol === 'https:') return httpsRequest(url, { ...options, agent: tunnels });
        // Plain HTTP goes to the proxy in absolute form.
        const headers = {
          ...options.headers,
          host: url.host,
          ...(proxy.authorization ? { 'proxy-authorization': proxy.authorization } : {}),
        };
        return requestToProxy(proxy, { ...options, agent: proxyAgent, path: url.href, headers });
      };
    }
  }

  /** POSTs and answers status and raw body for any HTTP status; throws only transport failures (as domain errors). */
  async post(url: string, body: string, headers: Record<string, string>, operation: string): Promise<UpstreamAnswer> {
    const stopTimer = this.metrics.requestDuration.startTimer({ operation });
    try {
      return await this.exchange(new URL(url), body, headers, operation);
    } finally {
      stopTimer();
    }
  }

  onApplicationShutdown(): void {
    for (const agent of this.agents) agent.destroy();
  }

  private exchange(url: URL, body: string, headers: Record<string, string>, operation: string): Promise<UpstreamAnswer> {
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        outgoing.destroy();
        reject(error);
      };
      let outgoing: ClientRequest;
      try {
        outgoing = this.transport(url, { method: 'POST', headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } });
      } catch (error: unknown) {
        // node:http refuses some requests before sending (a header value it cannot send): nothing went out.
        const code = (error as NodeJS.ErrnoException).code ?? 'invalid_request';
        reject(new UpstreamUnavailableError(`Opigno could not be called for ${operation} (${code}).`, 'network'));
        return;
      }
      const deadline = setTimeout(
        () => fail(new UpstreamTimeoutError(`Opigno did not answer ${operation} within ${this.timeoutMs} ms.`)),
        this.timeoutMs,
      );
      outgoing.once('error', (error: NodeJS.ErrnoException) =>
        fail(new UpstreamUnavailableError(`Opigno could not be reached for ${operation} (${error.code ?? 'network'}).`, 'network')),
      );
      outgoing.once('response', (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > MAX_ANSWER_BYTES)
            fail(new UpstreamMalformedError(`Opigno answered ${operation} with more than ${MAX_ANSWER_BYTES} bytes.`));
          else chunks.push(chunk);
        });
        response.once('error', () => fail(new UpstreamMalformedError(`Opigno answered ${operation} with an unreadable response.`)));
        response.once('aborted', () => fail(new UpstreamMalformedError(`Opigno broke off its answer to ${operation}.`)));
        response.once('end', () => {
          if (settled) return;
          if (!response.complete) {
            fail(new UpstreamMalformedError(`Opigno broke off its answer to ${operation}.`));
            return;
          }
          settled = true;
          clearTimeout(deadline);
          resolve({
            status: response.statusCode ?? 0,
            text: Buffer.concat(chunks).toString('utf8'),
            retryAfterSeconds: retryAfterOf(response),
          });
        });
      });
      outgoing.end(body);
    });
  }
}
