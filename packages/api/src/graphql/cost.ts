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
import { GraphQLError, getOperationAST, type DocumentNode, type GraphQLSchema } from "graphql";
import { fieldExtensionsEstimator, getComplexity, simpleEstimator, type ComplexityEstimatorArgs } from "graphql-query-complexity";
import type { Plugin } from "graphql-yoga";
import { LRUCache } from "lru-cache";
import type { RateLimits, RateRefusal } from "./context.js";
import { QuietTurns } from "../db/quiet-turns.js";

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

/** For a paged field's `extensions.complexity`: its `first` items, or `byDefault` (the argument's default) when it is left out. */
export function pageCost(byDefault: number) {
  return listCost((a) => (typeof a.first === "number" ? a.first : byDefault));
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

/** What QueryCosts keeps: a million characters of keys, 5 000 entries at most. */
const REMEMBERED_COST_CHARS = 1_000_000;
/** Variables longer than this (as JSON) are not worth a key: a write's text, a long id list sent once. */
const REMEMBERED_VARIABLES_CHARS = 2_000;

/**
 * queryCost, remembered for the queries (not mutations) asked again with the
 * same variables: a product page's rating read is the same document and
 * variables request after request. Walking the document with its variables
 * was the largest single part of a rating read's CPU: 67 µs of the 470 µs
 * sampled per POST rating read (`node --cpu-prof`, the benchmark's API under
 * its load, 2026-12-05), more than its execution. The cost is a function of the schema, the document, the
 * operation and the variables only (the estimators read arguments, never the
 * context), so a remembered cost is the one a new walk would give. A document
 * is told apart by identity: Yoga's parser cache hands out the same
 * DocumentNode for the same query text; a document parsed anew just misses.
 * Invalid variables throw as before, and are not remembered.
 */
export class QueryCosts {
  private readonly ids = new WeakMap<DocumentNode, number>();
  private nextId = 0;
  private readonly costs = new LRUCache<string, number>({
    max: 5_000,
    maxSize: REMEMBERED_COST_CHARS,
    sizeCalculation: (_cost, key) => key.length,
  });

  constructor(
    readonly schema: GraphQLSchema,
    /** What a miss runs (queryCost; a test counts its calls). */
    private readonly walk: typeof queryCost = queryCost,
  ) {}

  of(args: { document: DocumentNode; variableValues?: Record<string, unknown> | null; operationName?: string | null }): number {
    if (getOperationAST(args.document, args.operationName)?.operation !== "query") return this.walk(this.schema, args);
    const variables = JSON.stringify(args.variableValues ?? {});
    if (variables.length > REMEMBERED_VARIABLES_CHARS) return this.walk(this.schema, args);
    let id = this.ids.get(args.document);
    if (id === undefined) this.ids.set(args.document, (id = this.nextId++));
    const key = `${id}\u0000${args.operationName ?? ""}\u0000${variables}`;
    let cost = this.costs.get(key);
    if (cost === undefined) {
      cost = this.walk(this.schema, args);
      this.costs.set(key, cost);
    }
    return cost;
  }
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
 * How a heavy query's reads give way to light requests (LightFirst): a heavy
 * read starts once no light request has been in flight for `quietMs`, or after
 * `maxWaitMs` at the latest, so a steady stream of light requests slows heavy
 * queries down but never stops them.
 */
export const LIGHT_FIRST = { quietMs: 5, maxWaitMs: 100 } as const;

/**
 * Light requests go to the database before heavy queries' reads. The embedded
 * database shares its core with the API and answers a heavy query's page of
 * 100 reviews in many milliseconds; a rating read that arrives while one is
 * read waits for it, and heavy queries sent back to back keep one being read
 * all the time (the rating reads' p99 was 61.5 ms under four such clients).
 * Here a heavy query asks for its turn before each read (`turn`): it waits
 * while any light request is in flight and for `quietMs` after the last one,
 * so a light request finds the database busy only with a read that began
 * before it arrived; `maxWaitMs` bounds the wait, so heavy queries progress at
 * one read per `maxWaitMs` even under a steady stream of light requests.
 */
export class LightFirst extends QuietTurns {
  constructor(opts: { quietMs: number; maxWaitMs: number; now?: () => number } = LIGHT_FIRST) {
    super(opts);
  }
}

/**
 * Refuses, before execution, a query over MAX_QUERY_COST (GRAPHQL_VALIDATION_FAILED,
 * with the cost and the limit), then spends its cost from the key's budget
 * (RATE_LIMITED, 429 with Retry-After, once spent); a heavy query then waits
 * for its turn (HeavyQueryGate), and each of its reads waits for light
 * requests to finish (LightFirst).
 */
export function useQueryCost(opts: { rateLimits: RateLimits; maxCost?: number; lightFirst?: LightFirst }): Plugin {
  const maxCost = opts.maxCost ?? MAX_QUERY_COST;
  const gate = new HeavyQueryGate(maxCost);
  const lightFirst = opts.lightFirst ?? new LightFirst();
  // One per plugin, so per schema (a test's server builds its own).
  let costs: QueryCosts | undefined;
  // Heavy queries in the gate, by request: let go when the response is made,
  // which happens however execution ended (onExecuteDone is skipped when it throws).
  const admitted = new WeakMap<Request, number>();
  // Every GraphQL request counts as light from its arrival until its response,
  // unless its cost makes it heavy (then it stops counting at once). Only the
  // heavy ones, which are few, are remembered: a set of every request (its add
  // and delete, and the garbage collector's work on the set) cost a rating
  // read about 3 µs of CPU.
  const heavy = new WeakSet<Request>();
  return {
    onRequest() {
      lightFirst.begin();
    },
    onResponse({ request }) {
      if (!heavy.delete(request)) lightFirst.end();
    },
    onResultProcess({ request }) {
      const cost = admitted.get(request);
      if (cost === undefined) return;
      admitted.delete(request);
      gate.leave(cost);
    },
    onExecute({ args, setResultAndStopExecution }) {
      let cost: number;
      try {
        if (!costs || costs.schema !== args.schema) costs = new QueryCosts(args.schema);
        cost = costs.of(args);
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
        if (!heavy.has(request)) {
          heavy.add(request);
          lightFirst.cancel();
        }
        const context = args.contextValue as { heavy?: boolean; heavyReadTurn?: () => Promise<void> };
        context.heavy = true;
        context.heavyReadTurn = () => lightFirst.turn();
        await gate.enter(cost);
        admitted.set(request, cost);
      })();
    },
  };
}
