/**
 * Type-level checks, run by `tsc -p .` (part of `npm test`): the generated
 * types reach the public API, and wrong inputs do not compile.
 */
import { expectTypeOf } from "vitest";
import { createClient, type ProductRating, type Provenance, type Review } from "../src/index.js";

const client = createClient({ endpoint: "http://127.0.0.1:4000", key: "pk_demo_local_only_not_secret" });

expectTypeOf(client.products.rating).returns.resolves.toEqualTypeOf<ProductRating | null>();
expectTypeOf<ProductRating["rating"]["average"]>().toEqualTypeOf<number>();
expectTypeOf<ProductRating["rating"]["plainMean"]>().toEqualTypeOf<number | null>();
expectTypeOf<Review["provenance"]>().toEqualTypeOf<Provenance>();
expectTypeOf<Provenance>().toEqualTypeOf<"VERIFIED_PURCHASE" | "INVITED" | "ORGANIC" | "IMPORTED">();

function wrongInputs(): void {
  // @ts-expect-error rating is a number of stars
  void client.reviews.submit({ productId: "mug", rating: "5", title: "t", body: "b", reviewer: { name: "n" } });
  // @ts-expect-error reviewer is required
  void client.reviews.submit({ productId: "mug", rating: 5, title: "t", body: "b" });
  // @ts-expect-error orderBy is NEWEST | HIGHEST | LOWEST
  void client.reviews.list("mug", { orderBy: "OLDEST" });
}
void wrongInputs;
