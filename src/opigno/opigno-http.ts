import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import axios, { AxiosInstance, AxiosProxyConfig, AxiosResponse } from 'axios';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
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

/**
 * The proxy comes from OPIGNO_PROXY_URL or there is none. axios would otherwise look up
 * HTTP_PROXY/HTTPS_PROXY/NO_PROXY in the environment on every request (measured at about 40 µs of
 * CPU per call) and route the bearer token through whatever proxy the environment names.
 */
function proxyOf(url: string | undefined): AxiosProxyConfig | false {
  if (!url) return false;
  const proxy = new URL(url);
  return {
    protocol: proxy.protocol.replace(':', ''),
    host: proxy.hostname,
    port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
    ...(proxy.username ? { auth: { username: decodeURIComponent(proxy.username), password: decodeURIComponent(proxy.password) } } : {}),
  };
}

function retryAfterOf(response: AxiosResponse): number | undefined {
  const header: unknown = response.headers['retry-after'];
  if (typeof header !== 'string' || !/^\d{1,6}$/.test(header.trim())) return undefined;
  return Number(header.trim());
}

/**
 * The one HTTP client of the upstream: keep-alive sockets, a hard per-request deadline, no redirects
 * (a redirect could carry the client secret to another host). Errors become domain errors here; axios
 * errors carry the request headers, so they are never logged or rethrown.
 */
@Injectable()
export class OpignoHttp implements OnApplicationShutdown {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;
  private readonly client: AxiosInstance;
  readonly timeoutMs: number;

  constructor(
    @Inject(opignoConfig.KEY) config: OpignoConfig,
    private readonly metrics: OpignoMetrics,
  ) {
    this.timeoutMs = config.timeoutMs;
    const sockets = config.maxConcurrency + 4;
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: sockets });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: sockets });
    this.client = axios.create({
      timeout: config.timeoutMs,
      httpAgent: this.httpAgent,
      httpsAgent: this.httpsAgent,
      maxRedirects: 0,
      proxy: proxyOf(config.proxyUrl),
      maxContentLength: MAX_ANSWER_BYTES,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
    });
  }

  /** POSTs and answers status and raw body for any HTTP status; throws only transport failures (as domain errors). */
  async post(url: string, body: string, headers: Record<string, string>, operation: string): Promise<UpstreamAnswer> {
    const deadline = AbortSignal.timeout(this.timeoutMs);
    const stopTimer = this.metrics.requestDuration.startTimer({ operation });
    try {
      const response = await this.client.post<string>(url, body, { headers, signal: deadline });
      return {
        status: response.status,
        text: typeof response.data === 'string' ? response.data : String(response.data ?? ''),
        retryAfterSeconds: retryAfterOf(response),
      };
    } catch (error: unknown) {
      throw this.transportError(error, operation, deadline.aborted);
    } finally {
      stopTimer();
    }
  }

  onApplicationShutdown(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  private transportError(error: unknown, operation: string, deadlinePassed: boolean): Error {
    if (!axios.isAxiosError(error)) return error instanceof Error ? error : new Error(String(error));
    const code = error.code ?? 'unknown';
    if (deadlinePassed || code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED') {
      return new UpstreamTimeoutError(`Opigno did not answer ${operation} within ${this.timeoutMs} ms.`);
    }
    if (code === 'ERR_BAD_RESPONSE' || code === 'ERR_FR_MAX_CONTENT_LENGTH_EXCEEDED') {
      return new UpstreamMalformedError(`Opigno answered ${operation} with an unreadable response (${code}).`);
    }
    return new UpstreamUnavailableError(`Opigno could not be reached for ${operation} (${code}).`, 'network');
  }
}
