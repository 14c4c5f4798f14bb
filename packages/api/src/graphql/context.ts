import DataLoader from "dataloader";
import type { Deps } from "../domain/deps.js";
import { authenticate, type Shop } from "../domain/shops.js";
import { loadRatings, type Rating } from "../domain/ratings.js";

export interface Context {
  readonly deps: Deps;
  readonly requestId: string;
  /** The caller's shop; rejects with UNAUTHENTICATED without a valid key. Asked for lazily, checked once. */
  shop(): Promise<Shop>;
  /** Ratings asked for in one request go to the database together (a listing page's 50 products: one query). */
  readonly ratings: DataLoader<string, Rating>;
}

export function createContext(deps: Deps, requestId: string, authorization: string | null): Context {
  let shop: Promise<Shop> | undefined;
  const getShop = () => (shop ??= authenticate(deps, authorization));
  return {
    deps,
    requestId,
    shop: getShop,
    ratings: new DataLoader(async (productIds) => loadRatings(deps, (await getShop()).id, productIds)),
  };
}
