import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { ThrottlerOptions } from '@nestjs/throttler';
import {
  THROTTLER_BLOCK_DURATION,
  THROTTLER_KEY_GENERATOR,
  THROTTLER_LIMIT,
  THROTTLER_SKIP,
  THROTTLER_TRACKER,
  THROTTLER_TTL,
} from '@nestjs/throttler/dist/throttler.constants';
import type { ThrottlerLimitDetail } from '@nestjs/throttler/dist/throttler.guard.interface';
import { DomainError } from '../errors/domain-error';
import { RouteMemo } from './route-memo';

export class RateLimitedError extends DomainError {
  readonly kind = 'rate_limited';
  readonly code = 'rate_limited';
  constructor(retryAfterSeconds: number) {
    super(`Too many requests for this API key; retry after ${retryAfterSeconds} s.`, { retryAfterSeconds });
  }
}

type Resolvable = number | ((context: ExecutionContext) => number | Promise<number>);

/** One named throttler as it applies to one route, with the route's decorator overrides folded in. */
interface RouteThrottle {
  throttler: ThrottlerOptions;
  limit: Resolvable;
  ttl: Resolvable;
  blockDuration: Resolvable | undefined;
  getTracker: NonNullable<ThrottlerOptions['getTracker']>;
  generateKey: NonNullable<ThrottlerOptions['generateKey']>;
}

const resolve = async (value: Exclude<Resolvable, number>, context: ExecutionContext): Promise<number> => Number(await value(context));

/**
 * @nestjs/throttler per API key, answering 429 problem+json with Retry-After. The per-response
 * X-RateLimit-* headers are off (setHeaders: false): three headers on every answer of a hot read.
 * The library's guard reads five decorators per throttler and hashes the storage key on every
 * request; here a route's throttling is read from its decorators once, and the key (which never
 * leaves the process) is not hashed. Counting and blocking stay the library's (handleRequest).
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  private readonly routes = new RouteMemo<RouteThrottle[]>();

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    for (const route of this.throttlesOf(context)) {
      const skipIf = route.throttler.skipIf ?? this.commonOptions.skipIf;
      if (skipIf?.(context)) continue;
      // Plain numbers (the configured case) are used as they are, without a promise each.
      const ttl = typeof route.ttl === 'number' ? route.ttl : await resolve(route.ttl, context);
      const limit = typeof route.limit === 'number' ? route.limit : await resolve(route.limit, context);
      const block = route.blockDuration ?? ttl;
      await this.handleRequest({
        context,
        throttler: route.throttler,
        limit,
        ttl,
        blockDuration: typeof block === 'number' ? block : await resolve(block, context),
        getTracker: route.getTracker,
        generateKey: route.generateKey,
      });
    }
    return true;
  }

  protected override generateKey(context: ExecutionContext, suffix: string, name: string): string {
    return `${context.getClass().name}-${context.getHandler().name}-${name}-${suffix}`;
  }

  protected override async throwThrottlingException(_context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    throw new RateLimitedError(Math.max(1, detail.timeToBlockExpire || detail.timeToExpire));
  }

  private throttlesOf(context: ExecutionContext): RouteThrottle[] {
    return this.routes.get(context, (targets) => {
      const override = <T>(key: string, name: string): T | undefined =>
        this.reflector.getAllAndOverride<T | undefined>(key + name, targets);
      return this.throttlers
        .filter((throttler) => !override<boolean>(THROTTLER_SKIP, throttler.name!))
        .map((throttler) => {
          const name = throttler.name!;
          return {
            throttler,
            limit: override<Resolvable>(THROTTLER_LIMIT, name) ?? (throttler.limit as Resolvable),
            ttl: override<Resolvable>(THROTTLER_TTL, name) ?? (throttler.ttl as Resolvable),
            blockDuration: override<Resolvable>(THROTTLER_BLOCK_DURATION, name) ?? (throttler.blockDuration as Resolvable | undefined),
            getTracker: override(THROTTLER_TRACKER, name) ?? throttler.getTracker ?? this.commonOptions.getTracker!,
            generateKey: override(THROTTLER_KEY_GENERATOR, name) ?? throttler.generateKey ?? this.commonOptions.generateKey!,
          };
        });
    });
  }
}
