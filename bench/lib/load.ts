import autocannon from 'autocannon';

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
  total: number;
}

export interface LoadOptions {
  url: string;
  connections?: number;
  durationSeconds?: number;
  amount?: number;
  requests?: autocannon.Request[];
  headers?: Record<string, string>;
  method?: autocannon.Request['method'];
  body?: string;
}

/** Drives HTTP load with autocannon and answers the figures the scenarios compare. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections ?? 50,
    duration: options.amount ? undefined : (options.durationSeconds ?? 8),
    amount: options.amount,
    headers: options.headers,
    method: options.method,
    body: options.body,
    requests: options.requests,
  });
  const latency = result.latency as unknown as Record<string, number>;
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: latency.p50 ?? 0,
    p95Ms: latency.p97_5 ?? latency.p90 ?? 0,
    p99Ms: latency.p99 ?? 0,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.requests.total,
  };
}

/** p-quantile of a list of millisecond samples. */
export function quantile(samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
