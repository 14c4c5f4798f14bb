/**
 * Serializes async work per key inside this process.
 *
 * FerretDB applies `$inc` as read, modify in Go, write back, with nothing
 * isolating the steps (MONGODB.md §2.4), so two concurrent increments of one
 * summary can lose one. Funnelling each summary document's writes through a
 * chain per `_id` makes them exact on FerretDB (one API process); on MongoDB
 * `$inc` is atomic anyway and the chain only costs a promise hop.
 */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => {},
      () => {},
    );
    this.tails.set(key, tail);
    // Forget the key once nothing is queued behind this job, so the map stays small.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /**
   * Runs `work` holding every key's lock. Keys are taken in sorted order, so
   * two holders of several keys cannot wait for each other; a holder of one
   * key that takes a second must follow the same order ("product:…" before
   * "reviewer:…", as scoring does).
   */
  runAll<T>(keys: Iterable<string>, work: () => Promise<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    const take = (i: number): Promise<T> => (i === sorted.length ? work() : this.run(sorted[i]!, () => take(i + 1)));
    return take(0);
  }

  get size(): number {
    return this.tails.size;
  }
}
