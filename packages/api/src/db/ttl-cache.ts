import { LRUCache } from "lru-cache";

/** lru-cache stores no null; a known absence (an unknown key, a missing product) is worth caching too. */
const NULL = Symbol("null");

/**
 * A small in-process cache with a time to live, for the hot read path: API
 * keys, products and rating summaries are read on every request and change
 * rarely. Writes in this process invalidate at once; another API process sees
 * a change after at most the TTL (set per cache, see features/deps.ts).
 *
 * Storage, expiry and eviction are lru-cache's (least recently used goes
 * first); this class adds what lru-cache's per-key `fetch` cannot: loading
 * many missing keys with one call, shared by concurrent callers (getMany).
 * Against the Map-based cache it replaced, `bench:caches` gave a median of
 * 4 133 ns per operation against 4 541 (on this 2-core machine under a load
 * average of 20, so read it as "no slower"), and lru-cache evicts the least
 * recently used entry instead of the oldest one. In the rating reads' CPU
 * profiles against 9dc9294 (2026-12-05, about six look-ups a read with
 * memoizeRecent's), the caches took 10.5–11.7 µs of CPU a read against
 * 8.8–9.4 µs for the Map-based ones: about 0.5 % of a read, inside the 5 %
 * issue 13 allows a library, so lru-cache stays.
 */
export class TtlCache<V> {
  private readonly entries: LRUCache<string, NonNullable<V> | typeof NULL> | null;
  /** Loads in flight by key: a burst of misses for one key costs one load (getMany). */
  private readonly loading = new Map<string, Promise<Map<string, V>>>();

  constructor(ttlMs: number, maxEntries = 50_000, now: () => number = Date.now) {
    // A TTL of 0 turns caching off (tests that must see every write of another process at once).
    this.entries = ttlMs > 0 ? new LRUCache({ max: maxEntries, ttl: ttlMs, ttlResolution: 0, perf: { now } }) : null;
  }

  get(key: string): V | undefined {
    const hit = this.entries?.get(key);
    return hit === NULL ? (null as V) : (hit as V | undefined);
  }

  set(key: string, value: V): void {
    this.entries?.set(key, value === null ? NULL : (value as NonNullable<V>));
  }

  /** Drops a key; a load of it already in flight is neither joined nor kept. */
  delete(key: string): void {
    this.entries?.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries?.clear();
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
