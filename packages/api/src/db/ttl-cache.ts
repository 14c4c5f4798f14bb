/**
 * A small in-process cache with a time to live, for the hot read path: API
 * keys, products and rating summaries are read on every request and change
 * rarely. Writes in this process invalidate at once; another API process sees
 * a change after at most the TTL (set per cache, see domain/deps.ts).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();

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

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** The cached values of `keys`, loading the missing ones with one call. */
  async getMany(keys: readonly string[], load: (missing: string[]) => Promise<Map<string, V>>): Promise<Map<string, V>> {
    const out = new Map<string, V>();
    const missing: string[] = [];
    for (const k of keys) {
      const v = this.get(k);
      if (v === undefined) missing.push(k);
      else out.set(k, v);
    }
    if (missing.length) {
      const loaded = await load(missing);
      for (const k of missing) {
        const v = loaded.get(k);
        if (v !== undefined) {
          this.set(k, v);
          out.set(k, v);
        }
      }
    }
    return out;
  }
}
