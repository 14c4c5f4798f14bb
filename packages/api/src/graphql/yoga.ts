import { EnvelopArmorPlugin } from "@escape.tech/graphql-armor";
import { useGraphQlJit } from "@envelop/graphql-jit";
import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError, type DefinitionNode, type GraphQLSchema } from "graphql";
import { createYoga, type GraphiQLOptions, type Plugin, type YogaServerInstance } from "graphql-yoga";
import type { Deps } from "../domain/deps.js";
import type { Logger } from "../log.js";
import type { RateLimits } from "../http/rate-limits.js";
import { createContext, type Context } from "./context.js";
import { useErrorCodes } from "./error-codes.js";
import type { CallerNote, ConditionalGets } from "../http/conditional-get.js";

/**
 * Sized so that the playground's introspection, a listing page of 100
 * products with full ratings, and a page of 100 reviews all fit, with room.
 */
export const QUERY_LIMITS = { depth: 10, cost: 20_000, aliases: 15, directives: 20, tokens: 2_000 } as const;

const DATABASE_RETRY_AFTER_S = 2;

// Which errors mean "the database is unavailable" is the database layer's knowledge
// (the HTTP layer's breaker and the write path ask it too).
import { isDatabaseUnavailable } from "../db/availability.js";
export { isDatabaseUnavailable };

export interface ServerContext {
  requestId: string;
  /** The client's address, as the rate limits see it. */
  ip: string;
  /** Filled in once the caller is known: whose data the answer holds (for conditional GETs). */
  caller: CallerNote;
}

/**
 * GraphQL Yoga over the schema. GraphiQL is rendered from the bundled
 * @graphql-yoga/render-graphiql, not from a CDN: a self-hosted Starling's
 * playground must work offline and under a strict CSP.
 */
export function createGraphQLHandler(opts: {
  schema: GraphQLSchema;
  deps: Deps;
  log: Logger;
  production: boolean;
  playground: GraphiQLOptions;
  rateLimits: RateLimits;
  conditionalGets: ConditionalGets;
}): YogaServerInstance<ServerContext, Context> {
  const { log } = opts;
  return createYoga<ServerContext, Context>({
    schema: opts.schema,
    graphqlEndpoint: "/graphql",
    // Cross-origin callers (the SDK in a shop's page) may read these: the request
    // id to quote in a support ticket, and how long a 429 asks them to wait.
    // Preflights are cached for 10 min, so a listing page does not pay one before every load.
    cors: { exposedHeaders: ["x-request-id", "retry-after"], maxAge: 600 },
    landingPage: false,
    graphiql: { title: "Starling GraphQL playground", ...opts.playground },
    renderGraphiQL,
    plugins: [
      // Over-limit queries are refused before execution, with a message that
      // names the limit (GRAPHQL_VALIDATION_FAILED), not answered slowly.
      EnvelopArmorPlugin({
        maxDepth: { n: QUERY_LIMITS.depth, ignoreIntrospection: true, exposeLimits: true },
        costLimit: { maxCost: QUERY_LIMITS.cost, ignoreIntrospection: true, exposeLimits: true },
        maxAliases: { n: QUERY_LIMITS.aliases, exposeLimits: true },
        maxDirectives: { n: QUERY_LIMITS.directives, exposeLimits: true },
        maxTokens: { n: QUERY_LIMITS.tokens, exposeLimits: true },
        blockFieldSuggestion: { enabled: opts.production },
      }),
      useErrorCodes(),
      invalidateConditionalGets(opts.conditionalGets),
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
    context: ({ request, requestId, ip, caller }) =>
      createContext(opts.deps, { requestId, ip, rateLimits: opts.rateLimits, callerNote: caller }, request.headers.get("authorization")),
    maskedErrors: {
      isDev: !opts.production,
      // Errors the client can act on are GraphQLErrors (ours carry a code);
      // anything else is a bug or an outage: log it whole, tell the client
      // only that it happened and which request id to quote.
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
        const path = error instanceof GraphQLError ? error.path : undefined;
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
        log.error("unexpected error", { error: original, path });
        const detail = isDev && original instanceof Error ? `: ${original.message}` : "";
        return new GraphQLError(`${message}${detail}`, { path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
      },
    },
  });
}

/** Once a mutation has run, earlier GET answers about its shop are no longer current. */
function invalidateConditionalGets(conditionalGets: ConditionalGets): Plugin<Context> {
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

