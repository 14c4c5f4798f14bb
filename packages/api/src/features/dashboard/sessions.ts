/**
 * Dashboard sessions (issue 16). A shop signs in with a secret key, once; the
 * key is then forgotten, and the browser holds only a random session id in an
 * httpOnly, SameSite=Strict cookie. The database keeps the id's SHA-256, so the
 * sessions work across API processes and a copy of the database signs no one in.
 *
 * CSRF: every GraphQL request made with the cookie must carry the session's
 * CSRF token in a header. The token is derived from the session id (an HMAC
 * would need a server secret shared by every process; a hash of the id with a
 * label is as unguessable, since the id itself never leaves the cookie), so
 * nothing more is stored. The page reads it from /dashboard/session, which a
 * foreign page cannot read (no CORS), and keeps it in memory only.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { DashboardSessionDoc } from "./model.js";
import { StarlingError } from "../../errors.js";
import type { Deps } from "../deps.js";
import { authenticate, KIND_SCOPES } from "../shops/keys.js";
import { findShop, type Caller, type Scope } from "../shops/caller.js";

/** How long a session lasts from sign-in; then the shop signs in again. */
export const SESSION_TTL_MS = 8 * 60 * 60 * 1000;
/** How long a one-time link from the CLI stays usable. */
export const LINK_TTL_MS = 15 * 60 * 1000;
export const SESSION_COOKIE = "starling_dashboard";
export const CSRF_HEADER = "x-starling-csrf";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** The CSRF token of a session: the page must echo it in CSRF_HEADER on every request. */
export function csrfToken(sessionId: string): string {
  return createHash("sha256").update(`csrf\u0000${sessionId}`).digest("base64url");
}

export interface SessionInfo {
  readonly sessionId: string;
  readonly shopId: string;
  readonly expiresAt: Date;
}

async function createSession(deps: Deps, shopId: string, keyId: string | null, scopes: readonly string[]): Promise<SessionInfo> {
  const sessionId = randomBytes(32).toString("base64url");
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  // No TTL indexes (MONGODB.md): expired sessions are removed as new ones are made.
  await deps.models.DashboardSession.deleteMany({ expiresAt: { $lt: now } });
  await deps.models.DashboardSession.collection.insertOne({
    _id: sha256(sessionId),
    shopId,
    keyId,
    scopes: [...scopes],
    createdAt: now,
    expiresAt,
  } satisfies DashboardSessionDoc as never);
  return { sessionId, shopId, expiresAt };
}

/**
 * Exchanges a secret key for a session. Only a secret key: a publishable key
 * sits in web pages and must not open the shop's dashboard.
 */
export async function signInWithKey(deps: Deps, key: string): Promise<SessionInfo> {
  let caller: Caller;
  try {
    caller = await authenticate(deps, `Bearer ${key.trim()}`);
  } catch {
    throw new StarlingError("UNAUTHENTICATED", "This key is not a valid secret key of a shop.");
  }
  if (caller.kind !== "secret") {
    throw new StarlingError("UNAUTHENTICATED", "Sign in with a secret key (sk_…); a publishable key cannot open the dashboard.");
  }
  return createSession(deps, caller.shop.id, caller.keyId, [...caller.scopes]);
}

/** A one-time sign-in link's token for a shop (the operator CLI prints it). */
export async function createSignInLink(deps: Deps, shopId: string): Promise<{ token: string; expiresAt: Date }> {
  if (!(await findShop(deps, shopId))) throw new StarlingError("NOT_FOUND", `There is no shop "${shopId}".`, { field: "shop" });
  const token = randomBytes(32).toString("base64url");
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  await deps.models.DashboardLink.deleteMany({ expiresAt: { $lt: now } });
  await deps.models.DashboardLink.collection.insertOne({ _id: sha256(token), shopId, createdAt: now, expiresAt, usedAt: null } as never);
  return { token, expiresAt };
}

/** Uses up a one-time link (a conditional update: of two tabs, one wins) and opens a session with every secret scope. */
export async function signInWithLink(deps: Deps, token: string): Promise<SessionInfo> {
  const now = deps.now();
  const link = await deps.models.DashboardLink.findOneAndUpdate(
    { _id: sha256(token), usedAt: null, expiresAt: { $gt: now } },
    { $set: { usedAt: now } },
  ).lean();
  if (!link) throw new StarlingError("UNAUTHENTICATED", "This sign-in link is unknown, used or expired; ask for a new one.");
  return createSession(deps, link.shopId, null, KIND_SCOPES.secret);
}

export async function signOut(deps: Deps, sessionId: string): Promise<void> {
  await deps.models.DashboardSession.deleteOne({ _id: sha256(sessionId) });
}

/** The session behind a cookie value, if it is current; its key (if any) must still work. */
export async function findSession(deps: Deps, sessionId: string): Promise<(Caller & { expiresAt: Date }) | null> {
  const doc = await deps.models.DashboardSession.findById(sha256(sessionId)).lean<DashboardSessionDoc>();
  if (!doc || doc.expiresAt <= deps.now()) return null;
  if (doc.keyId) {
    // Revoking the key ends the sessions opened with it.
    const key = await deps.models.ApiKey.findOne({ keyId: doc.keyId, shopId: doc.shopId }, { revokedAt: 1 }).lean();
    if (!key || key.revokedAt) return null;
  }
  const shop = await findShop(deps, doc.shopId);
  if (!shop) return null;
  return {
    shop,
    keyId: doc.keyId ?? `dashboard:${doc._id.slice(0, 8)}`,
    kind: "secret",
    scopes: new Set(doc.scopes as Scope[]),
    expiresAt: doc.expiresAt,
  };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The caller of a GraphQL request authenticated by the dashboard's cookie:
 * it must come from Starling's own origin (a browser always sends Origin on
 * a POST) and carry the session's CSRF token; otherwise CSRF_REJECTED, and
 * nothing runs.
 */
export async function authenticateSession(
  deps: Deps,
  request: { sessionId: string; csrf: string | null; origin: string | null; host: string | null; method: string },
): Promise<Caller> {
  if (request.method !== "POST") {
    throw new StarlingError("CSRF_REJECTED", "The dashboard's session works only for POST requests with its CSRF token.");
  }
  if (request.origin !== null && !sameOrigin(request.origin, request.host)) {
    throw new StarlingError("CSRF_REJECTED", "The dashboard's session cookie is accepted only from Starling's own pages.");
  }
  if (!request.csrf || !sameToken(request.csrf, csrfToken(request.sessionId))) {
    throw new StarlingError("CSRF_REJECTED", `Missing or wrong ${CSRF_HEADER} header: reload the dashboard.`);
  }
  const session = await findSession(deps, request.sessionId);
  if (!session) throw new StarlingError("UNAUTHENTICATED", "The dashboard session has ended; sign in again.");
  return session;
}

export function sameOrigin(origin: string, host: string | null): boolean {
  try {
    return host !== null && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** The session id in a Cookie header, if any. */
export function sessionIdFromCookie(cookie: string | null | undefined): string | null {
  if (!cookie) return null;
  for (const part of cookie.split(";")) {
    const [name, ...value] = part.trim().split("=");
    if (name === SESSION_COOKIE) return value.join("=") || null;
  }
  return null;
}
