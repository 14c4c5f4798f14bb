/**
 * API keys: how a caller proves which shop it is and what it may do.
 *
 * - Publishable keys (`pk_…`) may sit in a web page: they read ratings and
 *   reviews, and submit reviews through the customer form.
 * - Secret keys (`sk_…`) stay on the shop's server: writes, key management.
 *
 * A key is stored only as its SHA-256 (the document `_id`, so authenticating
 * is one lookup by `_id`); the key itself is shown once, when it is made.
 */
import { createHash, randomBytes } from "node:crypto";
import type { ApiKeyDoc } from "./model.js";
import { StarlingError, invalidInput } from "../../errors.js";
import type { Deps } from "../deps.js";
import { findShop, type Caller, type KeyKind, type Scope, type Shop } from "./caller.js";

export { SCOPES, type Caller, type KeyKind, type Scope } from "./caller.js";
import { optionalText } from "../validate.js";
import { memoizeRecent } from "../../memo.js";

/** What each kind may hold at most, and gets by default. */
export const KIND_SCOPES: Record<KeyKind, readonly Scope[]> = {
  publishable: ["reviews:read", "form:submit"],
  secret: [
    "reviews:read",
    "reviews:write",
    "products:write",
    "form:submit",
    "keys:manage",
    "reviews:moderate",
    "shop:settings",
    "invitations:write",
    "privacy:manage",
  ],
};

const PREFIX: Record<KeyKind, string> = { publishable: "pk_", secret: "sk_" };

export interface ApiKeyInfo {
  readonly id: string;
  readonly kind: KeyKind;
  readonly label: string | null;
  readonly scopes: readonly Scope[];
  /** The key's first characters, to tell keys apart without revealing them. */
  readonly prefix: string;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
}

export function hashKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** hashKey for the keys of recent requests: every request authenticates, and the hash costs more than the cache lookup it feeds. */
const recentKeyHash = memoizeRecent(hashKey);

function toInfo(doc: ApiKeyDoc): ApiKeyInfo {
  return {
    id: doc.keyId,
    kind: doc.kind,
    label: doc.label ?? null,
    scopes: doc.scopes as Scope[],
    prefix: doc.prefix,
    createdAt: doc.createdAt,
    revokedAt: doc.revokedAt ?? null,
  };
}

/**
 * Makes a key for a shop. `key` may be fixed (the demo shop's keys are, so
 * its examples keep working across restarts); otherwise it is random.
 */
export async function issueKey(
  deps: Deps,
  shopId: string,
  input: { kind: KeyKind; label?: string | null; scopes?: readonly string[] | null; key?: string },
): Promise<{ key: string; info: ApiKeyInfo }> {
  const allowed = KIND_SCOPES[input.kind];
  const scopes = [...new Set(input.scopes ?? allowed)];
  for (const s of scopes) {
    if (!(allowed as readonly string[]).includes(s)) {
      throw invalidInput("scopes", `a ${input.kind} key cannot hold "${s}"; allowed: ${allowed.join(", ")}`);
    }
  }
  if (scopes.length === 0) throw invalidInput("scopes", "a key needs at least one scope");
  const label = optionalText("label", input.label, { max: 100 });
  const key = input.key ?? `${PREFIX[input.kind]}${randomBytes(24).toString("base64url")}`;
  const doc: ApiKeyDoc = {
    _id: hashKey(key),
    keyId: `key_${randomBytes(9).toString("base64url")}`,
    shopId,
    kind: input.kind,
    scopes,
    label,
    prefix: key.slice(0, 8),
    createdAt: deps.now(),
    revokedAt: null,
  };
  await deps.models.ApiKey.collection.insertOne(doc as never);
  return { key, info: toInfo(doc) };
}

export async function listKeys(deps: Deps, shopId: string): Promise<ApiKeyInfo[]> {
  const docs = await deps.models.ApiKey.find({ shopId }).sort({ createdAt: 1 }).lean<ApiKeyDoc[]>();
  return docs.map(toInfo);
}

/**
 * Stops a key from working, for good. Refuses (LAST_KEY) to revoke the shop's
 * last working key that can manage keys: nothing could then make, rotate or
 * revoke a key again (only the operator CLI, `starling keys create`).
 *
 * The check comes first, so the usual refusal touches nothing. Two revocations
 * racing (in two API processes) could each see the other's key still working;
 * so after revoking, the check runs again and, if no manager is left, this
 * revocation is undone and refused. Of two such races at least one sees the
 * other's key or is undone, so a manager always survives.
 */
export async function revokeKey(deps: Deps, shopId: string, keyId: string): Promise<ApiKeyInfo> {
  // One at a time per shop in this process, so two revocations here never both see the other's key.
  return deps.summaryLock.run(`keys:${shopId}`, () => revokeNow(deps, shopId, keyId));
}

async function revokeNow(deps: Deps, shopId: string, keyId: string): Promise<ApiKeyInfo> {
  const doc = await deps.models.ApiKey.findOne({ keyId, shopId }).lean<ApiKeyDoc>();
  if (!doc) throw new StarlingError("NOT_FOUND", `This shop has no key "${keyId}".`, { field: "id" });
  if (!doc.revokedAt) {
    const managesKeys = doc.scopes.includes("keys:manage");
    if (managesKeys && !(await otherManagerExists(deps, shopId, doc._id))) throw lastKey();
    doc.revokedAt = deps.now();
    await deps.models.ApiKey.updateOne({ _id: doc._id }, { $set: { revokedAt: doc.revokedAt } });
    deps.cache.keys.delete(doc._id);
    if (managesKeys && !(await otherManagerExists(deps, shopId, doc._id))) {
      await deps.models.ApiKey.updateOne({ _id: doc._id }, { $set: { revokedAt: null } });
      throw lastKey();
    }
  }
  deps.cache.keys.delete(doc._id);
  return toInfo(doc);
}

/** Whether the shop has a working key besides `exceptHash` that can manage keys. */
async function otherManagerExists(deps: Deps, shopId: string, exceptHash: string): Promise<boolean> {
  // A shop has a handful of keys: filtered here rather than by an array match in the query.
  const keys = await deps.models.ApiKey.find({ shopId }, { _id: 1, scopes: 1, revokedAt: 1 }).lean<ApiKeyDoc[]>();
  return keys.some((k) => k._id !== exceptHash && !k.revokedAt && k.scopes.includes("keys:manage"));
}

const lastKey = () =>
  new StarlingError(
    "LAST_KEY",
    "This is the shop's last working key that can manage keys (KEYS_MANAGE); revoking it would lock the shop out. Create another such key first (or rotate this one).",
    { field: "id" },
  );

/** A new key with the same kind, label and scopes; the old one stops working at once. */
export async function rotateKey(deps: Deps, shopId: string, keyId: string): Promise<{ key: string; info: ApiKeyInfo }> {
  const old = await deps.models.ApiKey.findOne({ keyId, shopId }).lean<ApiKeyDoc>();
  if (!old) throw new StarlingError("NOT_FOUND", `This shop has no key "${keyId}".`, { field: "id" });
  if (old.revokedAt) throw new StarlingError("KEY_REVOKED", "This key is already revoked; issue a new one instead.", { field: "id" });
  const fresh = await issueKey(deps, shopId, { kind: old.kind, label: old.label, scopes: old.scopes });
  await revokeKey(deps, shopId, keyId);
  return fresh;
}

/** Resolves an `Authorization: Bearer <key>` header to its caller, or fails with UNAUTHENTICATED. */
export async function authenticate(deps: Deps, authorization: string | null): Promise<Caller> {
  const match = authorization ? /^Bearer\s+(\S+)\s*$/i.exec(authorization) : null;
  if (!match) {
    throw new StarlingError("UNAUTHENTICATED", "Send your shop's API key as `Authorization: Bearer <key>`.");
  }
  const hash = recentKeyHash(match[1]!);
  let caller = deps.cache.keys.get(hash);
  if (caller === undefined) {
    const doc = await deps.models.ApiKey.findById(hash).lean<ApiKeyDoc>();
    const shop = doc && !doc.revokedAt ? await findShop(deps, doc.shopId) : null;
    caller = doc && shop ? { shop, keyId: doc.keyId, kind: doc.kind, scopes: new Set(doc.scopes as Scope[]) } : null;
    deps.cache.keys.set(hash, caller);
  }
  if (!caller) throw new StarlingError("UNAUTHENTICATED", "This API key is not valid (unknown or revoked).");
  return caller;
}

/** A scope as the schema's ApiKeyScope enum and the README spell it: "reviews:moderate" → REVIEWS_MODERATE. */
export function scopeName(scope: Scope): string {
  return scope.replace(":", "_").toUpperCase();
}

/** The caller's shop if the key holds `scope` (any of them, for a list); FORBIDDEN otherwise. */
export function requireScope(caller: Caller, scope: Scope | readonly Scope[]): Shop {
  const wanted = typeof scope === "string" ? [scope] : scope;
  if (!wanted.some((s) => caller.scopes.has(s))) {
    const names = wanted.map(scopeName);
    throw new StarlingError("FORBIDDEN", `This ${caller.kind} key lacks the scope ${names.join(" or ")}.`, {
      requiredScopes: names,
    });
  }
  return caller.shop;
}
