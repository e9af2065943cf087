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
  /** every request's time, in the order sent */
  durationsMs: number[];
}

/** The figures of several runs taken together. */
export function pooled(results: SequentialResult[]): SequentialResult {
  const durationsMs = results.flatMap((r) => r.durationsMs);
  return summarize(
    durationsMs,
    results.reduce((sum, r) => sum + r.non2xx, 0),
  );
}

function summarize(durationsMs: number[], non2xx: number): SequentialResult {
  return {
    p50Ms: quantile(durationsMs, 0.5),
    p90Ms: quantile(durationsMs, 0.9),
    minMs: Math.min(...durationsMs),
    samples: durationsMs.length,
    non2xx,
    durationsMs,
  };
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
  return summarize(samples, non2xx);
}
