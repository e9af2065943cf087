import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { HttpRequestMetrics } from './http-request-metrics';

/** The process's Prometheus registry; features add their own counters through it. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();
  private readonly http = new HttpRequestMetrics(this.registry);

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe(method, route, status, seconds);
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }
}
