import { Histogram, Registry } from 'prom-client';
import { HTTP_DURATION_BUCKETS, HttpRequestMetrics } from './http-request-metrics';

describe('HttpRequestMetrics', () => {
  it('counts requests by method, route and status', async () => {
    const registry = new Registry();
    const metrics = new HttpRequestMetrics(registry);
    metrics.observe('GET', '/v1/profiles/:uuid', 200, 0.002);
    metrics.observe('GET', '/v1/profiles/:uuid', 200, 0.003);
    metrics.observe('GET', '/v1/profiles/:uuid', 404, 0.001);
    const text = await registry.metrics();
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).toContain('http_requests_total{method="GET",route="/v1/profiles/:uuid",status="200"} 2');
    expect(text).toContain('http_requests_total{method="GET",route="/v1/profiles/:uuid",status="404"} 1');
  });

  it('renders the same histogram text as prom-client for the same observations', async () => {
    const observations = [0.0004, 0.001, 0.0011, 0.004, 0.02, 0.3, 7, 0.0025];
    const ours = new Registry();
    const metrics = new HttpRequestMetrics(ours);
    const reference = new Registry();
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by method and route pattern',
      labelNames: ['method', 'route'],
      buckets: HTTP_DURATION_BUCKETS,
      registers: [reference],
    });
    for (const seconds of observations) {
      metrics.observe('PATCH', '/v1/profiles/:uuid', 200, seconds);
      histogram.observe({ method: 'PATCH', route: '/v1/profiles/:uuid' }, seconds);
    }
    const histogramLines = (text: string): string[] => text.split('\n').filter((line) => line.startsWith('http_request_duration_seconds'));
    expect(histogramLines(await ours.metrics())).toEqual(histogramLines(await reference.metrics()));
  });

  it('starts from zero after a registry reset', async () => {
    const registry = new Registry();
    const metrics = new HttpRequestMetrics(registry);
    metrics.observe('GET', '/health/live', 200, 0.001);
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('route="/health/live"');
  });
});
