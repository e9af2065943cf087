import { Agent, request as httpRequest } from 'node:http';
import { quantile } from './load';

export interface SequentialRequest {
  method: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface SequentialResult {
  p50Ms: number;
  p90Ms: number;
  minMs: number;
  samples: number;
  non2xx: number;
}

/**
 * Requests one at a time over one keep-alive connection, each timed with a sub-millisecond clock
 * (autocannon records whole milliseconds, too coarse for a 3 ms budget). The same client measures
 * the app and the baselines it is compared with.
 */
export async function sequentialLatency(baseUrl: string, count: number, next: (i: number) => SequentialRequest): Promise<SequentialResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const samples: number[] = [];
  let non2xx = 0;
  try {
    for (let i = 0; i < count; i++) {
      const request = next(i);
      const started = performance.now();
      const status = await new Promise<number>((resolve, reject) => {
        const outgoing = httpRequest(baseUrl + request.path, { method: request.method, agent, headers: request.headers }, (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', reject);
        });
        outgoing.on('error', reject);
        outgoing.end(request.body);
      });
      samples.push(performance.now() - started);
      if (status < 200 || status >= 300) non2xx++;
    }
  } finally {
    agent.destroy();
  }
  return { p50Ms: quantile(samples, 0.5), p90Ms: quantile(samples, 0.9), minMs: Math.min(...samples), samples: samples.length, non2xx };
}
