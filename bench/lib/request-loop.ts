import { quantile } from './load';

export interface LoopResult {
  requestsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  total: number;
}

/**
 * Runs `workers` concurrent request loops for `seconds`; each iteration is one request whose
 * latency is sampled. For loads autocannon cannot express (per-connection state such as ETags).
 */
export async function requestLoop(workers: number, seconds: number, iteration: (worker: number) => Promise<boolean>): Promise<LoopResult> {
  const samples: number[] = [];
  let errors = 0;
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) {
        const t0 = performance.now();
        const ok = await iteration(worker).catch(() => false);
        samples.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: samples.length / elapsed,
    p50Ms: quantile(samples, 0.5),
    p95Ms: quantile(samples, 0.95),
    p99Ms: quantile(samples, 0.99),
    errors,
    total: samples.length,
  };
}
