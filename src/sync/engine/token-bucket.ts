import { Clock, systemClock } from './clock';

/**
 * Caps calls per second across all workers of a run. Tokens refill continuously up to `burst`;
 * a rate of 0 means unlimited. Waiters are served in arrival order, so no worker starves.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number = Math.max(1, Math.ceil(ratePerSecond)),
    private readonly clock: Clock = systemClock,
  ) {
    this.tokens = burst;
    this.updatedAt = clock.now();
  }

  /** Resolves when a token is taken (or at once when the signal aborts). */
  take(signal?: AbortSignal): Promise<void> {
    if (this.ratePerSecond <= 0) return Promise.resolve();
    const turn = this.tail.then(() => this.takeInTurn(signal));
    this.tail = turn.catch(() => undefined);
    return turn;
  }

  private async takeInTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      if (signal?.aborted) return;
      this.refill();
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
      await this.clock.sleep(waitMs, signal);
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.updatedAt);
    this.updatedAt = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }
}
