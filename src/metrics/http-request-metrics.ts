import type { Registry } from 'prom-client';

/** The shape prom-client's Registry renders: what its own metrics answer from get(). */
interface MetricSnapshot {
  name: string;
  help: string;
  type: 'counter' | 'histogram';
  values: Array<{ labels: Record<string, string | number>; value: number; metricName?: string }>;
  aggregator: 'sum';
}

interface RegisteredMetric {
  name: string;
  help: string;
  type: MetricSnapshot['type'];
  aggregator: 'sum';
  get(): MetricSnapshot;
  reset(): void;
}

interface Series {
  method: string;
  route: string;
  status: number;
  count: number;
}

interface DurationSeries {
  method: string;
  route: string;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: Float64Array;
  sum: number;
  count: number;
}

export const HTTP_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * http_requests_total and http_request_duration_seconds, counted on every answer. prom-client's own
 * Counter and Histogram validate and hash the label object on each observation (measured at a few
 * µs per request on a keyed read); here a request costs one string key, one map lookup and a few
 * additions, and the label objects are built only when /metrics is scraped. The two metrics are
 * registered in prom-client's Registry, which renders them like any other.
 */
export class HttpRequestMetrics {
  private readonly requests = new Map<string, Series>();
  private readonly durations = new Map<string, DurationSeries>();

  constructor(registry: Registry) {
    registry.registerMetric(this.requestsMetric() as never);
    registry.registerMetric(this.durationMetric() as never);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    const routeKey = `${method} ${route}`;
    const requestKey = `${routeKey} ${status}`;
    const series = this.requests.get(requestKey);
    if (series) series.count++;
    else this.requests.set(requestKey, { method, route, status, count: 1 });

    let duration = this.durations.get(routeKey);
    if (!duration) {
      duration = { method, route, buckets: new Float64Array(HTTP_DURATION_BUCKETS.length + 1), sum: 0, count: 0 };
      this.durations.set(routeKey, duration);
    }
    let bucket = 0;
    while (bucket < HTTP_DURATION_BUCKETS.length && seconds > HTTP_DURATION_BUCKETS[bucket]!) bucket++;
    duration.buckets[bucket]!++;
    duration.sum += seconds;
    duration.count++;
  }

  private requestsMetric(): RegisteredMetric {
    const name = 'http_requests_total';
    const help = 'HTTP requests by method, route pattern and status';
    return {
      name,
      help,
      type: 'counter',
      aggregator: 'sum',
      get: () => ({
        name,
        help,
        type: 'counter',
        aggregator: 'sum',
        values: [...this.requests.values()].map((s) => ({
          labels: { method: s.method, route: s.route, status: String(s.status) },
          value: s.count,
        })),
      }),
      reset: () => this.requests.clear(),
    };
  }

  private durationMetric(): RegisteredMetric {
    const name = 'http_request_duration_seconds';
    const help = 'HTTP request latency by method and route pattern';
    return {
      name,
      help,
      type: 'histogram',
      aggregator: 'sum',
      get: () => {
        const values: MetricSnapshot['values'] = [];
        for (const s of this.durations.values()) {
          const labels = { method: s.method, route: s.route };
          let cumulative = 0;
          HTTP_DURATION_BUCKETS.forEach((le, i) => {
            cumulative += s.buckets[i]!;
            values.push({ labels: { le, ...labels }, value: cumulative, metricName: `${name}_bucket` });
          });
          values.push({ labels: { le: '+Inf', ...labels }, value: s.count, metricName: `${name}_bucket` });
          values.push({ labels, value: s.sum, metricName: `${name}_sum` });
          values.push({ labels, value: s.count, metricName: `${name}_count` });
        }
        return { name, help, type: 'histogram', aggregator: 'sum', values };
      },
      reset: () => this.durations.clear(),
    };
  }
}
