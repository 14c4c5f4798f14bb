/**
 * Progress of a long import or export on stderr. On a terminal, a bar
 * redrawn in place (rows, rows/s, ETA); otherwise (a log file, CI) a plain
 * line every 10 s, because a carriage-return bar turns into one long line or
 * thousands of lines in a log. Nothing for runs shorter than the first tick.
 */
export class Progress {
  private readonly started = Date.now();
  private last = 0;
  private drawn = false;

  constructor(
    private readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number },
    private readonly label: string,
    /** The total the fraction is of (bytes of the file, or reviews expected), 0 when unknown. */
    private readonly total: number,
  ) {}

  private get tty(): boolean {
    return Boolean(this.out.isTTY);
  }

  /** `done` of `total` (same unit as the total), after `rows` rows. */
  update(rows: number, done: number): void {
    const now = Date.now();
    const every = this.tty ? 200 : 10_000;
    if (now - (this.last || this.started) < every) return;
    this.last = now;
    const seconds = (now - this.started) / 1000;
    const rate = rows / seconds;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : null;
    const eta = fraction && fraction > 0 ? seconds * (1 / fraction - 1) : null;
    const figures = `${rows.toLocaleString("en")} rows  ${Math.round(rate).toLocaleString("en")} rows/s${eta !== null ? `  ETA ${clock(eta)}` : ""}`;
    if (this.tty) {
      const width = 24;
      const filled = fraction === null ? 0 : Math.round(fraction * width);
      const bar = fraction === null ? "" : `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.floor(fraction * 100)}%  `;
      this.out.write(`\r\x1b[K${this.label} ${bar}${figures}`);
      this.drawn = true;
    } else {
      this.out.write(`${this.label}: ${fraction === null ? "" : `${Math.floor(fraction * 100)}%, `}${figures}\n`);
    }
  }

  /** Clears the bar, so the summary starts on a clean line. */
  done(): void {
    if (this.drawn) this.out.write("\r\x1b[K");
    this.drawn = false;
  }
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${ss}` : `${m}:${ss}`;
}
