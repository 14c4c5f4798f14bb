import { renderGraphiQL } from "@graphql-yoga/render-graphiql";
import { GraphQLError, type GraphQLSchema } from "graphql";
import { createYoga, type GraphiQLOptions, type YogaServerInstance } from "graphql-yoga";
import type { Deps } from "../domain/deps.js";
import type { Logger } from "../log.js";
import { createContext, type Context } from "./context.js";
import { useInputErrorCodes } from "./input-errors.js";

export interface ServerContext {
  requestId: string;
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
}): YogaServerInstance<ServerContext, Context> {
  const { log } = opts;
  return createYoga<ServerContext, Context>({
    schema: opts.schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: { title: "Starling GraphQL playground", ...opts.playground },
    renderGraphiQL,
    plugins: [useInputErrorCodes()],
    logging: {
      debug: (...a) => log.debug(String(a[0]), { args: a.slice(1) }),
      info: (...a) => log.info(String(a[0]), { args: a.slice(1) }),
      warn: (...a) => log.warn(String(a[0]), { args: a.slice(1) }),
      error: (...a) => log.error(String(a[0]), { args: a.slice(1) }),
    },
    context: ({ request, requestId }) => createContext(opts.deps, requestId, request.headers.get("authorization")),
    maskedErrors: {
      isDev: !opts.production,
      // Errors the client can act on are GraphQLErrors (ours carry a code);
      // anything else is a bug or an outage: log it whole, tell the client
      // only that it happened and which request id to quote.
      maskError(error, message, isDev) {
        const original = error instanceof GraphQLError ? error.originalError : error;
        if (error instanceof GraphQLError && (!original || original instanceof GraphQLError)) return error;
        const path = error instanceof GraphQLError ? error.path : undefined;
        log.error("unexpected error", { error: original, path });
        const detail = isDev && original instanceof Error ? `: ${original.message}` : "";
        return new GraphQLError(`${message}${detail}`, { path, extensions: { code: "INTERNAL_SERVER_ERROR" } });
      },
    },
  });
}
