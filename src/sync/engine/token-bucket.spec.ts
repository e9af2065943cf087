import { Clock } from './clock';
import { TokenBucket } from './token-bucket';

/** Virtual time: sleeping advances the clock at once, so the spec measures rate, not wall time. */
class VirtualClock implements Clock {
  time = 0;
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.time += ms;
  }
}

describe('TokenBucket', () => {
  it('lets a burst through at once, then spaces calls at the configured rate', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket(10, 10, clock);
    const takenAt: number[] = [];
    for (let i = 0; i < 30; i++) {
      await bucket.take();
      takenAt.push(clock.time);
    }
    expect(takenAt.slice(0, 10).every((t) => t === 0)).toBe(true);
    expect(takenAt[10]).toBe(100);
    expect(takenAt[29]).toBe(2000);
  });

  it('never exceeds rate × seconds + burst calls in any window', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket(50, 5, clock);
    const takenAt: number[] = [];
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        await bucket.take();
        takenAt.push(clock.time);
      }),
    );
    const last = takenAt[takenAt.length - 1]!;
    expect(takenAt).toHaveLength(200);
    // 200 calls at 50/s with a burst of 5 need at least (200 - 5) / 50 s.
    expect(last).toBeGreaterThanOrEqual(3900);
    expect(last).toBeLessThanOrEqual(4000);
  });

  it('refills while idle, but only up to the burst', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket(10, 3, clock);
    for (let i = 0; i < 3; i++) await bucket.take();
    clock.time += 10_000;
    const start = clock.time;
    for (let i = 0; i < 4; i++) await bucket.take();
    expect(clock.time - start).toBe(100);
  });

  it('is unlimited with a rate of 0', async () => {
    const clock = new VirtualClock();
    const bucket = new TokenBucket(0, 1, clock);
    for (let i = 0; i < 1000; i++) await bucket.take();
    expect(clock.time).toBe(0);
  });

  it('stops waiting when the signal aborts', async () => {
    const bucket = new TokenBucket(1, 1);
    await bucket.take();
    const controller = new AbortController();
    const waiting = bucket.take(controller.signal);
    controller.abort();
    await expect(waiting).resolves.toBeUndefined();
  });
});
