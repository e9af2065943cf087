import { IssuedToken, refreshMarginMs, TokenCache } from './token-cache';

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A fetcher that issues token-1, token-2, … with the given lifetime. */
function countingFetcher(expiresInSeconds: number): jest.Mock<Promise<IssuedToken>, []> {
  let issued = 0;
  return jest.fn(async () => ({ accessToken: `token-${++issued}`, expiresInSeconds }));
}

describe('TokenCache', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: new Date('2026-01-01T00:00:00Z') });
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('refreshes 30 s before expiry, or 10% of the lifetime when that is shorter', () => {
    expect(refreshMarginMs(3600)).toBe(30_000);
    expect(refreshMarginMs(300)).toBe(30_000);
    expect(refreshMarginMs(100)).toBe(10_000);
    expect(refreshMarginMs(1)).toBe(100);
  });

  it('serves the cached token until 30 s before a one-hour token expires, then fetches a new one', async () => {
    const fetch = countingFetcher(3600);
    const cache = new TokenCache(fetch);
    await expect(cache.get()).resolves.toBe('token-1');
    jest.advanceTimersByTime(3570_000 - 1);
    await expect(cache.get()).resolves.toBe('token-1');
    expect(fetch).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    await expect(cache.get()).resolves.toBe('token-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('refreshes a 100 s token 10 s before it expires', async () => {
    const fetch = countingFetcher(100);
    const cache = new TokenCache(fetch);
    await cache.get();
    jest.advanceTimersByTime(89_999);
    await expect(cache.get()).resolves.toBe('token-1');
    jest.advanceTimersByTime(1);
    await expect(cache.get()).resolves.toBe('token-2');
  });

  it('shares one in-flight fetch between 100 concurrent callers', async () => {
    const pending = deferred<IssuedToken>();
    const fetch = jest.fn(() => pending.promise);
    const cache = new TokenCache(fetch);
    const callers = Array.from({ length: 100 }, () => cache.get());
    pending.resolve({ accessToken: 'shared', expiresInSeconds: 3600 });
    await expect(Promise.all(callers)).resolves.toEqual(Array(100).fill('shared'));
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('does not cache a failed fetch: every waiting caller gets the error and the next call fetches again', async () => {
    const fetch = jest
      .fn<Promise<IssuedToken>, []>()
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValueOnce({ accessToken: 'later', expiresInSeconds: 60 });
    const cache = new TokenCache(fetch);
    const results = await Promise.allSettled([cache.get(), cache.get()]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(fetch).toHaveBeenCalledTimes(1);
    await expect(cache.get()).resolves.toBe('later');
  });

  it('drops the refused token on invalidate, but not a newer one another caller already fetched', async () => {
    const fetch = countingFetcher(3600);
    const cache = new TokenCache(fetch);
    const first = await cache.get();
    cache.invalidate(first);
    await expect(cache.get()).resolves.toBe('token-2');
    cache.invalidate(first);
    await expect(cache.get()).resolves.toBe('token-2');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('remembers a refused fetch for the cooldown, then asks again; refresh() always asks', async () => {
    const refused = new Error('invalid_client');
    const fetch = jest.fn<Promise<IssuedToken>, []>().mockRejectedValue(refused);
    const cache = new TokenCache(fetch, { failureCooldownMs: 5000, remembersFailure: (e) => e === refused });
    await expect(cache.get()).rejects.toBe(refused);
    await expect(cache.get()).rejects.toBe(refused);
    expect(fetch).toHaveBeenCalledTimes(1);
    await expect(cache.refresh()).rejects.toBe(refused);
    expect(fetch).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(5000);
    fetch.mockResolvedValueOnce({ accessToken: 'fixed', expiresInSeconds: 60 });
    await expect(cache.get()).resolves.toBe('fixed');
  });

  it('reports whether a token is cached and when it expires', async () => {
    const cache = new TokenCache(countingFetcher(120));
    expect(cache.status()).toEqual({ cached: false, expiresAt: null });
    await cache.get();
    expect(cache.status()).toEqual({ cached: true, expiresAt: '2026-01-01T00:02:00.000Z' });
    jest.advanceTimersByTime(120_000);
    expect(cache.status()).toEqual({ cached: false, expiresAt: null });
  });

  it('refresh() replaces a cached token and answers its lifetime', async () => {
    const cache = new TokenCache(countingFetcher(90));
    await cache.get();
    await expect(cache.refresh()).resolves.toEqual({ expiresInSeconds: 90, expiresAt: Date.parse('2026-01-01T00:01:30.000Z') });
    await expect(cache.get()).resolves.toBe('token-2');
  });
});
