/**
 * A small in-process cache with a time to live, for the hot read path: API
 * keys, products and rating summaries are read on every request and change
 * rarely. Writes in this process invalidate at once; another API process sees
 * a change after at most the TTL (set per cache, see features/deps.ts).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  /** Loads in flight by key: a burst of misses for one key costs one load (getMany). */
  private readonly loading = new Map<string, Promise<Map<string, V>>>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 50_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    if (hit.expires <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return hit.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    // Map keeps insertion order: drop the oldest when full.
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { value, expires: this.now() + this.ttlMs });
  }

  /** Drops a key; a load of it already in flight is neither joined nor kept. */
  delete(key: string): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  /**
   * The cached values of `keys`, loading the missing ones with one call. A key
   * already being loaded for another caller waits for that load instead: when
   * 32 requests find the same 50 summaries expired at once, the database gets
   * one query, not 32.
   */
  async getMany(keys: readonly string[], load: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const missing: string[] = [];
    const joined: Promise<void>[] = [];
    for (const k of keys) {
      const v = this.get(k);
      if (v !== undefined) out.set(k, v);
      else if (this.loading.has(k)) {
        joined.push(
          this.loading.get(k)!.then((loaded) => {
            const w = loaded.get(k);
            if (w !== undefined) out.set(k, w);
          }),
        );
      } else missing.push(k);
    }
    if (missing.length) {
      const pending = load(missing);
      for (const k of missing) this.loading.set(k, pending);
      try {
        const loaded = await pending;
        for (const k of missing) {
          const v = loaded.get(k);
          if (v === undefined) continue;
          // Not kept if the key was dropped (a write) while it loaded.
          if (this.loading.get(k) === pending) this.set(k, v);
          out.set(k, v);
        }
      } finally {
        for (const k of missing) if (this.loading.get(k) === pending) this.loading.delete(k);
      }
    }
    await Promise.all(joined);
    return out;
  }
}
