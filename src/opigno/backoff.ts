const MAX_BACKOFF_MS = 2_000;

/** Exponential backoff with full jitter: a random delay in [0, min(cap, base * 2^retry)). */
export function backoffDelayMs(retryIndex: number, baseMs = 100, random: () => number = Math.random, capMs = MAX_BACKOFF_MS): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** retryIndex));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
