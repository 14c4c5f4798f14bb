import { createHash } from "node:crypto";
import type http from "node:http";
import { TtlCache } from "../db/ttl-cache.js";
import type { CallerNote } from "../graphql/context.js";

/**
 * Conditional GETs of GraphQL queries (GraphQL over HTTP allows GET for
 * queries, and ratings are read that way to be cacheable).
 *
 * Every 200 answer to a GET carries a strong ETag (a hash of its body) and a
 * Cache-Control, and is remembered here per request (URL and Authorization)
 * with the shop it was about and the write sequence number when it started.
 * A request with a matching If-None-Match is answered 304 straight from that
 * memory, without parsing or executing the query, while
 * - no write to that shop has gone through this process since (writes call
 *   `written`), and
 * - the answer is younger than STARLING_GET_ANSWER_MEMORY_MS (1 s by default,
 *   the staleness a rating read already has across API processes).
 * Otherwise the query runs, and a body with the same hash still gets a 304.
 */
export class ConditionalGets {
  private seq = 0;
  private readonly lastWrite = new Map<string, number>();
  private readonly answers: TtlCache<{ etag: string; shopId: string; asOf: number; cacheControl: string }>;

  /** `memoryMs`: see Config.getAnswerMemoryMs (0 turns the answers-from-memory off; ETags stay). */
  constructor(memoryMs: number) {
    this.answers = new TtlCache(memoryMs);
  }

  /** A write to this shop went through: answers computed before it are no longer current. */
  written(shopId: string): void {
    this.lastWrite.set(shopId, ++this.seq);
  }

  /**
   * Answers a conditional GET from memory when it can (returns null), else
   * returns the note for the GraphQL layer to fill in and arranges for the
   * answer to be tagged.
   */
  handle(req: http.IncomingMessage, res: http.ServerResponse): CallerNote | null {
    const note: CallerNote = { shopId: null, publishable: false };
    if (req.method !== "GET") return note;
    const key = `${req.headers.authorization ?? ""}\n${req.url ?? ""}`;
    const ifNoneMatch = req.headers["if-none-match"];
    const known = this.answers.get(key);
    if (ifNoneMatch && known && matches(ifNoneMatch, known.etag) && (this.lastWrite.get(known.shopId) ?? 0) <= known.asOf) {
      res.writeHead(304, { etag: known.etag, "cache-control": known.cacheControl, vary: VARY, "server-timing": ANSWERED_FROM_MEMORY });
      res.end();
      return null;
    }
    const asOf = this.seq;
    this.tagAnswer(res, (body, statusCode) => {
      if (statusCode !== 200 || !note.shopId || !isDataOnly(body)) return null;
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;
      // Shared caches may keep what any shopper can read; a secret key's answers only the caller may.
      const cacheControl = note.publishable
        ? `public, max-age=0, s-maxage=${SHARED_MAX_AGE_S}, stale-while-revalidate=${SHARED_STALE_S}`
        : "private, no-cache";
      this.answers.set(key, { etag, shopId: note.shopId, asOf, cacheControl });
      return { etag, cacheControl, notModified: Boolean(ifNoneMatch && matches(ifNoneMatch, etag)) };
    });
    return note;
  }

  /**
   * Holds back the status line and the body (Yoga writes it, then ends) until
   * the answer is complete, then adds the validators, or answers 304 instead.
   * A body past MAX_TAGGED_BYTES goes out as it comes, untagged.
   */
  private tagAnswer(
    res: http.ServerResponse,
    decide: (body: Buffer, statusCode: number) => { etag: string; cacheControl: string; notModified: boolean } | null,
  ): void {
    const writeHead = res.writeHead.bind(res) as (...a: unknown[]) => http.ServerResponse;
    const write = res.write.bind(res) as (chunk: unknown) => boolean;
    const end = res.end.bind(res) as (...a: unknown[]) => http.ServerResponse;
    let head: unknown[] | null = null;
    let chunks: Buffer[] | null = [];
    let size = 0;
    const passThrough = () => {
      res.writeHead = writeHead as typeof res.writeHead;
      res.write = write as typeof res.write;
      res.end = end as typeof res.end;
      if (head) writeHead(...head);
      for (const c of chunks ?? []) write(c);
      chunks = null;
    };
    const toBuffer = (chunk: unknown) =>
      typeof chunk === "string" ? Buffer.from(chunk) : chunk instanceof Uint8Array ? Buffer.from(chunk) : null;
    res.writeHead = ((...args: unknown[]) => ((head = args), res)) as typeof res.writeHead;
    res.write = ((chunk: unknown) => {
      const b = toBuffer(chunk);
      if (!b || size + b.length > MAX_TAGGED_BYTES) {
        passThrough();
        return write(chunk);
      }
      chunks!.push(b);
      size += b.length;
      return true;
    }) as typeof res.write;
    res.end = ((chunk?: unknown) => {
      const last = chunk == null ? null : toBuffer(chunk);
      if (chunk != null && !last) {
        passThrough();
        return end(chunk);
      }
      const body = Buffer.concat(last ? [...chunks!, last] : chunks!);
      const status = typeof head?.[0] === "number" ? head[0] : res.statusCode;
      const tag = decide(body, status);
      res.writeHead = writeHead as typeof res.writeHead;
      res.write = write as typeof res.write;
      res.end = end as typeof res.end;
      // writeHead(status[, statusText][, headers]): the headers may be there, or already set.
      const given = (head?.find((h, i) => i > 0 && h !== null && typeof h === "object") ?? {}) as Record<string, unknown>;
      if (!tag) {
        if (head) writeHead(...head);
        return end(body);
      }
      const validators = { etag: tag.etag, "cache-control": tag.cacheControl, vary: VARY };
      if (!tag.notModified) {
        writeHead(status, { ...given, ...validators });
        return end(body);
      }
      // The content headers describe a body a 304 does not have.
      for (const h of ["content-length", "content-type"]) res.removeHeader(h);
      const kept = Object.fromEntries(Object.entries(given).filter(([k]) => !/^content-(length|type)$/i.test(k)));
      writeHead(304, { ...kept, ...validators });
      return end();
    }) as typeof res.end;
  }
}

/** GraphQL answers bigger than this are streamed untagged rather than held in memory. */
const MAX_TAGGED_BYTES = 1024 * 1024;

/** How long a shared cache (a CDN in front of Starling) may serve a publishable-key answer without asking. */
export const SHARED_MAX_AGE_S = 1;
/** And how long past that it may serve it while it revalidates in the background. */
export const SHARED_STALE_S = 30;
/** Says (to an operator or a test) that a 304 came from memory, without running the query. */
export const ANSWERED_FROM_MEMORY = 'etag;desc="confirmed from memory"';
/** Answers differ by key (the shop) and, for CORS, by origin. */
const VARY = "Authorization, Origin";

/**
 * Whether If-None-Match names this ETag. `*` names none: it asks "any
 * current answer?", which a client that never saw one could use to be told
 * 304 about an answer remembered for someone else's request; it is ignored
 * (the query runs and gets a 200).
 */
export function matches(ifNoneMatch: string, etag: string): boolean {
  // Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
  return ifNoneMatch.split(",").some((t) => t.trim() !== "*" && t.trim().replace(/^W\//, "") === etag);
}

/** Only complete answers are tagged: one with errors may be a passing failure and must not be kept. */
function isDataOnly(body: Buffer): boolean {
  try {
    const parsed = JSON.parse(body.toString("utf8")) as { data?: unknown; errors?: unknown };
    return parsed.data != null && parsed.errors === undefined;
  } catch {
    return false;
  }
}
