import { backoffDelayMs } from './backoff';

describe('backoffDelayMs', () => {
  it('draws a full-jitter delay below base * 2^retry', () => {
    expect(backoffDelayMs(0, 100, () => 0)).toBe(0);
    expect(backoffDelayMs(0, 100, () => 0.999)).toBe(99);
    expect(backoffDelayMs(2, 100, () => 0.5)).toBe(200);
  });

  it('never exceeds the cap', () => {
    expect(backoffDelayMs(20, 100, () => 0.999, 2000)).toBe(1998);
  });
});
