/**
 * Group commit: items added while a batch is in flight wait, and go out
 * together in the next one. When idle, the items added in the same job go at
 * once, together: batching adds no delay, only while the previous batch is
 * still being written or read.
 *
 * Used for review submissions (storeNewReviews) and for product look-ups that
 * missed the cache. A review written alone cost the database about seven
 * commands (its insert, two scoring states read and written, the product's
 * and the shop's summaries), and each command costs the API ~0.4 ms of CPU in
 * the driver and FerretDB 0.5-1 ms; in a batch each step is one command.
 */
export class BatchQueue<I, O> {
  private waiting: { item: I; resolve(outcome: O): void; reject(err: unknown): void }[] = [];
  private writing = false;

  constructor(
    /** Writes a batch; answers one outcome per item, in order. A throw fails every item of the batch. */
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
    /** Told when the queue gets busy (an item added to an idle queue) and when it is idle again: what background work gives way to (QuietTurns). */
    private readonly activity?: { begin(): void; end(): void },
  ) {}

  /** Items waiting for a batch, and those of the batch being written (the metrics' queue depth). */
  get depth(): number {
    return this.waiting.length + this.inFlight;
  }

  private inFlight = 0;

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.writing) return;
      this.writing = true;
      this.activity?.begin();
      // After the current job, so items added together (the 50 ids of a
      // listing page) go out as one batch.
      queueMicrotask(() => void this.drain());
    });
  }

  private async drain(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight = batch.length;
      try {
        const outcomes = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => {
          w.resolve(outcomes[i]!);
        });
      } catch (err) {
        for (const w of batch) w.reject(err);
      } finally {
        this.inFlight = 0;
      }
    }
    this.writing = false;
    this.activity?.end();
  }
}
