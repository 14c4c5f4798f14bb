/**
 * The CLI's way to the API: GraphQL POSTs and the export's streamed GET, over
 * node:http(s) rather than fetch, whose 300 s header timeout would cut off
 * finishImport on a large shop (it answers once the shop is re-scored).
 */
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";

/** A refusal the API answered with its error code (INVALID_INPUT, UNAUTHENTICATED, …), or the client's own (UNREACHABLE). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface Endpoint {
  readonly url: string;
  readonly key: string;
}

function request(endpoint: Endpoint, path: string, method: "GET" | "POST", body?: string): Promise<http.IncomingMessage> {
  const url = new URL(path, endpoint.url.endsWith("/") ? endpoint.url : `${endpoint.url}/`);
  const lib = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      url,
      {
        method,
        headers: {
          authorization: `Bearer ${endpoint.key}`,
          accept: method === "GET" ? "application/x-ndjson" : "application/json",
          ...(body !== undefined ? { "content-type": "application/json", "content-length": Buffer.byteLength(body) } : {}),
        },
      },
      resolve,
    );
    req.once("error", (err) => reject(new ApiError("UNREACHABLE", `cannot reach ${url.origin}: ${err.message}`)));
    req.end(body);
  });
}

async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The first error of an error body, as an ApiError. */
function errorOf(status: number, text: string): ApiError {
  try {
    const body = JSON.parse(text) as { errors?: { message: string; extensions?: { code?: string } }[] };
    const e = body.errors?.[0];
    if (e) return new ApiError(e.extensions?.code ?? `HTTP_${status}`, e.message);
  } catch {
    // not JSON: a proxy's page, say
  }
  return new ApiError(`HTTP_${status}`, `the API answered ${status}`);
}

/**
 * A GraphQL request; the data, or an ApiError with the first error's code.
 * Over a rate limit, or with the database briefly down, it waits as the API
 * says (Retry-After) and tries again: an import is idempotent per row.
 */
export async function graphql<T>(endpoint: Endpoint, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const body = JSON.stringify({ query, variables });
  for (let attempt = 0; ; attempt++) {
    const res = await request(endpoint, "graphql", "POST", body);
    const text = await readAll(res);
    const retryAfter = Number(res.headers["retry-after"]);
    if ((res.statusCode === 429 || res.statusCode === 503) && attempt < 20) {
      await sleep(1000 * (Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : 2));
      continue;
    }
    let parsed: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] };
    try {
      parsed = JSON.parse(text);
    } catch {
      throw errorOf(res.statusCode ?? 0, text);
    }
    if (parsed.errors?.length) throw errorOf(res.statusCode ?? 0, text);
    if (!parsed.data) throw new ApiError(`HTTP_${res.statusCode}`, "the API answered without data");
    return parsed.data;
  }
}

/** GET of a streamed body: the response, once its status is 200; the API's error otherwise. */
export async function getStream(endpoint: Endpoint, path: string): Promise<http.IncomingMessage> {
  const res = await request(endpoint, path, "GET");
  if (res.statusCode !== 200) throw errorOf(res.statusCode ?? 0, await readAll(res));
  return res;
}
