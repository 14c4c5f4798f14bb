import type { Transport } from "../client.js";
import { ProductInsightsDocument, ShopInsightsDocument } from "../generated/graphql.js";
import type { Insights, InsightsPeriod } from "../types.js";

/** Which period and how many aspects. */
export interface InsightsOptions {
  /** Whole UTC days (ISO 8601 or Date). @default the last 90 days */
  period?: InsightsPeriod;
  /** Aspects listed, 1 to 20. @default 10 */
  limit?: number;
}

/** What customers say: aspects with positive and negative counts, direction, quotes, and emerging topics. */
export interface InsightsResource {
  /**
   * A product's insights, or null if the shop has no such product.
   * @example const i = await client.insights.product("camp-mug"); i?.aspects[0]?.term // "handle"
   */
  product(id: string, options?: InsightsOptions): Promise<Insights | null>;
  /** The whole shop's insights, with every product's emerging topics. */
  shop(options?: InsightsOptions): Promise<Insights>;
}

function periodVars(period: InsightsPeriod | undefined) {
  if (!period) return undefined;
  const iso = (d: string | Date | null | undefined) => (d == null ? undefined : d instanceof Date ? d.toISOString() : d);
  return { from: iso(period.from), to: iso(period.to) };
}

export function createInsights(transport: Transport): InsightsResource {
  return {
    async product(id, options = {}) {
      if (typeof id !== "string" || id === "")
        throw new TypeError(`insights.product requires a product id string, got ${JSON.stringify(id)}`);
      const data = await transport.request(ProductInsightsDocument, { id, period: periodVars(options.period), limit: options.limit });
      return data.product?.insights ?? null;
    },
    async shop(options = {}) {
      const data = await transport.request(ShopInsightsDocument, { period: periodVars(options.period), limit: options.limit });
      return data.shop!.insights!;
    },
  };
}
