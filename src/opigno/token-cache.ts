/** A bearer token as the token endpoint issued it. */
export interface IssuedToken {
  accessToken: string;
  expiresInSeconds: number;
}

export type TokenFetcher = () => Promise<IssuedToken>;

export interface TokenCacheOptions {
  /** Epoch milliseconds; injectable for tests. */
  now?: () => number;
  /** How long a remembered failure is answered without asking the token endpoint again. */
  failureCooldownMs?: number;
  /** Which fetch failures to remember (e.g. refused credentials), so bad credentials do not hammer the token endpoint. */
  remembersFailure?: (error: unknown) => boolean;
}

export interface TokenStatus {
  cached: boolean;
  /** ISO 8601 */
  expiresAt: string | null;
}

interface CachedToken {
  token: string;
  expiresInSeconds: number;
  expiresAt: number;
  refreshAt: number;
}

export interface FreshToken {
  expiresInSeconds: number;
  /** epoch milliseconds */
  expiresAt: number;
}

const MAX_REFRESH_MARGIN_MS = 30_000;
const REFRESH_MARGIN_SHARE = 0.1;

/** Refresh 30 s before expiry, or 10% of the lifetime before it when that is shorter. */
export function refreshMarginMs(expiresInSeconds: number): number {
  return Math.min(MAX_REFRESH_MARGIN_MS, expiresInSeconds * 1000 * REFRESH_MARGIN_SHARE);
}

/**
 * Caches one client-credentials token. Concurrent callers share a single in-flight fetch.
 * One cache belongs to one set of credentials: changing credentials means a new cache.
 */
export class TokenCache {
  private cached: CachedToken | null = null;
  private inFlight: Promise<CachedToken> | null = null;
  private rememberedFailure: { error: unknown; until: number } | null = null;
  private readonly now: () => number;

  constructor(
    private readonly fetchToken: TokenFetcher,
    private readonly options: TokenCacheOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** A token valid for a while yet: the cached one, or a fresh one. */
  async get(): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() < cached.refreshAt) return cached.token;
    const failure = this.rememberedFailure;
    if (failure && this.now() < failure.until) throw failure.error;
    return (await this.fetchShared()).token;
  }

  /** Fetches a fresh token even when one is cached (joins a fetch already in flight). */
  async refresh(): Promise<FreshToken> {
    const fresh = await this.fetchShared();
    return { expiresInSeconds: fresh.expiresInSeconds, expiresAt: fresh.expiresAt };
  }

  /** Drops the token the upstream refused. A token already replaced by another caller is left alone. */
  invalidate(token: string): void {
    if (this.cached?.token === token) this.cached = null;
  }

  status(): TokenStatus {
    const cached = this.cached;
    const usable = cached !== null && this.now() < cached.expiresAt;
    return { cached: usable, expiresAt: usable ? new Date(cached.expiresAt).toISOString() : null };
  }

  private fetchShared(): Promise<CachedToken> {
    if (this.inFlight) return this.inFlight;
    const fetching = this.fetchAndStore();
    this.inFlight = fetching;
    const clear = (): void => {
      if (this.inFlight === fetching) this.inFlight = null;
    };
    void fetching.then(clear, clear);
    return fetching;
  }

  private async fetchAndStore(): Promise<CachedToken> {
    try {
      const issued = await this.fetchToken();
      const fetchedAt = this.now();
      const lifetimeMs = issued.expiresInSeconds * 1000;
      const entry: CachedToken = {
        token: issued.accessToken,
        expiresInSeconds: issued.expiresInSeconds,
        expiresAt: fetchedAt + lifetimeMs,
        refreshAt: fetchedAt + lifetimeMs - refreshMarginMs(issued.expiresInSeconds),
      };
      this.cached = entry;
      this.rememberedFailure = null;
      return entry;
    } catch (error: unknown) {
      if (this.options.remembersFailure?.(error) && this.options.failureCooldownMs) {
        this.rememberedFailure = { error, until: this.now() + this.options.failureCooldownMs };
      }
      throw error;
    }
  }
}
