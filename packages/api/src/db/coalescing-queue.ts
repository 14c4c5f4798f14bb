import type { KeyedLock } from "./keyed-lock.js";

/**
 * Merges the changes queued for one document while its previous write is in
 * flight, and writes them as one.
 *
 * Every review of a shop moves the shop's summary: written one at a time under
 * the document's lock (KeyedLock says why), the shop summary would cap a shop
 * at one review per database round trip. Here a change joins the pending one
 * for its key until the lock is free; then all of them go out in one update,
 * and every caller whose change was in it is answered by its outcome.
 */
export class CoalescingQueue<C> {
  private readonly pending = new Map<string, { change: C; settle: { resolve(): void; reject(err: unknown): void }[] }>();

  constructor(
    private readonly lock: KeyedLock,
    /** Folds `next` into `into` (which this queue owns: it is a copy of the first change). */
    private readonly merge: (into: C, next: C) => void,
    private readonly copy: (change: C) => C,
  ) {}

  /**
   * Resolves once a write that includes `change` has succeeded. A batch is
   * written by the `write` of its first change: callers of one key must pass
   * the same write.
   */
  add(key: string, change: C, write: (merged: C) => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiting = this.pending.get(key);
      if (waiting) {
        this.merge(waiting.change, change);
        waiting.settle.push({ resolve, reject });
        return;
      }
      const batch = { change: this.copy(change), settle: [{ resolve, reject }] };
      this.pending.set(key, batch);
      void this.lock
        .run(key, () => {
          // From here on, changes for this key start the next batch.
          this.pending.delete(key);
          return write(batch.change);
        })
        .then(
          () => {
            for (const s of batch.settle) s.resolve();
          },
          (err: unknown) => {
            for (const s of batch.settle) s.reject(err);
          },
        );
    });
  }
}
