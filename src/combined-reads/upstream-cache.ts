/** What a cached upstream read answered. */
export interface CachedAnswer<T> {
  value: T;
  /** True when the upstream failed and an older answer within the stale window was served. */
  stale: boolean;
  ageMs: number;
}

interface Entry {
  value: unknown;
  at: number;
}

export interface UpstreamCacheOptions {
  ttlMs: number;
  staleWindowMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * Per-key cache of upstream answers: fresh for ttlMs, served stale for staleWindowMs more while
 * the upstream fails, and concurrent identical loads coalesced into one call.
 */
export class UpstreamCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<unknown>>();
  private readonly now: () => number;

  constructor(private readonly options: UpstreamCacheOptions) {
    this.now = options.now ?? Date.now;
  }

  async get<T>(key: string, load: () => Promise<T>, options: { fresh?: boolean; allowStale?: boolean } = {}): Promise<CachedAnswer<T>> {
    const entry = this.servable(key, options);
    if (entry) return { value: entry.value as T, stale: false, ageMs: this.now() - entry.at };
    try {
      const value = await this.loadOnce(key, load);
      return { value, stale: false, ageMs: 0 };
    } catch (error) {
      const fallback = this.entries.get(key);
      const age = this.now() - (fallback?.at ?? 0);
      if (options.allowStale !== false && fallback && age < this.options.ttlMs + this.options.staleWindowMs && isServableStale(error)) {
        return { value: fallback.value as T, stale: true, ageMs: age };
      }
      throw error;
    }
  }

  /** Whether `get` with these options would call its loader (no usable fresh entry, no load of this key in flight). */
  wouldLoad(key: string, options: { fresh?: boolean } = {}): boolean {
    return !this.inFlight.has(key) && !this.servable(key, options);
  }

  /** The entry a read may answer from: within the TTL, unless the caller asked for a fresh read. */
  private servable(key: string, options: { fresh?: boolean }): Entry | undefined {
    const entry = this.entries.get(key);
    return entry && !options.fresh && this.now() - entry.at < this.options.ttlMs ? entry : undefined;
  }

  /** The value last stored under `key`, however old (a hint, never an answer). */
  peek<T>(key: string): T | undefined {
    return this.entries.get(key)?.value as T | undefined;
  }

  invalidate(key: string): void {
    this.entries.delete(key);
  }

  private loadOnce<T>(key: string, load: () => Promise<T>): Promise<T> {
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const started = load()
      .then((value) => {
        this.store(key, value);
        return value;
      })
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, started);
    return started;
  }

  private store(key: string, value: unknown): void {
    this.entries.delete(key);
    this.entries.set(key, { value, at: this.now() });
    // Map iteration follows insertion order, so the first key is the least recently stored.
    while (this.entries.size > this.options.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }
}

/** Only availability failures fall back to stale data; a rejection or "not found" is an answer, not an outage. */
function isServableStale(error: unknown): boolean {
  const kind = (error as { kind?: string }).kind;
  return kind === 'unavailable' || kind === 'bad_gateway';
}
