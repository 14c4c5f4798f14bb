/**
 * The page's one way to the server: GraphQL on the same origin, with the
 * session cookie (httpOnly; the page never sees it) and the session's CSRF
 * token, which lives only in this module's memory.
 */
let csrf = "";

export interface SessionInfo {
  shop: { id: string; name: string };
  csrfToken: string;
  expiresAt: string;
  scopes: string[];
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: a GraphQL or JSON answer, shaped by the query that asked; gql<T> names the shape
async function json(res: Response): Promise<any> {
  const body = await res.json().catch(() => null);
  if (!res.ok) {
    const e = body?.errors?.[0];
    throw new ApiError(e?.message ?? `HTTP ${res.status}`, e?.extensions?.code ?? `HTTP_${res.status}`);
  }
  return body;
}

function remember(s: SessionInfo): SessionInfo {
  csrf = s.csrfToken;
  return s;
}

export async function currentSession(): Promise<SessionInfo | null> {
  const res = await fetch("/dashboard/session", { credentials: "same-origin" });
  if (res.status === 401) return null;
  return remember(await json(res));
}

export async function signIn(body: { key: string } | { link: string }): Promise<SessionInfo> {
  const res = await fetch("/dashboard/session", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return remember(await json(res));
}

export async function signOut(): Promise<void> {
  await json(await fetch("/dashboard/signout", { method: "POST", credentials: "same-origin", headers: { "x-starling-csrf": csrf } }));
  csrf = "";
}

// biome-ignore lint/suspicious/noExplicitAny: callers name T for the fields their query selects
export async function gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch("/graphql", {
    method: "POST",
    credentials: "same-origin",
    headers: { "content-type": "application/json", "x-starling-csrf": csrf },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json().catch(() => null);
  const e = body?.errors?.[0];
  if (e) throw new ApiError(e.message, e.extensions?.code ?? "ERROR");
  if (!res.ok || !body?.data) throw new ApiError(`HTTP ${res.status}`, `HTTP_${res.status}`);
  return body.data as T;
}

/**
 * Which operations and fields this server has (top-level names, and
 * "Type.field" for Shop's and Product's): pages for features not on it say
 * so instead of pretending.
 */
let operations: Promise<Set<string>> | null = null;
export function serverOperations(): Promise<Set<string>> {
  type Fields = { fields: { name: string }[] } | null;
  operations ??= gql<{ __schema: { queryType: Fields; mutationType: Fields }; shopType: Fields; productType: Fields }>(
    `{ __schema { queryType { fields { name } } mutationType { fields { name } } }
       shopType: __type(name: "Shop") { fields { name } } productType: __type(name: "Product") { fields { name } } }`,
  ).then(
    (d) =>
      new Set([
        ...[...(d.__schema.queryType?.fields ?? []), ...(d.__schema.mutationType?.fields ?? [])].map((f) => f.name),
        ...(d.shopType?.fields ?? []).map((f) => `Shop.${f.name}`),
        ...(d.productType?.fields ?? []).map((f) => `Product.${f.name}`),
      ]),
    () => new Set<string>(),
  );
  return operations;
}
