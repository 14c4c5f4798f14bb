import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useGraphQlJit } from "@envelop/graphql-jit";
import { GraphQLError, Kind, getOperationAST, type DefinitionNode, type ExecutionResult, type GraphQLSchema } from "graphql";
import { errorBody, rateLimited } from "../errors.js";
import { createYoga, type GraphiQLOptions, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Deps } from "../features/deps.js";
import type { Logger } from "../log.js";
import { createContext, type CallerNote, type Context, type RateLimits, type RateRefusal } from "./context.js";
import { CSRF_HEADER, sessionIdFromCookie } from "../features/dashboard/sessions.js";
import { useErrorCodes } from "./error-codes.js";
import { LightFirst, MAX_QUERY_COST, useQueryCost } from "./cost.js";
import { outcomeLabel, type GraphQLRequestNote } from "../metrics.js";

/**
 * Sized so that the playground's introspection, a listing page of 100
 * products with full ratings, and a page of 100 reviews all fit, with room.
 * The cost counts list sizes (graphql/cost.ts).
 */
export const QUERY_LIMITS = { depth: 10, cost: MAX_QUERY_COST, aliases: 15, directives: 20, tokens: 2_000 } as const;

const DATABASE_RETRY_AFTER_S = 2;

// Which errors mean "the database is unavailable" is the database layer's knowledge
// (the HTTP layer's breaker and the write path ask it too).
import { isDatabaseUnavailable } from "../db/availability.js";
export { isDatabaseUnavailable };

/** What is told that a shop's data changed: the HTTP layer's ConditionalGets. */
export interface ShopWrites {
  written(shopId: string): void;
}

export interface ServerContext {
  requestId: string;
  /** The client's address, as the rate limits see it. */
  ip: string;
  /** Filled in once the caller is known: whose data the answer holds (for conditional GETs). */
  caller: CallerNote;
  /** Set when the request is over a rate limit: only a retry of a stored review is answered (see useRefusals). */
  refusal?: RateRefusal | null;
  /** What the metrics want to know about this request (operation, outcome); server.ts observes it at the end. */
  metrics?: GraphQLRequestNote;
}

/**
 * GraphQL Yoga over the schema. GraphiQL is rendered from the bundled
 * @graphql-yoga/render-graphiql, not from a CDN: a self-hosted Starling's
 * playground must work offline and under a strict CSP. That bundle is a 9 MB
 * module (about 45 MB of heap once loaded), so it is imported by the first
 * request for the playground, not when the API starts.
 */
export function createGraphQLHandler(opts: {
  schema: GraphQLSchema;
  deps: Deps;
  log: Logger;
  production: boolean;
  playground: GraphiQLOptions;
  rateLimits: RateLimits;
  /** Told of each shop a mutation wrote to (http/conditional-get.ts: GET answers about it are stale). */
  conditionalGets: ShopWrites;
  /** Whether requests are measured (metrics on): only then does each request's note get filled in. */
  measure?: boolean;
}): YogaServerInstance<ServerContext, Context> {
  const { log } = opts;
  // Light requests before heavy queries' reads (cost.ts), observable in the metrics.
  const lightFirst = new LightFirst();
  opts.deps.metrics.registerGauge(
    "starling_heavy_reads_waiting",
    "Reads of heavy queries waiting now for light requests to finish.",
    () => lightFirst.waiting,
  );
  opts.deps.metrics.registerGauge(
    "starling_light_requests_in_flight",
    "GraphQL requests in flight that heavy queries' reads give way to.",
    () => lightFirst.inFlight,
  );
  opts.deps.metrics.registerGauge(
    "starling_heavy_reads_yielded",
    "Reads of heavy queries that waited for light requests since the process started.",
    () => lightFirst.waited,
  );
  return createYoga<ServerContext, Context>({
    schema: opts.schema,
    graphqlEndpoint: "/graphql",
    // Cross-origin callers (the SDK in a shop's page) may read these: the request
    // id to quote in a support ticket, and how long a 429 asks them to wait.
    // Preflights are cached for 10 min, so a listing page does not pay one before every load.
    // No Access-Control-Allow-Credentials: Starling authenticates with bearer
    // keys, never cookies, so a page has nothing ambient to borrow; a secret
    // key sent from a page is refused unless its shop allows the origin (context.ts).
    cors: { exposedHeaders: ["x-request-id", "retry-after"], maxAge: 600, credentials: false },
    landingPage: false,
    graphiql: { title: "Starling GraphQL playground", ...opts.playground },
    renderGraphiQL: async (options) => (await import("@graphql-yoga/render-graphiql")).renderGraphiQL(options),
    plugins: [
      // Over-limit queries are refused before execution, with a message that
      // names the limit (GRAPHQL_VALIDATION_FAILED), not answered slowly.
      EnvelopArmorPlugin({
        maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true, exposeLimits: true },
        // Replaced by useQueryCost below, which counts list sizes.
        costLimit: { enabled: false },
        maxAliases: { n: QUERY_LIMITS.aliases, exposeLimits: true },
        maxDirectives: { n: QUERY_LIMITS.directives, exposeLimits: true },
        maxTokens: { n: QUERY_LIMITS.tokens, exposeLimits: true },
        blockFieldSuggestion: { enabled: opts.production },
      }),
      // Over the cost limit: refused with the cost and the limit; then the cost is
      // spent from the key's budget per minute (RATE_LIMITED once spent).
      useQueryCost({ rateLimits: opts.rateLimits, maxCost: QUERY_LIMITS.cost, lightFirst }),
      useErrorCodes(),
      useRefusals(),
      useUnsupportedMediaType(),
      logUnexpectedErrors(log),
      invalidateConditionalGets(opts.conditionalGets),
      ...(opts.measure ? [useRequestNotes()] : []),
      // Each query document is compiled once into a function (graphql-jit) instead of
      // being interpreted field by field on every request (~15% less CPU per rating read).
      useGraphQlJit(),
    ],
    // One operation per request: a JSON array of operations is refused.
    batching: false,
    logging: {
      debug: (...a) => log.debug(String(a[0]), { args: a.slice(1) }),
      info: (...a) => log.info(String(a[0]), { args: a.slice(1) }),
      warn: (...a) => log.warn(String(a[0]), { args: a.slice(1) }),
      error: (...a) => log.error(String(a[0]), { args: a.slice(1) }),
    },
    context: ({ request, requestId, ip, caller, refusal }) =>
      createContext(
        opts.deps,
        {
          requestId,
          ip,
          rateLimits: opts.rateLimits,
          callerNote: caller,
          refusal: refusal ?? null,
          origin: browserOrigin(request),
          session: dashboardSession(request),
        },
        request.headers.get("authorization"),
      ),
    maskedErrors: {
      // The same in every NODE_ENV: details go to the log, never to the client.
      isDev: false,
      // Errors the client can act on are GraphQLErrors (ours carry a code);
      // anything else is a bug or an outage: log it whole, tell the client
      // only that it happened and which request id to quote.
      maskError(error, message) {
        const original = (error instanceof GraphQLError ? error.originalError : error) ?? error;
        if (
          error instanceof GraphQLError &&
          !isLibraryExecutionError(error) &&
          (!error.originalError || error.originalError instanceof GraphQLError)
        ) {
          return error;
        }
        const path = error instanceof GraphQLError ? error.path : undefined;
        opts.deps.metrics.databaseError(original);
        if (isDatabaseUnavailable(original)) {
          // An outage, not a bug: say so, and that a retry (with the same
          // idempotency key, for a write) is safe and expected to succeed.
          log.warn("database unavailable", { error: original, path });
          return new GraphQLError("The database is unavailable. Retry shortly; writes are safe to retry with the same idempotency key.", {
            path,
            extensions: {
              code: "DATABASE_UNAVAILABLE",
              retryAfter: DATABASE_RETRY_AFTER_S,
              http: { status: 503, headers: { "Retry-After": String(DATABASE_RETRY_AFTER_S) } },
            },
          });
        }
        // Logged already, with its request id, if it came from execution (logUnexpectedErrors).
        if (!(original instanceof Error && logged.has(original))) log.error("unexpected error", { error: original, path });
        // Never the library's message, not even in development (a mongoose cast
        // error names collections and values; a driver error names hosts): the log has it.
        return new GraphQLError(message, { path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
      },
    },
  });
}

/**
 * A request over a rate limit reaches GraphQL only when it may be a review
 * submission (server.ts): a retry of a stored review is answered whatever the
 * limits (submitReview checks `ctx.refusal` once it knows the key is new).
 * Any other operation, or a submission beside other fields, gets the 429 here,
 * before anything runs.
 */
function useRefusals(): Plugin<Context> {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const refusal = (args.contextValue as Context).refusal;
      if (!refusal) return;
      const operation = getOperationAST(args.document, args.operationName);
      const only = operation?.selectionSet.selections.length === 1 ? operation.selectionSet.selections[0] : undefined;
      if (operation?.operation === "mutation" && only?.kind === Kind.FIELD && only.name.value === "submitReview") return;
      setResultAndStopExecution({ errors: [rateLimited(refusal)] });
    },
  };
}

/**
 * An error raised during execution by the executor itself, with no cause
 * attached: graphql-jit reports a failed scalar serialization (a corrupt
 * stored date: "d.toISOString is not a function") as a bare GraphQLError with
 * a path and no code. Ours always carry a code; this one must be masked.
 */
function isLibraryExecutionError(error: GraphQLError): boolean {
  return error.path !== undefined && !error.extensions?.code && !error.originalError;
}

/** Unexpected errors this process has logged, so that masking does not log them twice. */
const logged = new WeakSet<Error>();

/**
 * Logs each unexpected error of an execution whole, with the request id the
 * client got in `x-request-id`, before Yoga masks it (its masking runs after
 * every plugin's, and without the request).
 */
function logUnexpectedErrors(log: Logger): Plugin<Context> {
  return {
    onExecute({ args }) {
      return {
        onExecuteDone({ result }) {
          if (!("errors" in result) || !result.errors?.length) return;
          for (const error of result.errors) {
            const original = error.originalError ?? (isLibraryExecutionError(error) ? error : undefined);
            if (
              !original ||
              (original !== error && original instanceof GraphQLError) ||
              isDatabaseUnavailable(original) ||
              logged.has(original)
            )
              continue;
            logged.add(original);
            log.error("unexpected error", { error: original, path: error.path, requestId: (args.contextValue as Context).requestId });
          }
        },
      };
    },
  };
}

/**
 * A POST whose body is of no type GraphQL over HTTP reads gets a 415 with a
 * JSON body and a code, like every other refusal (Yoga answers it with an
 * empty body). Yoga's own body parsers set theirs before this runs.
 */
function useUnsupportedMediaType(): Plugin {
  return {
    onRequestParse({ request, requestParser, endResponse, fetchAPI }) {
      if (requestParser || request.method === "GET") return;
      endResponse(
        new fetchAPI.Response(
          errorBody(
            "UNSUPPORTED_MEDIA_TYPE",
            `A GraphQL request's body must be application/json (got ${JSON.stringify(request.headers.get("content-type") ?? "none")}).`,
          ),
          { status: 415, headers: { "content-type": "application/json; charset=utf-8" } },
        ),
      );
    },
  };
}

/**
 * The page's origin when a browser sends the request from another origin
 * than Starling's own (its playground and review form are same-origin);
 * null for a server, which sends no Origin.
 */
function browserOrigin(request: Request): string | null {
  const origin = request.headers.get("origin");
  if (origin === null) return null;
  try {
    if (new URL(origin).host === request.headers.get("host")) return null;
  } catch {
    // "null" (a sandboxed frame, a file) or garbage: a foreign origin.
  }
  return origin;
}

/** The dashboard's session cookie and what its checks need (features/dashboard/sessions.ts); null without one. */
function dashboardSession(request: Request) {
  const sessionId = sessionIdFromCookie(request.headers.get("cookie"));
  if (!sessionId) return null;
  return {
    sessionId,
    csrf: request.headers.get(CSRF_HEADER),
    origin: request.headers.get("origin"),
    host: request.headers.get("host"),
    method: request.method,
  };
}

/** Once a mutation has run, earlier GET answers about its shop are no longer current. */
function invalidateConditionalGets(conditionalGets: ShopWrites): Plugin<Context> {
  return {
    onExecute({ args }) {
      const operation = args.document.definitions.find(
        (d: DefinitionNode) => d.kind === "OperationDefinition" && (!args.operationName || d.name?.value === args.operationName),
      );
      if (operation?.kind !== "OperationDefinition" || operation.operation !== "mutation") return;
      const note = (args.contextValue as Context).callerNote;
      return {
        onExecuteDone() {
          if (note.shopId) conditionalGets.written(note.shopId);
        },
      };
    },
  };
}

/**
 * Fills in the request's metrics note (ServerContext.metrics): the operation
 * and its type once the document is known, and the outcome ("OK" or the first
 * error's code) once the result is. The server observes it when the answer ends.
 */
function useRequestNotes(): Plugin<Context> {
  const notes = new WeakMap<Request, GraphQLRequestNote>();
  return {
    onRequest({ request, serverContext }) {
      const note = (serverContext as Partial<ServerContext> | undefined)?.metrics;
      if (note) notes.set(request, note);
    },
    onExecute({ args }) {
      const note = notes.get((args.contextValue as { request: Request }).request);
      if (!note) return;
      const operation = getOperationAST(args.document, args.operationName);
      note.operation = operation?.name?.value ?? null;
      note.type = operation?.operation;
    },
    onResultProcess({ request, result }) {
      const note = notes.get(request);
      if (!note || Array.isArray(result) || !result || typeof result !== "object" || Symbol.asyncIterator in result) return;
      const errors = (result as ExecutionResult).errors;
      note.outcome = errors?.length ? outcomeLabel(errors[0]!.extensions?.code) : "OK";
    },
  };
}
