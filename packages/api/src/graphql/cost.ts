/**
 * What a query costs, counting list sizes, and the two limits on it: a most
 * per query, and a budget per API key per minute (rate-limits.ts).
 *
 * graphql-query-complexity walks the query with its variables: every field
 * costs 1, and a field that returns a list of n items costs 1 + n × what one
 * item asks for, so nested lists multiply. `n` is the list's `first` or `ids`
 * argument, or the most a fixed list can hold (see `listCost` in the schema).
 * graphql-armor's cost limit, used before, counted each field once however
 * many items its list held, so `products(ids: [100 ids]) { reviews(first: 100)
 * { … } }` passed at a few hundred while it read 10 000 reviews.
 */
import { GraphQLError, type GraphQLSchema } from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimatorArgs } from "graphql-query-complexity";
import type { Plugin } from "graphql-yoga";
import type { RateLimits, RateRefusal } from "./context.js";

/**
 * The most one query may cost. A listing page of 100 products with the
 * README's rating fields costs 2 901 (8 001 with `discounted { reasons }` too),
 * a page of 100 reviews with every public field 2 302, the playground's
 * introspection 226: all fit; 100 products with 100 reviews each (40 101) does
 * not, nor more than 21 products with 100 reviews each.
 */
export const MAX_QUERY_COST = 8_500;

/** For a field's `extensions.complexity`: a list of `n` items (n from the arguments, or a fixed most). */
export function listCost(n: number | ((args: Record<string, unknown>) => number)) {
  return ({ args, childComplexity }: ComplexityEstimatorArgs) => 1 + (typeof n === "number" ? n : n(args)) * childComplexity;
}

export function queryCost(
  schema: GraphQLSchema,
  args: {
    document: Parameters<typeof getComplexity>[0]["query"];
    variableValues?: Record<string, unknown> | null;
    operationName?: string | null;
  },
): number {
  return getComplexity({
    schema,
    query: args.document,
    variables: args.variableValues ?? {},
    operationName: args.operationName ?? undefined,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
}

/** Queries that cost more than this are heavy: they take turns (HeavyQueryGate). */
export const HEAVY_QUERY_COST = 1_000;

/**
 * Heavy queries executing at once in this process cost at most `capacity`
 * together; the others wait their turn, in arrival order. A heavy query
 * occupies the database and the event loop for many milliseconds, so four
 * clients sending the most expensive query the limit allows would otherwise
 * keep both busy and a plain rating read would wait behind them; with the
 * gate they queue behind each other, and cheap queries never wait here.
 */
export class HeavyQueryGate {
  private inFlight = 0;
  private readonly waiting: { cost: number; go: () => void }[] = [];

  constructor(private readonly capacity: number) {}

  async enter(cost: number): Promise<void> {
    const weight = Math.min(cost, this.capacity);
    if (this.waiting.length === 0 && this.inFlight + weight <= this.capacity) {
      this.inFlight += weight;
      return;
    }
    await new Promise<void>((go) => this.waiting.push({ cost: weight, go }));
  }

  leave(cost: number): void {
    this.inFlight -= Math.min(cost, this.capacity);
    while (this.waiting.length && this.inFlight + this.waiting[0]!.cost <= this.capacity) {
      const next = this.waiting.shift()!;
      this.inFlight += next.cost;
      next.go();
    }
  }
}

/**
 * Refuses, before execution, a query over MAX_QUERY_COST (GRAPHQL_VALIDATION_FAILED,
 * with the cost and the limit), then spends its cost from the key's budget
 * (RATE_LIMITED, 429 with Retry-After, once spent); a heavy query then waits
 * for its turn (HeavyQueryGate).
 */
export function useQueryCost(opts: { rateLimits: RateLimits; maxCost?: number }): Plugin {
  const maxCost = opts.maxCost ?? MAX_QUERY_COST;
  const gate = new HeavyQueryGate(maxCost);
  // Heavy queries in the gate, by request: let go when the response is made,
  // which happens however execution ended (onExecuteDone is skipped when it throws).
  const admitted = new WeakMap<Request, number>();
  return {
    onResultProcess({ request }) {
      const cost = admitted.get(request);
      if (cost === undefined) return;
      admitted.delete(request);
      gate.leave(cost);
    },
    onExecute({ args, setResultAndStopExecution }) {
      let cost: number;
      try {
        cost = queryCost(args.schema, args);
      } catch (err) {
        // Variables that do not fit the schema: execution reports them (as INVALID_INPUT).
        if (err instanceof GraphQLError) return;
        throw err;
      }
      if (cost > maxCost) {
        setResultAndStopExecution({
          errors: [
            new GraphQLError(
              `Query Cost limit of ${maxCost} exceeded, found ${cost}. A list costs its size (first, ids) times what each item asks for, and nested lists multiply: ask for fewer or smaller pages.`,
              { extensions: { code: "GRAPHQL_VALIDATION_FAILED", cost, maxCost, http: { status: 400 } } },
            ),
          ],
        });
        return;
      }
      const request = (args.contextValue as { request?: Request }).request;
      const authorization = request?.headers.get("authorization") ?? null;
      // Awaited by Yoga before execution starts (onExecute may return a promise).
      return (async () => {
        const refusal = authorization ? await opts.rateLimits.cost(authorization, cost) : null;
        if (refusal) {
          // Handed on like the request limits' refusals: a retry of a stored
          // review is still answered with it (submitReview), and useRefusals
          // answers anything else with this 429 before it runs.
          const context = args.contextValue as { refusal?: RateRefusal | null };
          context.refusal ??= refusal;
          return;
        }
        if (cost <= HEAVY_QUERY_COST || !request) return;
        (args.contextValue as { heavy?: boolean }).heavy = true;
        await gate.enter(cost);
        admitted.set(request, cost);
      })();
    },
  };
}
