/**
 * Answers computed by a query that is too slow to run per request, cached per
 * group (a product) with a time to live: the first pages of a product's
 * published reviews. Unlike TtlCache, an expired answer is still served while
 * one refresh runs in the background, because on FerretDB that query scans
 * every review of the database (seconds at 500 000) and callers would queue
 * behind it; and concurrent misses share one load.
 *
 * A write in this process calls `invalidate` after it is stored: later reads
 * wait for a fresh answer, and a load that began before the write is not kept.
 * Another process sees the change after at most `ttlMs` plus one refresh.
 */
export class PageCache<V> {
  private readonly groups = new Map<string, Map<string, Entry<V>>>();

  constructor(
    private readonly opts: {
      ttlMs: number;
      /** Past this age an answer is no longer served while it refreshes: the caller waits. */
      maxStaleMs: number;
      /** Products kept (the oldest go first). */
      maxGroups: number;
      /** Answers kept per product: `first` and the star filter are the caller's, so bound them. */
      maxPerGroup: number;
      /** Told when a background refresh fails (the stale answer stays until maxStaleMs). */
      onRefreshError: (err: unknown) => void;
      now?: () => number;
    },
  ) {}

  async get(group: string, key: string, load: () => Promise<V>): Promise<V> {
    if (this.opts.ttlMs <= 0) return load();
    const now = (this.opts.now ?? Date.now)();
    const entries = this.groups.get(group);
    const entry = entries?.get(key);
    if (entry?.loaded !== undefined) {
      const age = now - entry.loaded;
      if (age < this.opts.ttlMs) return entry.value!;
      if (age < this.opts.ttlMs + this.opts.maxStaleMs) {
        if (!entry.loading) this.start(group, key, load).catch(this.opts.onRefreshError);
        return entry.value!;
      }
    }
    return entry?.loading ?? this.start(group, key, load);
  }

  /** Drops a group's answers; loads already running for it are not kept. */
  invalidate(group: string): void {
    this.groups.delete(group);
  }

  clear(): void {
    this.groups.clear();
  }

  private start(group: string, key: string, load: () => Promise<V>): Promise<V> {
    const entries = this.entriesOf(group);
    const entry = entries.get(key) ?? { value: undefined, loaded: undefined, loading: undefined };
    if (!entries.has(key)) {
      if (entries.size >= this.opts.maxPerGroup) entries.delete(entries.keys().next().value!);
      entries.set(key, entry);
    }
    const loading = load().then(
      (value) => {
        // Kept only if no write invalidated the group meanwhile.
        if (this.groups.get(group) === entries) {
          entry.value = value;
          entry.loaded = (this.opts.now ?? Date.now)();
        }
        entry.loading = undefined;
        return value;
      },
      (err: unknown) => {
        entry.loading = undefined;
        throw err;
      },
    );
    entry.loading = loading;
    return loading;
  }

  private entriesOf(group: string): Map<string, Entry<V>> {
    let entries = this.groups.get(group);
    if (!entries) {
      if (this.groups.size >= this.opts.maxGroups) this.groups.delete(this.groups.keys().next().value!);
      this.groups.set(group, (entries = new Map()));
    }
    return entries;
  }
}

interface Entry<V> {
  value: V | undefined;
  /** When `value` was loaded; undefined until the first load ends. */
  loaded: number | undefined;
  loading: Promise<V> | undefined;
}
