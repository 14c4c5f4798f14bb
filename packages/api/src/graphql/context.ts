import DataLoader from "dataloader";
import type { Deps } from "../features/deps.js";
import { authenticate, requireScope, type Caller, type Scope } from "../features/shops/keys.js";
import { loadRatings, type Rating } from "../features/ratings/ratings.js";
import { checkSecretKeyOrigin, type Shop } from "../features/shops/shops.js";
import { authenticateSession } from "../features/dashboard/sessions.js";

// What a request's context needs from the server around it, defined here so
// the dependencies point one way (http -> graphql): http/rate-limits.ts and
// http/conditional-get.ts implement and fill these in.

export interface RateRefusal {
  readonly limit: string;
  /** Seconds until a retry can succeed, for the Retry-After header. */
  readonly retryAfter: number;
}

export interface RateLimits {
  request(ip: string, authorization: string | null): Promise<RateRefusal | null>;
  /** Spends a query's cost from its key's budget per minute. */
  cost(authorization: string, points: number): Promise<RateRefusal | null>;
  formSubmission(ip: string, shopId: string): Promise<RateRefusal | null>;
  reviewer(shopId: string, reviewer: string): Promise<RateRefusal | null>;
  /** A new helpful vote (features/votes), per address and shop, like form submissions. */
  vote(ip: string, shopId: string): Promise<RateRefusal | null>;
  close(): Promise<void>;
}

/** What the GraphQL layer tells the HTTP layer (its conditional GETs) about a request once it knows the caller. */
export interface CallerNote {
  shopId: string | null;
  /** A publishable key: its answers are what any shopper sees, so shared caches may keep them. */
  publishable: boolean;
}

export interface Context {
  readonly deps: Deps;
  readonly requestId: string;
  readonly ip: string;
  readonly rateLimits: RateLimits;
  /**
   * The limit this request is over, if any: then only a retry of a stored
   * review is answered. Set before execution (by the cost budget too).
   */
  refusal: RateRefusal | null;
  /** Told who the caller is, for the HTTP layer's conditional GETs. */
  readonly callerNote: CallerNote;
  /** Who is calling; rejects with UNAUTHENTICATED without a valid key. Checked once per request. */
  caller(): Promise<Caller>;
  /** The caller's shop, if its key holds one of these scopes; FORBIDDEN otherwise. */
  authorize(scope: Scope | readonly Scope[]): Promise<Shop>;
  /** Ratings asked for in one request go to the database together (a listing page's 50 products: one query). */
  readonly ratings: DataLoader<string, Rating>;
  /** Set before execution for a query over HEAVY_QUERY_COST (useQueryCost): see readInTurn. */
  heavy: boolean;
  /** Set with `heavy`: resolves when the heavy query may start its next read (light requests first: LightFirst). */
  heavyReadTurn?: () => Promise<void>;
  /**
   * Runs one item's read of a list field (a product's review page in
   * `products(ids)`): at once in an ordinary query; in a heavy one, after the
   * item before it. A heavy query then has one read at the database at a time,
   * so a light request behind it waits for one page, not for twenty (the
   * embedded database answers concurrent reads no faster than one by one).
   * Each of a heavy query's reads also waits until no light request is in
   * flight (heavyReadTurn), so light requests do not queue behind it.
   */
  readInTurn<T>(read: () => Promise<T>): Promise<T>;
}

export function createContext(
  deps: Deps,
  request: {
    requestId: string;
    ip: string;
    rateLimits: RateLimits;
    callerNote?: CallerNote;
    refusal?: RateRefusal | null;
    /** The page's origin, for a request a browser sent from another site; null otherwise. */
    origin?: string | null;
    /**
     * The dashboard's session cookie, when the request carries no API key
     * (features/dashboard/sessions.ts): it then authenticates as the key the
     * shop signed in with, once its CSRF header and origin are checked.
     */
    session?: { sessionId: string; csrf: string | null; origin: string | null; host: string | null; method: string } | null;
  },
  authorization: string | null,
): Context {
  const callerNote = request.callerNote ?? { shopId: null, publishable: false };
  let caller: Promise<Caller> | undefined;
  const getCaller = () =>
    (caller ??= (
      authorization === null && request.session ? authenticateSession(deps, request.session) : authenticate(deps, authorization)
    ).then(async (c) => {
      // A session's origin was checked against Starling's own (same-origin only).
      if (c.kind === "secret" && !(authorization === null && request.session))
        await checkSecretKeyOrigin(deps, c.shop.id, request.origin ?? null);
      callerNote.shopId = c.shop.id;
      callerNote.publishable = c.kind === "publishable";
      return c;
    }));
  const authorize = async (scope: Scope | readonly Scope[]) => requireScope(await getCaller(), scope);
  const { origin: _origin, session: _session, ...fields } = request;
  let turn: Promise<unknown> = Promise.resolve();
  return {
    deps,
    ...fields,
    refusal: request.refusal ?? null,
    callerNote,
    caller: getCaller,
    authorize,
    ratings: new DataLoader(async (productIds) => loadRatings(deps, (await authorize("reviews:read")).id, productIds)),
    heavy: false,
    readInTurn(read) {
      if (!this.heavy) return read();
      const next = async () => {
        await this.heavyReadTurn?.();
        return read();
      };
      const result = turn.then(next, next);
      turn = result.catch(() => {});
      return result;
    },
  };
}

/**
 * Who does a logged action (moderation, settings, erasure): the caller's shop
 * and the key the log names, once the key holds `scope` (FORBIDDEN otherwise).
 */
export async function actingKey(ctx: Context, scope: Scope): Promise<{ shopId: string; keyId: string }> {
  const caller = await ctx.caller();
  await ctx.authorize(scope);
  return { shopId: caller.shop.id, keyId: caller.keyId };
}
