import type { BurstRecord, ProductState } from "@starling/scoring";
import type { Deps } from "../deps.js";
import { unpackState } from "./scoring.js";

/** The bursts the fraud checks flagged on a product (its scoring state keeps the recent ones, newest last). */
export async function productBursts(deps: Deps, shopId: string, productId: string): Promise<BurstRecord[]> {
  const doc = await deps.models.ScoringState.findById(`product:${shopId}:${productId}`).lean();
  return ((unpackState(doc?.state) as ProductState | undefined)?.arrival.bursts ?? []).map((b) => ({ ...b }));
}
