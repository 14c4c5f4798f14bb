/**
 * Transport: one GraphQL POST with a timeout, retries with exponential backoff
 * and jitter, idempotency keys for writes, and typed errors with request ids.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, makeAPIError, type GraphQLErrorInfo } from "./errors.js";

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where Starling runs, e.g. "https://reviews.example.com" (the client posts to `<endpoint>/graphql`). */
  endpoint: string;
  /** A publishable key (`pk_…`) in browsers, a secret key (`sk_…`) only on your server. */
  key: string;
  /** Abort one attempt after this long, in ms. @default 10000 */
  timeoutMs?: number;
  /** Retries after the first attempt (connection errors, 408, 429, >= 500). 0 turns retrying off. @default 2 */
  maxRetries?: number;
  /** The first backoff, in ms; it doubles per retry, up to `maxRetryDelayMs`, minus up to 25 % jitter. @default 500 */
  retryDelayMs?: number;
  /** The longest backoff, in ms. @default 8000 */
  maxRetryDelayMs?: number;
  /** How long a rating summary is served from memory without asking, in ms. @default 60000 */
  cacheTtlMs?: number;
  /** After the TTL, how much longer a stale summary is served while a fresh one loads in the background, in ms. @default 300000 */
  staleWhileRevalidateMs?: number;
  /** The fetch to use. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** The clock, for tests. @default Date.now */
  now?: () => number;
}

/** What the transport needs from a call. */
export interface RequestOptions {
  /** A write: retried only when it carries an idempotency key. */
  write?: boolean;
  /** The write's idempotency key (it travels in the variables); a write without one is never retried. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** A document the client sends: the generated TypedDocumentString, or any string. */
export interface Document<TResult, TVariables> {
  toString(): string;
  /** Type-only: carries the result and variables types. */
  readonly __apiType?: (variables: TVariables) => TResult;
}

/** Retry-After up to this long is waited for; longer means "not now", so we fail fast. */
const MAX_RETRY_AFTER_MS = 60_000;

export class Transport {
  readonly endpoint: string;
  readonly options: Required<Omit<ClientOptions, "endpoint" | "key">> & { key: string };

  constructor(options: ClientOptions) {
    if (!options || typeof options.endpoint !== "string" || !/^https?:\/\//.test(options.endpoint)) {
      throw new TypeError(`createClient requires endpoint as an http(s) URL, got ${String(options?.endpoint)}`);
    }
    if (typeof options.key !== "string" || !/^(pk|sk)_\S+$/.test(options.key)) {
      throw new TypeError("createClient requires key as a Starling API key (pk_… or sk_…)");
    }
    this.endpoint = `${options.endpoint.replace(/\/+$/, "")}/graphql`;
    this.options = {
      key: options.key,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetries: options.maxRetries ?? 2,
      retryDelayMs: options.retryDelayMs ?? 500,
      maxRetryDelayMs: options.maxRetryDelayMs ?? 8_000,
      cacheTtlMs: options.cacheTtlMs ?? 60_000,
      staleWhileRevalidateMs: options.staleWhileRevalidateMs ?? 300_000,
      fetch: options.fetch ?? ((...args) => globalThis.fetch(...args)),
      now: options.now ?? Date.now,
    };
  }

  /** Runs one operation, retrying what is safe to retry; resolves to `data` or throws a StarlingError. */
  async request<TResult, TVariables>(
    document: Document<TResult, TVariables>,
    variables: TVariables,
    opts: RequestOptions = {},
  ): Promise<TResult> {
    const body = JSON.stringify({ query: document.toString(), variables });
    // A write without an idempotency key could be stored twice; never retry it.
    const retries = opts.write && !opts.idempotencyKey ? 0 : this.options.maxRetries;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.attempt<TResult>(body, opts);
      } catch (err) {
        const delay = attempt < retries ? retryDelay(err, attempt, this.options) : null;
        if (delay === null || opts.signal?.aborted) throw err;
        await sleep(delay);
      }
    }
  }

  private async attempt<TResult>(body: string, opts: RequestOptions): Promise<TResult> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    opts.signal?.addEventListener("abort", onAbort);
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs);
    const headers: Record<string, string> = {
      "content-type": "application/json",
      accept: "application/graphql-response+json, application/json",
      authorization: `Bearer ${this.options.key}`,
    };
    let res: Response;
    let json: { data?: TResult | null; errors?: GraphQLErrorInfo[] } | undefined;
    try {
      res = await this.options.fetch(this.endpoint, { method: "POST", headers, body, signal: controller.signal });
      json = await res.json().catch(() => undefined);
    } catch (cause) {
      if (controller.signal.aborted && !opts.signal?.aborted) {
        throw new APIConnectionTimeoutError(`No answer from ${this.endpoint} within ${this.options.timeoutMs} ms`, { cause });
      }
      // Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, …) is its cause.
      const reason = (cause as { cause?: { code?: string; message?: string } })?.cause;
      const detail = reason?.code ?? reason?.message ?? (cause as Error)?.message ?? String(cause);
      throw new APIConnectionError(`Could not reach ${this.endpoint}: ${detail}`, { cause });
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", onAbort);
    }
    const requestId = res.headers.get("x-request-id");
    if (res.ok && !json?.data && !json?.errors?.length) {
      // A 2xx that is not a GraphQL answer: a captive portal or a proxy page, not Starling.
      throw new APIConnectionError(
        `${this.endpoint} answered HTTP ${res.status} without a GraphQL result (request ${requestId ?? "unknown"})`,
      );
    }
    if (json?.errors?.length || !res.ok || !json?.data) {
      const errors = json?.errors ?? [{ message: `HTTP ${res.status} from ${this.endpoint}` }];
      throw makeAPIError(res.status, errors, requestId, parseRetryAfter(res.headers));
    }
    return json.data;
  }
}

/**
 * The wait before retry number `attempt + 1`, or null when the failure is not
 * worth retrying. Exported for tests.
 */
export function retryDelay(err: unknown, attempt: number, opts: { retryDelayMs: number; maxRetryDelayMs: number }): number | null {
  if (err instanceof APIError) {
    const status = err.status ?? 0;
    if (!(status === 408 || status === 429 || status >= 500)) return null;
    const asked = "retryAfterMs" in err ? (err.retryAfterMs as number | null) : null;
    // The API may ask us to wait (Retry-After); we defer to that, unless the
    // wait is so long that failing now serves the caller better.
    if (asked !== null) return asked <= MAX_RETRY_AFTER_MS ? asked : null;
  } else if (!(err instanceof APIConnectionError)) {
    return null;
  }
  const backoff = Math.min(opts.retryDelayMs * 2 ** attempt, opts.maxRetryDelayMs);
  // Jitter spreads the retries of many clients that failed at the same moment.
  return backoff * (1 - Math.random() * 0.25);
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), or `retry-after-ms`; in ms, or null. */
export function parseRetryAfter(headers: Headers): number | null {
  const ms = Number(headers.get("retry-after-ms"));
  if (headers.get("retry-after-ms") && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get("retry-after");
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A random UUID v4, also where crypto.randomUUID is missing (plain-http pages). */
export function makeIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === "function") return c.randomUUID();
  const b = c.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
