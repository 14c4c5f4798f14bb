/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com/): the
 * signed content is `<webhook-id>.<webhook-timestamp>.<body>`, the key is the
 * base64 part of the secret after `whsec_`, and the header carries
 * `v1,<base64 HMAC-SHA256>`, several space-separated during a secret
 * rotation's overlap (a receiver accepts any one it can verify).
 */
import { createHmac, randomBytes } from "node:crypto";

export const SECRET_PREFIX = "whsec_";

/** A new endpoint secret: 24 random bytes (the spec asks for 24 to 64), base64 after `whsec_`. */
export function newWebhookSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString("base64")}`;
}

export function signatureOf(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
}

/** The `webhook-signature` header: one signature per secret still in use. */
export function signatureHeader(secrets: readonly string[], id: string, timestampSeconds: number, body: string): string {
  return secrets.map((s) => signatureOf(s, id, timestampSeconds, body)).join(" ");
}
