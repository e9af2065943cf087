import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { DomainError } from '../errors/domain-error';

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  readonly code = 'rate_limited';
  constructor(retryAfterSeconds: number) {
    super(`Too many requests for this API key; retry after ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}

/**
 * @nestjs/throttler per API key, answering 429 problem+json with Retry-After. The per-response
 * X-RateLimit-* headers are off (setHeaders: false): three headers on every answer of a hot read.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(Math.max(1, detail.timeToBlockExpire || detail.timeToExpire));
  }
}
