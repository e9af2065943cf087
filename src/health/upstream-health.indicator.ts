import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

export interface UpstreamStatusSource {
  status(): Record<string, unknown>;
}

/** Reports the upstream circuit state. Always "up": a failing upstream must not take the companion out of rotation. */
@Injectable()
export class UpstreamHealthIndicator {
  private source?: UpstreamStatusSource;

  constructor(private readonly indicators: HealthIndicatorService) {}

  attach(source: UpstreamStatusSource): void {
    this.source = source;
  }

  report(key: string): HealthIndicatorResult {
    return this.indicators.check(key).up(this.source?.status() ?? { state: 'not_configured' });
  }
}
