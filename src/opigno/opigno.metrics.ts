import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service';
import type { CircuitState } from './opigno.types';

const CIRCUIT_STATE_VALUE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

/** Prometheus metrics of the upstream connector, registered in the app's registry. */
@Injectable()
export class OpignoMetrics {
  /** One per logical call (retries included), by its final outcome: `success` or an error code. */
  readonly calls: Counter<'operation' | 'outcome'>;
  /** One per HTTP request to the upstream (each attempt, the token endpoint as `oauthToken`). */
  readonly requestDuration: Histogram<'operation'>;
  readonly retries: Counter<'operation'>;
  readonly tokenFetches: Counter<'outcome'>;
  private readonly circuitState: Gauge;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    this.calls = new Counter({
      name: 'opigno_upstream_calls_total',
      help: 'Calls of the Opigno upstream by operation and outcome (success or error code)',
      labelNames: ['operation', 'outcome'] as const,
      registers,
    });
    this.requestDuration = new Histogram({
      name: 'opigno_upstream_request_duration_seconds',
      help: 'Latency of each HTTP request to the Opigno upstream, by operation',
      labelNames: ['operation'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
      registers,
    });
    this.retries = new Counter({
      name: 'opigno_upstream_retries_total',
      help: 'Retried attempts of Opigno upstream calls, by operation',
      labelNames: ['operation'] as const,
      registers,
    });
    this.tokenFetches = new Counter({
      name: 'opigno_upstream_token_fetches_total',
      help: 'Client-credentials token requests to the Opigno upstream, by outcome',
      labelNames: ['outcome'] as const,
      registers,
    });
    this.circuitState = new Gauge({
      name: 'opigno_upstream_circuit_state',
      help: 'State of the Opigno upstream circuit breaker: 0 closed, 1 half open, 2 open',
      registers,
    });
    this.circuitState.set(0);
  }

  setCircuitState(state: CircuitState): void {
    this.circuitState.set(CIRCUIT_STATE_VALUE[state]);
  }
}
