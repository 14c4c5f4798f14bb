/**
 * Whether the database can be reached, as far as this process knows, so that a
 * request during an outage is answered DATABASE_UNAVAILABLE at once instead of
 * waiting out the driver's server selection timeout (once per database call:
 * a submission used to wait twice, 5 to 15 s in all).
 *
 * Two sources open the breaker: the embedded FerretDB's supervisor (its
 * process died and is being restarted) and the driver's events (no new
 * connection could be made, a heartbeat failed, no data-bearing server). While
 * it is open a probe pings the server; the breaker closes when a ping succeeds
 * and the supervisor (if any) says its server is up again.
 */
import type { Connection } from "mongoose";

export const DATABASE_RETRY_AFTER_S = 2;
export const DATABASE_UNAVAILABLE_MESSAGE =
  "The database is unavailable. Retry shortly; writes are safe to retry with the same idempotency key.";

/**
 * The driver's errors for "no server to talk to": connection refused, reset,
 * timed out, no server selectable, or the client closed (a shutdown during an
 * outage). A bulk write (the batched submissions) wraps such an error in a
 * MongoBulkWriteError, keeping it as `errorResponse`; ours is DatabaseUnavailableError.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === "MongoBulkWriteError") return isDatabaseUnavailable((err as Error & { errorResponse?: unknown }).errorResponse);
  return (
    err instanceof DatabaseUnavailableError ||
    err.name === "MongoServerSelectionError" ||
    err.name === "MongoNetworkError" ||
    err.name === "MongoNetworkTimeoutError" ||
    err.name === "MongoNotConnectedError" ||
    err.name === "MongoPoolClearedError" ||
    // The client was closed under a request: the API is stopping (during an outage, a
    // request waiting for a server gets "Topology is closed"; one mid-command, "Cannot
    // use a session that has ended"). A retry with the same idempotency key is safe.
    err.name === "MongoTopologyClosedError" ||
    err.name === "MongoExpiredSessionError" ||
    // The server died as a command was written: Node's own socket error comes through
    // the driver unwrapped ("This socket has been ended by the other party").
    SOCKET_GONE.has((err as NodeJS.ErrnoException).code ?? "")
  );
}

const SOCKET_GONE = new Set(["EPIPE", "ECONNRESET", "ECONNREFUSED"]);

/** Thrown instead of calling the database while the breaker is open. */
export class DatabaseUnavailableError extends Error {
  override name = "DatabaseUnavailableError";
  constructor(readonly reason: string) {
    super(`the database is unavailable (${reason})`);
  }
}

export class DatabaseBreaker {
  private embeddedDown = false;
  private driverDown = false;
  private probing = false;
  private closed = false;

  constructor(
    private readonly onChange: (available: boolean, reason: string) => void = () => {},
    /** Pings the server (the probe while open); rejects while it cannot be reached. */
    private readonly ping: () => Promise<unknown> = () => Promise.resolve(),
    private readonly probePauseMs = 250,
  ) {}

  /** False while the database is known to be down. */
  get available(): boolean {
    return !this.embeddedDown && !this.driverDown && !this.closed;
  }

  /** Why it is unavailable, for the log and the error; null when available. */
  get reason(): string | null {
    if (this.closed) return "connection closed";
    if (this.embeddedDown) return "embedded FerretDB is restarting";
    if (this.driverDown) return "no database server reachable";
    return null;
  }

  /** Throws DatabaseUnavailableError while the breaker is open. */
  check(): void {
    const reason = this.reason;
    if (reason) throw new DatabaseUnavailableError(reason);
  }

  setEmbeddedUp(up: boolean): void {
    this.update(() => (this.embeddedDown = !up));
  }

  setDriverUp(up: boolean): void {
    this.update(() => (this.driverDown = !up));
  }

  /**
   * The connection is closing for good (shutdown): answer the rest at once.
   * Not reported through onChange: a stop is not an outage (Ctrl-C on
   * `npm start` logged "database unavailable" as a warning).
   */
  close(): void {
    this.closed = true;
  }

  /**
   * Follows the driver: down when a new connection to the server cannot be
   * made (checkout failed with a connection error) or its monitor's heartbeat
   * fails, or when the topology knows no data-bearing server. The first is what
   * notices a dead standalone server at once: mongodb 7 labels a refused
   * connection SystemOverloadedError and then keeps the server's description
   * as it was (and retries with backoff), so the topology alone would say
   * "up" until the next heartbeat, 10 s later.
   */
  watch(conn: Connection): void {
    const client = conn.getClient();
    client.on("connectionCheckOutFailed", (event) => {
      if (event.reason === "connectionError") this.setDriverUp(false);
    });
    client.on("serverHeartbeatFailed", () => this.setDriverUp(false));
    client.on("topologyDescriptionChanged", (event) => {
      if (!event.newDescription.hasDataBearingServers) this.setDriverUp(false);
    });
  }

  private update(change: () => void): void {
    const before = this.available;
    change();
    const after = this.available;
    if (before !== after) this.onChange(after, this.reason ?? "recovered");
    if (!after && !this.closed) void this.probe();
  }

  /**
   * While open, keep one ping in flight: server selection wakes it as soon as
   * the server answers, which updates the topology (and so this breaker) at
   * once. Without it, nothing would ask until the driver's next heartbeat.
   */
  private async probe(): Promise<void> {
    if (this.probing) return;
    this.probing = true;
    try {
      while (!this.available && !this.closed) {
        try {
          await this.ping();
          // The server answered: whatever the topology event said, it is reachable.
          if (!this.closed) this.update(() => (this.driverDown = false));
        } catch {
          // Still down (or the embedded server still restarting): ask again shortly.
        }
        if (!this.available && !this.closed) await new Promise((r) => setTimeout(r, this.probePauseMs).unref());
      }
    } finally {
      this.probing = false;
    }
  }
}
