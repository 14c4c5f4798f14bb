/**
 * An in-memory cache with a TTL and stale-while-revalidate: fresh entries are
 * served as they are; stale ones are served at once while one background
 * refresh runs; older ones are loaded before answering. Concurrent misses of
 * one key share one load.
 */
export interface SwrCache<V> {
  get(key: string): Promise<V>;
  /** Drops a value known to be out of date (e.g. after a write). */
  delete(key: string): void;
}

export function createSwrCache<V>(opts: {
  load: (key: string) => Promise<V>;
  ttlMs: number;
  staleWhileRevalidateMs: number;
  now: () => number;
}): SwrCache<V> {
  const entries = new Map<string, { value: V; storedAt: number }>();
  const loading = new Map<string, Promise<V>>();

  const refresh = (key: string): Promise<V> => {
    let pending = loading.get(key);
    if (!pending) {
      pending = opts.load(key).then(
        (value) => {
          loading.delete(key);
          entries.set(key, { value, storedAt: opts.now() });
          return value;
        },
        (err) => {
          loading.delete(key);
          throw err;
        },
      );
      loading.set(key, pending);
    }
    return pending;
  };

  return {
    get(key) {
      const entry = entries.get(key);
      const age = entry ? opts.now() - entry.storedAt : Infinity;
      if (entry && age < opts.ttlMs) return Promise.resolve(entry.value);
      if (entry && age < opts.ttlMs + opts.staleWhileRevalidateMs) {
        // A failed background refresh keeps the stale value; the next read tries again.
        refresh(key).catch(() => {});
        return Promise.resolve(entry.value);
      }
      return refresh(key);
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
