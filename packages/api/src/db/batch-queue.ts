/**
 * Group commit: items added while a batch is being written wait, and go out
 * together in the next one.
 *
 * A review costs the database about seven commands when written alone (its
 * insert, two scoring states read and written, the product's and the shop's
 * summaries), and each command costs the API ~0.4 ms of CPU in the driver and
 * FerretDB ~0.5-1 ms. Written in batches, the insert, the state reads, the
 * state writes and the summary updates are one command each for the whole
 * batch. A lone item is written at once: batching adds no delay when idle,
 * only while the previous batch is still in flight.
 */
export class BatchQueue<I, O> {
  private waiting: { item: I; resolve(outcome: O): void; reject(err: unknown): void }[] = [];
  private writing = false;

  constructor(
    /** Writes a batch; answers one outcome per item, in order. A throw fails every item of the batch. */
    private readonly write: (items: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    while (this.waiting.length) {
      const batch = this.waiting.splice(0, this.maxBatch);
      try {
        const outcomes = await this.write(batch.map((w) => w.item));
        batch.forEach((w, i) => w.resolve(outcomes[i]!));
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.writing = false;
  }
}
