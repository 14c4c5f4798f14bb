/**
 * Same-tick batching, like DataLoader: every load() made before the next
 * macrotask goes out as one call of `loadMany` (in chunks of `maxBatchSize`),
 * so 50 badges on a listing page cost one HTTP request.
 */
export interface Batcher<V> {
  load(key: string): Promise<V>;
}

export function createBatcher<V>(loadMany: (keys: string[]) => Promise<V[]>, maxBatchSize: number): Batcher<V> {
  let queue: Map<string, { resolve: (v: V) => void; reject: (e: unknown) => void }[]> | null = null;

  const dispatch = (batch: typeof queue & object) => {
    const keys = [...batch.keys()];
    for (let i = 0; i < keys.length; i += maxBatchSize) {
      const chunk = keys.slice(i, i + maxBatchSize);
      loadMany(chunk).then(
        (values) => {
          chunk.forEach((k, j) => {
            for (const w of batch.get(k)!) w.resolve(values[j]!);
          });
        },
        (err) => {
          for (const k of chunk) for (const w of batch.get(k)!) w.reject(err);
        },
      );
    }
  };

  return {
    load(key) {
      if (!queue) {
        const batch = (queue = new Map());
        // A macrotask, not a microtask: loads that follow an await (a cache
        // lookup, a resolved promise) in the same tick still join the batch.
        setTimeout(() => {
          queue = null;
          dispatch(batch);
        }, 0);
      }
      const waiting = queue.get(key) ?? [];
      queue.set(key, waiting);
      return new Promise<V>((resolve, reject) => waiting.push({ resolve, reject }));
    },
  };
}
