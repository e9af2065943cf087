import { Semaphore } from './semaphore';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('Semaphore', () => {
  it('never runs more tasks than its limit and starts queued ones in arrival order', async () => {
    const semaphore = new Semaphore(3);
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const tasks = Array.from({ length: 10 }, (_, i) =>
      semaphore.run(
        () =>
          new Promise<number>((resolve) => {
            started.push(i);
            running++;
            peak = Math.max(peak, running);
            releases.push(() => {
              running--;
              resolve(i);
            });
          }),
      ),
    );
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect(semaphore.queued).toBe(7);
    while (releases.length > 0) {
      releases.shift()!();
      await tick();
    }
    await expect(Promise.all(tasks)).resolves.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
    expect(semaphore.inFlight).toBe(0);
  });

  it('frees the slot when a task fails', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(semaphore.run(async () => 'next')).resolves.toBe('next');
    expect(semaphore.inFlight).toBe(0);
  });

  it('refuses a limit below 1', () => {
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });
});
