/**
 * The shop's dashboard (issue 16) on the API's own origin: its page and
 * assets (built by `pnpm install` into packages/dashboard/dist; nothing is
 * built at run time), and the session endpoints. Everything else the page
 * does goes through /graphql with the session cookie and its CSRF header.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type http from "node:http";
import express from "express";
import type { Deps } from "../features/deps.js";
import {
  CSRF_HEADER,
  SESSION_COOKIE,
  SESSION_TTL_MS,
  csrfToken,
  findSession,
  sameOrigin,
  sessionIdFromCookie,
  signInWithKey,
  signInWithLink,
  signOut,
  type SessionInfo,
} from "../features/dashboard/sessions.js";
import { StarlingError, errorBody, ERROR_CODES } from "../errors.js";
import type { RateLimits } from "../graphql/context.js";
import { REPO_ROOT } from "../config.js";

/** Where `pnpm install` puts the built page (packages/dashboard's postinstall). */
export const DASHBOARD_DIST = path.join(REPO_ROOT, "packages/dashboard/dist");

/**
 * The page may load only its own script and styles, frame only Starling's own
 * disclosure page, and talk only to its own origin.
 */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

export function mountDashboard(
  app: express.Express,
  opts: { deps: Deps; rateLimits: RateLimits; trustProxyHops: number; clientIp: (req: http.IncomingMessage) => string },
): void {
  const { deps } = opts;
  const json = express.json({ limit: "4kb" });

  const https = (req: express.Request) =>
    Boolean((req.socket as { encrypted?: boolean }).encrypted) ||
    (opts.trustProxyHops > 0 &&
      String(req.headers["x-forwarded-proto"] ?? "")
        .split(",")[0]!
        .trim() === "https");

  const setCookie = (req: express.Request, res: express.Response, value: string, maxAgeS: number) => {
    res.setHeader(
      "set-cookie",
      `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${https(req) ? "; Secure" : ""}`,
    );
  };

  const refuse = (res: express.Response, err: unknown) => {
    if (err instanceof StarlingError) {
      res.status(ERROR_CODES[err.code].status).type("application/json").send(errorBody(err.code, err.message));
      return;
    }
    throw err;
  };

  /** A browser always sends Origin on a POST: from anywhere else than this origin, no session is made or ended. */
  const sameSite = (req: express.Request) => {
    const origin = req.headers.origin;
    return typeof origin === "string" && sameOrigin(origin, req.headers.host ?? null);
  };

  const sessionAnswer = (info: { shopId: string; expiresAt: Date }, sessionId: string, shopName: string, scopes: readonly string[]) => ({
    shop: { id: info.shopId, name: shopName },
    csrfToken: csrfToken(sessionId),
    expiresAt: info.expiresAt.toISOString(),
    scopes,
  });

  app.post("/dashboard/session", json, async (req, res) => {
    res.setHeader("cache-control", "no-store");
    if (!sameSite(req)) return refuse(res, new StarlingError("CSRF_REJECTED", "Sign in from Starling's own dashboard page."));
    const refusal = await opts.rateLimits.request(opts.clientIp(req), null);
    if (refusal) {
      res.status(429).setHeader("retry-after", String(refusal.retryAfter));
      return res.type("application/json").send(errorBody("RATE_LIMITED", `Too many attempts; retry after ${refusal.retryAfter} s.`));
    }
    const body = (req.body ?? {}) as { key?: unknown; link?: unknown };
    try {
      let info: SessionInfo;
      if (typeof body.key === "string" && body.key) info = await signInWithKey(deps, body.key);
      else if (typeof body.link === "string" && body.link) info = await signInWithLink(deps, body.link);
      else throw new StarlingError("INVALID_INPUT", "Send a secret key (`key`) or a sign-in link's token (`link`).", { field: "key" });
      const session = await findSession(deps, info.sessionId);
      if (!session) throw new StarlingError("UNAUTHENTICATED", "The session could not be opened.");
      setCookie(req, res, info.sessionId, Math.floor(SESSION_TTL_MS / 1000));
      res.json(sessionAnswer(info, info.sessionId, session.shop.name, [...session.scopes]));
    } catch (err) {
      refuse(res, err);
    }
  });

  // Read by the page on load: who is signed in, and the CSRF token to send. A
  // foreign page cannot read it (no CORS headers here) and the cookie is SameSite=Strict.
  app.get("/dashboard/session", async (req, res) => {
    res.setHeader("cache-control", "no-store");
    const sessionId = sessionIdFromCookie(req.headers.cookie);
    const session = sessionId ? await findSession(deps, sessionId) : null;
    if (!sessionId || !session) return refuse(res, new StarlingError("UNAUTHENTICATED", "Not signed in."));
    res.json(sessionAnswer({ shopId: session.shop.id, expiresAt: session.expiresAt }, sessionId, session.shop.name, [...session.scopes]));
  });

  app.post("/dashboard/signout", async (req, res) => {
    res.setHeader("cache-control", "no-store");
    const sessionId = sessionIdFromCookie(req.headers.cookie);
    if (!sessionId) return refuse(res, new StarlingError("UNAUTHENTICATED", "Not signed in."));
    const csrf = req.headers[CSRF_HEADER];
    if (!sameSite(req) || typeof csrf !== "string" || csrf !== csrfToken(sessionId)) {
      return refuse(
        res,
        new StarlingError("CSRF_REJECTED", `Sign out needs the session's ${CSRF_HEADER} header, from the dashboard's own page.`),
      );
    }
    await signOut(deps, sessionId);
    setCookie(req, res, "", 0);
    res.json({ ok: true });
  });

  const index = path.join(DASHBOARD_DIST, "index.html");
  const page = (_req: express.Request, res: express.Response) => {
    res.setHeader("content-security-policy", CSP);
    res.setHeader("cache-control", "no-cache");
    res.setHeader("referrer-policy", "no-referrer");
    if (!existsSync(index)) {
      res
        .status(503)
        .type("text/plain")
        .send("The dashboard is not built: run `sh scripts/pnpm.sh install --frozen-lockfile` (it builds packages/dashboard).");
      return;
    }
    res.type("html").send(readFileSync(index, "utf8"));
  };
  app.get("/dashboard", page);
  app.get("/dashboard/", page);
  app.use(
    "/dashboard/assets",
    express.static(path.join(DASHBOARD_DIST, "assets"), {
      // File names carry a content hash: cache for good.
      immutable: true,
      maxAge: "365d",
      index: false,
      setHeaders: (res: http.ServerResponse) => res.setHeader("content-security-policy", CSP),
    }),
  );
}
