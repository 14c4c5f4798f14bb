/**
 * Prometheus metrics (prom-client), one registry per Starling process
 * (`deps.metrics`), served at GET /metrics when enabled (http/metrics.ts;
 * STARLING_METRICS=1, see config.ts).
 *
 * What is measured:
 * - `starling_graphql_requests_total{operation,type,outcome}` and
 *   `starling_graphql_request_duration_seconds{operation,type}`: each
 *   GraphQL request, by operation name, type and outcome ("OK" or the error
 *   code the client got, from the error table: RATE_LIMITED, INVALID_INPUT, …);
 * - `starling_http_requests_total{route,status}` and
 *   `starling_http_request_duration_seconds{route}` for every request, by
 *   a fixed set of routes;
 * - `starling_queue_depth{queue}`: items waiting in each registered queue;
 * - `starling_database_errors_total{kind}`: database errors met by requests
 *   ("unavailable": no server; "other": any other driver error);
 * - Node's process metrics (CPU, memory, event loop lag, GC).
 *
 * Label values are bounded, because some come from clients: an operation
 * name is the client's choice. A name that is not a GraphQL name becomes
 * `__invalid__`; no name, `__anonymous__`; a request that never reached
 * execution (refused, unparsable), `__none__`. Only the first
 * MAX_OPERATION_LABELS distinct names get a label of their own, and a name
 * claims one only with a request that succeeded; every other name is
 * counted as `__other__`. So a client sending random names adds at most that
 * many series, however long it goes on.
 *
 * ## Adding a queue's depth (the seam for other features)
 *
 *   deps.metrics.registerQueueDepth("webhook_outbox", () => countUndelivered(deps));
 *
 * The reader runs at each scrape (and only then): it may be async (a count
 * in the database), and a reader that fails or takes over QUEUE_READ_TIMEOUT_MS
 * is left out of that scrape (and counted in starling_queue_depth_read_errors_total,
 * which the next scrape shows)
 * instead of failing the whole scrape. Registering a name again replaces its reader.
 * Names are lower-case snake_case. The write batch queues and `pending_counts`
 * are registered in create-deps.ts; register yours where your feature's
 * worker starts.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { ERROR_CODES } from "./errors.js";
import { isDatabaseUnavailable } from "./db/availability.js";

/** Distinct operation names that get a label of their own (per process). */
export const MAX_OPERATION_LABELS = 50;
/** A queue depth reader slower than this is left out of the scrape. */
export const QUEUE_READ_TIMEOUT_MS = 2_000;

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const GRAPHQL_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,63}$/;
const QUEUE_NAME = /^[a-z][a-z0-9_]{0,62}$/;

/** What the GraphQL layer learns about a request, filled in as it goes (ServerContext.metrics). */
export interface GraphQLRequestNote {
  /** The operation's name as the client sent it (null: anonymous); undefined: execution never reached. */
  operation?: string | null;
  type?: "query" | "mutation" | "subscription";
  /** "OK" or the first error's code; undefined: answered before GraphQL (429, 413, 503, 304 from memory). */
  outcome?: string;
}

/** The routes of the HTTP label: a fixed set, whatever path a client asks for. */
export type HttpRoute = "graphql" | "review_feed" | "disclosure" | "review_form" | "health" | "metrics" | "home" | "other";

export class Metrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly queues = new Map<string, () => number | Promise<number>>();
  private readonly graphqlRequests: Counter<"operation" | "type" | "outcome">;
  private readonly graphqlDuration: Histogram<"operation" | "type">;
  private readonly httpRequests: Counter<"route" | "status">;
  private readonly httpDuration: Histogram<"route">;
  private readonly databaseErrors: Counter<"kind">;
  private readonly queueReadErrors: Counter<"queue">;
  private processMetrics = false;

  constructor() {
    const registers = [this.registry];
    this.graphqlRequests = new Counter({
      name: "starling_graphql_requests_total",
      help: "GraphQL requests by operation name, operation type and outcome (OK or the error code answered).",
      labelNames: ["operation", "type", "outcome"],
      registers,
    });
    this.graphqlDuration = new Histogram({
      name: "starling_graphql_request_duration_seconds",
      help: "Time from a GraphQL request's arrival to the end of its answer.",
      labelNames: ["operation", "type"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.httpRequests = new Counter({
      name: "starling_http_requests_total",
      help: "HTTP requests by route and status.",
      labelNames: ["route", "status"],
      registers,
    });
    this.httpDuration = new Histogram({
      name: "starling_http_request_duration_seconds",
      help: "Time from an HTTP request's arrival to the end of its answer, by route.",
      labelNames: ["route"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.databaseErrors = new Counter({
      name: "starling_database_errors_total",
      help: "Database errors met while answering requests: unavailable (no server) or other.",
      labelNames: ["kind"],
      registers,
    });
    this.queueReadErrors = new Counter({
      name: "starling_queue_depth_read_errors_total",
      help: "Queue depth readers that failed or timed out during a scrape.",
      labelNames: ["queue"],
      registers,
    });
    const queues = this.queues;
    const readErrors = this.queueReadErrors;
    new Gauge({
      name: "starling_queue_depth",
      help: "Items waiting in each queue (write batches, pending counts, and queues other features register).",
      labelNames: ["queue"],
      registers,
      async collect() {
        this.reset();
        await Promise.all(
          [...queues].map(async ([queue, read]) => {
            try {
              this.set({ queue }, await withTimeout(Promise.resolve().then(read), QUEUE_READ_TIMEOUT_MS));
            } catch {
              readErrors.inc({ queue });
            }
          }),
        );
      },
    });
  }

  /** Reports a queue's depth at every scrape; see the top of this file. */
  registerQueueDepth(queue: string, read: () => number | Promise<number>): void {
    if (!QUEUE_NAME.test(queue)) throw new Error(`queue name ${JSON.stringify(queue)} must be lower-case snake_case`);
    this.queues.set(queue, read);
  }

  /** A gauge read at each scrape (e.g. whether the database is reachable); a name registered again is replaced. */
  registerGauge(name: string, help: string, read: () => number): void {
    const existing = this.registry.getSingleMetric(name);
    if (existing) this.registry.removeSingleMetric(name);
    new Gauge({
      name,
      help,
      registers: [this.registry],
      collect() {
        this.set(read());
      },
    });
  }

  /** Node's own metrics, once per registry (they start an event-loop monitor, so only when metrics are on). */
  enableProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** The bounded label for a client's operation name (see the top of this file). */
  operationLabel(name: string | null | undefined, succeeded: boolean): string {
    if (name === undefined) return "__none__";
    if (name === null || name === "") return "__anonymous__";
    if (!GRAPHQL_NAME.test(name)) return "__invalid__";
    if (this.operations.has(name)) return name;
    if (succeeded && this.operations.size < MAX_OPERATION_LABELS) {
      this.operations.add(name);
      return name;
    }
    return "__other__";
  }

  observeGraphQL(note: GraphQLRequestNote, status: number, seconds: number): void {
    const outcome = note.outcome ?? outcomeOfStatus(status);
    const operation = this.operationLabel(note.operation, outcome === "OK");
    const type = note.type ?? "none";
    this.graphqlRequests.inc({ operation, type, outcome });
    this.graphqlDuration.observe({ operation, type }, seconds);
  }

  observeHttp(route: HttpRoute, status: number, seconds: number): void {
    this.httpRequests.inc({ route, status: String(status) });
    this.httpDuration.observe({ route }, seconds);
  }

  /** Counts an error met by a request if it came from the database. */
  databaseError(err: unknown): void {
    if (isDatabaseUnavailable(err)) this.databaseErrors.inc({ kind: "unavailable" });
    else if (err instanceof Error && /^Mongo|^MongooseError$|^CastError$|^ValidationError$/.test(err.name))
      this.databaseErrors.inc({ kind: "other" });
  }

  /** The Prometheus text format. */
  async text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/** A code the client got, bounded to the error table (anything else is "OTHER"). */
export function outcomeLabel(code: unknown): string {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code) ? code : "OTHER";
}

/** The outcome of a GraphQL request answered before GraphQL saw it, from its status. */
function outcomeOfStatus(status: number): string {
  if (status === 304) return "NOT_MODIFIED";
  if (status === 429) return "RATE_LIMITED";
  if (status === 413) return "REQUEST_TOO_LARGE";
  if (status === 503) return "DATABASE_UNAVAILABLE";
  if (status < 400) return "OK";
  return `HTTP_${status >= 500 ? 500 : 400}`;
}

/** The route label of a path (a fixed set). */
export function routeOf(path: string): HttpRoute {
  if (path === "/graphql") return "graphql";
  if (/^\/shops\/[^/]+\/feeds\/google-product-reviews\.xml$/.test(path)) return "review_feed";
  if (/^\/shops\/[^/]+\/disclosure$/.test(path)) return "disclosure";
  if (path.startsWith("/embed/")) return "review_form";
  if (path === "/healthz" || path === "/readyz") return "health";
  if (path === "/metrics") return "metrics";
  if (path === "/") return "home";
  return "other";
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    timer.unref();
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}
