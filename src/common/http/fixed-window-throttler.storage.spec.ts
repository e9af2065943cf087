import { FixedWindowThrottlerStorage } from './fixed-window-throttler.storage';

describe('FixedWindowThrottlerStorage', () => {
  afterEach(() => jest.useRealTimers());

  it('blocks a key past its limit within the window and says when to retry', async () => {
    jest.useFakeTimers({ now: 0 });
    const storage = new FixedWindowThrottlerStorage();
    for (let i = 0; i < 3; i++) expect((await storage.increment('k', 60_000, 3, 0, 'default')).isBlocked).toBe(false);
    jest.setSystemTime(15_000);
    const blocked = await storage.increment('k', 60_000, 3, 0, 'default');
    expect(blocked).toMatchObject({ isBlocked: true, totalHits: 4, timeToBlockExpire: 45 });
  });

  it('starts a new window after the old one ends, and counts keys apart', async () => {
    jest.useFakeTimers({ now: 0 });
    const storage = new FixedWindowThrottlerStorage();
    await storage.increment('a', 1000, 1, 0, 'default');
    expect((await storage.increment('a', 1000, 1, 0, 'default')).isBlocked).toBe(true);
    expect((await storage.increment('b', 1000, 1, 0, 'default')).isBlocked).toBe(false);
    jest.setSystemTime(1000);
    expect(await storage.increment('a', 1000, 1, 0, 'default')).toMatchObject({ isBlocked: false, totalHits: 1 });
  });
});
