/** Products in the schema: the Product type (its id and name; other features add fields), look-ups and putProduct. */
import { staffMutationOfInput } from "../../graphql/staff-page.js";
import type { ObjectRef } from "@pothos/core";
import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from "graphql";
import { type Builder, expose, inputFields, optional, required, scalar, type Types } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import { PRODUCT_ID_LIMITS } from "./product-ids.js";
import { MAX_PRODUCTS_PER_REQUEST, findProducts, putProduct, requestedProductIds, type Product } from "./products.js";

export function addProductSchema(builder: Builder): { ProductRef: ObjectRef<Types, Product> } {
  const ProductRef = builder.objectRef<Product>("Product").implement({
    description: "A product of the shop, identified by the shop's own id (e.g. its SKU).",
    fields: (t) =>
      expose(t, {
        id: scalar.ID("The shop's id of the product."),
        name: scalar.String("The product's name."),
        gtin: scalar.String("Its GTIN (EAN, UPC): shown in the Google product review feed.", { nullable: true }),
        mpn: scalar.String("Its manufacturer part number: shown in the Google product review feed.", { nullable: true }),
        sku: scalar.String("Its SKU in the shop: shown in the Google product review feed.", { nullable: true }),
        brand: scalar.String("Its brand: shown in the Google product review feed.", { nullable: true }),
        url: scalar.String(
          "Its page on the shop's site. A product without one is left out of the Google product review feed (Google requires it).",
          { nullable: true },
        ),
      }),
  });

  builder.queryFields((t) => ({
    product: t.field({
      type: ProductRef,
      nullable: true,
      description: "One of your shop's products by its id; null if there is none.",
      args: { id: t.arg.id({ required: true, description: "The shop's id of the product." }) },
      resolve: async (_r, args, ctx, info) => {
        const shop = await ctx.authorize("reviews:read");
        const id = String(args.id);
        if (selectsField(info, "rating")) prefetch(ctx.ratings.load(id));
        return (await findProducts(ctx.deps, shop.id, [id]))[0] ?? null;
      },
    }),
    products: t.field({
      type: [ProductRef],
      extensions: { complexity: listCost((a) => (Array.isArray(a.ids) ? a.ids.length : 1)) },
      nullable: { list: false, items: true },
      description: `Several products at once, in the order asked (null where there is none): a listing page's ratings in one request. At most ${MAX_PRODUCTS_PER_REQUEST} ids.`,
      args: { ids: t.arg.idList({ required: true, description: "The shop's ids of the products." }) },
      resolve: async (_r, args, ctx, info) => {
        const ids = requestedProductIds(args.ids.map(String));
        const shop = await ctx.authorize("reviews:read");
        if (selectsField(info, "rating")) prefetch(ctx.ratings.loadMany(ids));
        return findProducts(ctx.deps, shop.id, ids);
      },
    }),
  }));

  const PutProductInput = builder.inputType("PutProductInput", {
    description: "A product to create, or to rename if it exists.",
    fields: (t) =>
      inputFields(t, {
        id: required.ID("The shop's id of the product (e.g. its SKU): letters, digits and . _ : / # @ + -."),
        name: required.String("The product's name."),
        gtin: optional.String(
          "GTIN-8, UPC-A (12), EAN-13 or GTIN-14, digits only, with a correct check digit. Left out: unchanged; null: cleared.",
        ),
        mpn: optional.String(`Manufacturer part number, up to ${PRODUCT_ID_LIMITS.mpn} characters. Left out: unchanged; null: cleared.`),
        sku: optional.String(
          `The shop's stock keeping unit, up to ${PRODUCT_ID_LIMITS.sku} characters. Left out: unchanged; null: cleared.`,
        ),
        brand: optional.String(`Brand name, up to ${PRODUCT_ID_LIMITS.brand} characters. Left out: unchanged; null: cleared.`),
        url: optional.String(
          "The product's public page: an absolute http(s) URL on a public host, no credentials. Needed for the Google product review feed. Left out: unchanged; null: cleared.",
        ),
      }),
  });

  builder.mutationFields((t) => ({
    putProduct: staffMutationOfInput(t, {
      type: ProductRef,
      scope: "products:write",
      description:
        "Creates a product, or renames it if your shop already has one with this id, and sets its identifiers (gtin, mpn, sku, brand, url) as given. Needs PRODUCTS_WRITE.",
      inputType: PutProductInput,
      input: "The product.",
      run: (deps, shopId, input) =>
        putProduct(deps, shopId, {
          id: String(input.id),
          name: input.name,
          gtin: input.gtin,
          mpn: input.mpn,
          sku: input.sku,
          brand: input.brand,
          url: input.url,
        }),
    }),
  }));

  return { ProductRef };
}

/**
 * Whether the query asks for `name` on the field being resolved (directly or
 * in a fragment). A product's rating is then read together with the product,
 * not after it: a plain rating read waits for one database round trip instead
 * of two in a row, which is what it waits for behind other clients' work.
 * Remembered by the field's nodes, which graphql-jit's compiled query hands to
 * every run of one document: the walk (a Set and a closure per request) cost a
 * rating read about 1.5 µs of CPU.
 */
function selectsField(info: GraphQLResolveInfo, name: string): boolean {
  let byName = selections.get(info.fieldNodes);
  if (!byName) selections.set(info.fieldNodes, (byName = new Map()));
  let found = byName.get(name);
  if (found === undefined) byName.set(name, (found = findsField(info, name)));
  return found;
}

const selections = new WeakMap<GraphQLResolveInfo["fieldNodes"], Map<string, boolean>>();

function findsField(info: GraphQLResolveInfo, name: string): boolean {
  const seen = new Set<string>();
  const within = (set: SelectionSetNode | undefined): boolean =>
    !!set?.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name;
      if (s.kind === Kind.INLINE_FRAGMENT) return within(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return within(info.fragments[s.name.value]?.selectionSet);
    });
  return info.fieldNodes.some((f) => within(f.selectionSet));
}

/** Starts a read whose result a later resolver picks up (DataLoader keeps it); its error is reported there. */
function prefetch(read: Promise<unknown>): void {
  read.catch(() => {});
}
