/**
 * Turns for work that gives way to a stream of activity: `turn()` resolves once
 * no activity has been in flight for `quietMs`, after `maxWaitMs` at the
 * latest (so a steady stream slows the work down but never stops it), or when
 * its signal aborts. Driven by the activity's own begin and end: one timer for
 * the rest of the quiet interval, armed when the last activity ends and looked
 * at again only when it fires, so a pause is never missed however short the
 * activity, and nothing wakes while nothing changes.
 *
 * Used for heavy queries' reads against light requests (graphql/cost.ts,
 * LightFirst) and for the insights rounds against review writes (the review
 * write queue's activity, insights.ts).
 */
export class QuietTurns {
  private active = 0;
  private waitedCount = 0;
  private lastEnd = Number.NEGATIVE_INFINITY;
  private readonly waiters = new Set<() => void>();
  private quietTimer: ReturnType<typeof setTimeout> | null = null;

  /** The clock, bound once: every activity's end reads it. */
  private readonly now: () => number;

  constructor(private readonly opts: { quietMs: number; maxWaitMs: number; now?: () => number }) {
    this.now = opts.now ?? (() => performance.now());
  }

  /** An activity began. */
  begin(): void {
    this.active++;
  }

  /** An activity that turned out not to count stops counting, and its end starts no quiet interval. */
  cancel(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active === 0 && this.waiters.size > 0) this.armQuietTimer();
  }

  /** An activity ended (once per begin). */
  end(): void {
    this.active = Math.max(0, this.active - 1);
    this.lastEnd = this.now();
    if (this.active === 0 && this.waiters.size > 0) this.armQuietTimer();
  }

  /** Turns waiting now (for tests and metrics). */
  get waiting(): number {
    return this.waiters.size;
  }

  /** Activities in flight now. */
  get inFlight(): number {
    return this.active;
  }

  /** Turns that had to wait, since this object was made. */
  get waited(): number {
    return this.waitedCount;
  }

  /** Resolves when the work may go (see the class); at once if `signal` has aborted. */
  turn(signal?: AbortSignal): Promise<void> {
    if (this.quiet() || signal?.aborted) return Promise.resolve();
    this.waitedCount++;
    return new Promise<void>((resolve) => {
      const go = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", go);
        this.waiters.delete(go);
        resolve();
      };
      const timer = setTimeout(go, this.opts.maxWaitMs);
      signal?.addEventListener("abort", go);
      this.waiters.add(go);
      if (this.active === 0) this.armQuietTimer();
    });
  }

  private quiet(): boolean {
    return this.active === 0 && this.now() - this.lastEnd >= this.opts.quietMs;
  }

  private armQuietTimer(): void {
    if (this.quietTimer) return;
    const wait = Math.max(0, this.opts.quietMs - (this.now() - this.lastEnd));
    this.quietTimer = setTimeout(() => {
      this.quietTimer = null;
      if (this.active > 0) return; // the next end() arms it again
      if (!this.quiet()) return this.armQuietTimer();
      for (const go of [...this.waiters]) go();
    }, wait);
  }
}
