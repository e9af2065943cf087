import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { opignoConfig, OpignoConfig } from '../config/configuration';
import { ValidationFailedError } from '../common/errors/domain-error';
import { OpignoMetrics } from './opigno.metrics';
import { isUpstreamRefusal, UpstreamUnavailableError } from './opigno.errors';
import type { CircuitState } from './opigno.types';

type Work = () => Promise<unknown>;

function isOpenCircuitRejection(error: unknown): boolean {
  return error instanceof Error && (error as Error & { code?: string }).code === 'EOPENBREAKER';
}

/**
 * One circuit breaker for the whole upstream. After repeated failures it opens and calls fail at once with
 * UpstreamUnavailableError; after the reset timeout one trial call is let through (half open).
 * Refusals (violations, not found, refused credentials) are answers, not failures: they never trip it.
 */
@Injectable()
export class OpignoCircuit implements OnApplicationShutdown {
  private readonly logger = new Logger('OpignoCircuit');
  private breaker: CircuitBreaker<[Work], unknown>;

  constructor(
    @Inject(opignoConfig.KEY) private readonly config: OpignoConfig,
    private readonly metrics: OpignoMetrics,
  ) {
    this.breaker = this.createBreaker();
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    try {
      return (await this.breaker.fire(work)) as T;
    } catch (error: unknown) {
      if (isOpenCircuitRejection(error)) {
        throw new UpstreamUnavailableError(
          'Opigno is failing, so calls are paused for a moment (circuit open).',
          'circuit_open',
          Math.ceil(this.config.circuit.resetTimeoutMs / 1000),
        );
      }
      throw error;
    }
  }

  state(): CircuitState {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'half_open';
    return 'closed';
  }

  /** A fresh, closed breaker with empty statistics (the upstream or its credentials changed). */
  reset(): void {
    const previous = this.breaker;
    this.breaker = this.createBreaker();
    previous.shutdown();
    this.metrics.setCircuitState('closed');
  }

  onApplicationShutdown(): void {
    this.breaker.shutdown();
  }

  private createBreaker(): CircuitBreaker<[Work], unknown> {
    const breaker = new CircuitBreaker<[Work], unknown>((work: Work) => work(), {
      name: 'opigno-upstream',
      // Each request has its own deadline in OpignoHttp; the breaker must not race it.
      timeout: false,
      volumeThreshold: this.config.circuit.volumeThreshold,
      errorThresholdPercentage: this.config.circuit.errorThresholdPercentage,
      resetTimeout: this.config.circuit.resetTimeoutMs,
      errorFilter: (error: unknown) => isUpstreamRefusal(error) || error instanceof ValidationFailedError,
    });
    const current = (): boolean => breaker === this.breaker;
    breaker.on('open', () => {
      if (!current()) return;
      this.metrics.setCircuitState('open');
      this.logger.warn(
        { resetTimeoutMs: this.config.circuit.resetTimeoutMs },
        'Opigno circuit opened: upstream calls fail fast until a trial call succeeds',
      );
    });
    breaker.on('halfOpen', () => {
      if (!current()) return;
      this.metrics.setCircuitState('half_open');
      this.logger.log('Opigno circuit half open: the next call is a trial');
    });
    breaker.on('close', () => {
      if (!current()) return;
      this.metrics.setCircuitState('closed');
      this.logger.log('Opigno circuit closed: upstream calls flow again');
    });
    return breaker;
  }
}
