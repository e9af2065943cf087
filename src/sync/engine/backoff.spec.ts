import { ExponentialBackoff } from './backoff';

describe('ExponentialBackoff', () => {
  it('doubles from the base up to the cap', () => {
    const backoff = new ExponentialBackoff(500, 30_000);
    const delays = Array.from({ length: 9 }, () => backoff.next());
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts again from the base after a reset', () => {
    const backoff = new ExponentialBackoff(100, 1000);
    backoff.next();
    backoff.next();
    expect(backoff.consecutiveFailures).toBe(2);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('does not overflow after very many failures', () => {
    const backoff = new ExponentialBackoff(1, 5000);
    for (let i = 0; i < 2000; i++) backoff.next();
    expect(backoff.next()).toBe(5000);
  });
});
