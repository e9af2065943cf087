import { UpstreamCache } from './upstream-cache';

class Outage extends Error {
  readonly kind = 'unavailable';
}

describe('UpstreamCache', () => {
  let clock = 0;
  const cache = (): UpstreamCache => new UpstreamCache({ ttlMs: 1000, staleWindowMs: 5000, maxEntries: 3, now: () => clock });

  beforeEach(() => {
    clock = 0;
  });

  it('serves a fresh answer from cache within the TTL', async () => {
    const c = cache();
    const load = jest.fn().mockResolvedValue('v1');
    await c.get('k', load);
    clock = 999;
    const answer = await c.get('k', load);
    expect(answer).toEqual({ value: 'v1', stale: false, ageMs: 999 });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('reloads after the TTL and when asked for a fresh read', async () => {
    const c = cache();
    const load = jest.fn().mockResolvedValueOnce('v1').mockResolvedValueOnce('v2').mockResolvedValueOnce('v3');
    await c.get('k', load);
    clock = 1000;
    expect((await c.get('k', load)).value).toBe('v2');
    expect((await c.get('k', load, { fresh: true })).value).toBe('v3');
  });

  it('tells whether a read would call the loader: not within the TTL, not while a load is in flight', async () => {
    const c = cache();
    expect(c.wouldLoad('k')).toBe(true);
    let resolve!: (v: string) => void;
    const pending = c.get('k', () => new Promise<string>((r) => (resolve = r)));
    expect(c.wouldLoad('k')).toBe(false);
    resolve('v1');
    await pending;
    expect(c.wouldLoad('k')).toBe(false);
    expect(c.wouldLoad('k', { fresh: true })).toBe(true);
    clock = 1000;
    expect(c.wouldLoad('k')).toBe(true);
  });

  it('peeks at the last stored value however old, without loading', async () => {
    const c = cache();
    expect(c.peek('k')).toBeUndefined();
    await c.get('k', async () => 'v1');
    clock = 1_000_000;
    expect(c.peek('k')).toBe('v1');
  });

  it('coalesces concurrent loads of the same key into one call', async () => {
    const c = cache();
    let resolve!: (v: string) => void;
    const load = jest.fn(() => new Promise<string>((r) => (resolve = r)));
    const answers = Promise.all(Array.from({ length: 50 }, () => c.get('k', load)));
    resolve('once');
    expect((await answers).every((a) => a.value === 'once')).toBe(true);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('serves stale data within the window when the upstream is unavailable, and fails after it', async () => {
    const c = cache();
    await c.get('k', async () => 'old');
    clock = 3000;
    const answer = await c.get('k', () => Promise.reject(new Outage('down')));
    expect(answer).toEqual({ value: 'old', stale: true, ageMs: 3000 });
    clock = 6000;
    await expect(c.get('k', () => Promise.reject(new Outage('down')))).rejects.toThrow('down');
  });

  it('does not mask a rejection with stale data', async () => {
    const c = cache();
    await c.get('k', async () => 'old');
    clock = 2000;
    await expect(c.get('k', () => Promise.reject(Object.assign(new Error('no such user'), { kind: 'not_found' })))).rejects.toThrow(
      'no such user',
    );
  });

  it('keeps at most maxEntries answers', async () => {
    const c = cache();
    for (const key of ['a', 'b', 'c', 'd']) await c.get(key, async () => key);
    const load = jest.fn().mockResolvedValue('again');
    expect((await c.get('a', load)).value).toBe('again');
    expect((await c.get('d', load)).value).toBe('d');
  });
});
