import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { SkipThrottle, ThrottlerModuleOptions, ThrottlerStorageService } from '@nestjs/throttler';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';
import { RateLimitedError, RateLimitGuard } from './rate-limit.guard';

class ProfilesController {
  read(): void {}
  @SkipThrottle()
  probe(): void {}
}

async function guardWith(options: Partial<ThrottlerModuleOptions & object>, storage: ThrottlerStorage): Promise<RateLimitGuard> {
  const guard = new RateLimitGuard(
    {
      throttlers: [{ name: 'default', ttl: 60_000, limit: 2 }],
      setHeaders: false,
      getTracker: (req: Record<string, unknown>) => req.tracker as string,
      ...options,
    } as ThrottlerModuleOptions,
    storage,
    new Reflector(),
  );
  await guard.onModuleInit();
  return guard;
}

function requestOf(tracker: string, handler: 'read' | 'probe' = 'read'): ExecutionContextHost {
  return new ExecutionContextHost([{ tracker, headers: {} }, {}, undefined], ProfilesController, ProfilesController.prototype[handler]);
}

describe('RateLimitGuard', () => {
  it('counts plain-number limits synchronously: true up to the limit, then RateLimitedError, each tracker apart', async () => {
    const guard = await guardWith({}, new FixedWindowThrottlerStorage());
    expect(guard.canActivate(requestOf('key-a'))).toBe(true);
    expect(guard.canActivate(requestOf('key-a'))).toBe(true);
    expect(() => guard.canActivate(requestOf('key-a'))).toThrow(RateLimitedError);
    expect(guard.canActivate(requestOf('key-b'))).toBe(true);
  });

  it('counts through the library when a limit is computed, and blocks past it all the same', async () => {
    const guard = await guardWith({ throttlers: [{ name: 'default', ttl: 60_000, limit: () => 2 }] }, new FixedWindowThrottlerStorage());
    const first = guard.canActivate(requestOf('key-a'));
    expect(first).toBeInstanceOf(Promise);
    await expect(first).resolves.toBe(true);
    await expect(guard.canActivate(requestOf('key-a'))).resolves.toBe(true);
    await expect(guard.canActivate(requestOf('key-a'))).rejects.toBeInstanceOf(RateLimitedError);
  });

  it('counts through the library with any other storage', async () => {
    const guard = await guardWith({}, new ThrottlerStorageService());
    try {
      await expect(guard.canActivate(requestOf('key-a'))).resolves.toBe(true);
      await expect(guard.canActivate(requestOf('key-a'))).resolves.toBe(true);
      await expect(guard.canActivate(requestOf('key-a'))).rejects.toBeInstanceOf(RateLimitedError);
    } finally {
      (guard as unknown as { storageService: ThrottlerStorageService }).storageService.onApplicationShutdown();
    }
  });

  it('does not count a route marked @SkipThrottle()', async () => {
    const guard = await guardWith({}, new FixedWindowThrottlerStorage());
    for (let i = 0; i < 5; i++) expect(guard.canActivate(requestOf('key-a', 'probe'))).toBe(true);
  });
});
