/**
 * Answers computed by a query that is too slow to run per request, cached per
 * group (a product): the first pages of a product's published reviews. Unlike
 * TtlCache, an expired answer is still served while one refresh runs in the
 * background, and concurrent misses share one load.
 *
 * An answer stays fresh for `ttlMs` or `refreshFactor` times as long as its
 * query took, whichever is longer, so refreshes take at most about
 * 1/refreshFactor of the database's time. On MongoDB the page's query is an
 * index walk of milliseconds and the TTL rules; on FerretDB it scans every
 * review in the database (48 s at 500 000), and refreshing it every second
 * would keep a core busy for good.
 *
 * A write in this process calls `invalidate` after it is stored, and a load
 * that began before the write is not kept. Later reads wait for a fresh answer
 * when its query took under `waitAfterWriteMs` last time (read-your-writes, as
 * on MongoDB and small databases). When it took longer, the answer from before
 * the write is served and refreshed on the same schedule as any other, instead
 * of stalling a product page for a scan after every review written to it.
 * Another process sees a change once the answer it holds is no longer fresh,
 * plus one refresh.
 */
export class PageCache<V> {
  private readonly groups = new Map<string, Map<string, Entry<V>>>();
  /** Answers from before a group's last invalidation, kept only to stand in while a slow reload runs. */
  private readonly previous = new Map<string, Map<string, Entry<V>>>();

  constructor(
    private readonly opts: {
      ttlMs: number;
      /** An answer stays fresh for this many times its query's duration, if that is longer than ttlMs. */
      refreshFactor: number;
      /**
       * How long past fresh an answer is still served while it refreshes (at
       * least twice its query's duration); older, the caller waits for the load.
       */
      maxStaleMs: number;
      /** Products kept (the oldest go first). */
      maxGroups: number;
      /** Answers kept per product: `first` and the star filter are the caller's, so bound them. */
      maxPerGroup: number;
      /** After a write, wait for a reload whose query took less than this; serve the previous answer otherwise. */
      waitAfterWriteMs: number;
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
      const age = this.usable(entry, now);
      if (age === "fresh") return entry.value!;
      if (age === "stale") {
        if (!entry.loading) this.start(group, key, load).catch(this.opts.onRefreshError);
        return entry.value!;
      }
    }
    // Since the last write: an answer whose query is slow stands in, and is
    // reloaded on its usual schedule (refreshFactor), not at once.
    const before = this.previous.get(group)?.get(key);
    if (before?.loaded !== undefined && before.loadMs >= this.opts.waitAfterWriteMs) {
      const age = this.usable(before, now);
      if (age !== "expired") {
        if (age === "stale" && !entry?.loading) this.start(group, key, load).catch(this.opts.onRefreshError);
        return before.value!;
      }
    }
    return entry?.loading ?? this.start(group, key, load);
  }

  /** Drops a group's answers; loads already running for it are not kept. */
  invalidate(group: string): void {
    const entries = this.groups.get(group);
    this.groups.delete(group);
    if (!entries) return;
    const kept = this.previous.get(group) ?? new Map<string, Entry<V>>();
    for (const [key, entry] of entries) if (entry.loaded !== undefined) kept.set(key, { ...entry, loading: undefined });
    if (!kept.size) return;
    this.previous.delete(group);
    if (this.previous.size >= this.opts.maxGroups) this.previous.delete(this.previous.keys().next().value!);
    this.previous.set(group, kept);
  }

  clear(): void {
    this.groups.clear();
    this.previous.clear();
  }

  /** Drops a group's answers and those kept from before its writes: nothing of them may be served again (an erasure). */
  forget(group: string): void {
    this.groups.delete(group);
    this.previous.delete(group);
  }

  /** Whether an answer may be served as it is, served while it refreshes, or not at all. */
  private usable(entry: Entry<V>, now: number): "fresh" | "stale" | "expired" {
    const age = now - entry.loaded!;
    const freshFor = Math.max(this.opts.ttlMs, this.opts.refreshFactor * entry.loadMs);
    if (age < freshFor) return "fresh";
    return age < freshFor + Math.max(this.opts.maxStaleMs, 2 * entry.loadMs) ? "stale" : "expired";
  }

  private start(group: string, key: string, load: () => Promise<V>): Promise<V> {
    const entries = this.entriesOf(group);
    const entry: Entry<V> = entries.get(key) ?? { value: undefined, loaded: undefined, loadMs: 0, loading: undefined };
    if (!entries.has(key)) {
      if (entries.size >= this.opts.maxPerGroup) entries.delete(entries.keys().next().value!);
      entries.set(key, entry);
    }
    const started = (this.opts.now ?? Date.now)();
    const loading = load().then(
      (value) => {
        // Kept only if no write invalidated the group meanwhile.
        if (this.groups.get(group) === entries) {
          entry.value = value;
          entry.loaded = (this.opts.now ?? Date.now)();
          entry.loadMs = entry.loaded - started;
          this.previous.get(group)?.delete(key);
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
  /** How long the load of `value` took. */
  loadMs: number;
  loading: Promise<V> | undefined;
}
