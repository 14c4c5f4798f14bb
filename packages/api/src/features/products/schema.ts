/** Products in the schema: the Product type (its id and name; other features add fields), look-ups and putProduct. */
import type { ObjectRef } from "@pothos/core";
import type { Builder, Types } from "../../graphql/builder.js";
import { listCost } from "../../graphql/cost.js";
import { MAX_PRODUCTS_PER_REQUEST, findProducts, putProduct, requestedProductIds, type Product } from "./products.js";

export function addProductSchema(builder: Builder): { ProductRef: ObjectRef<Types, Product> } {
  const ProductRef = builder.objectRef<Product>("Product").implement({
    description: "A product of the shop, identified by the shop's own id (e.g. its SKU).",
    fields: (t) => ({
      id: t.exposeID("id", { description: "The shop's id of the product." }),
      name: t.exposeString("name", { description: "The product's name." }),
    }),
  });

  builder.queryFields((t) => ({
    product: t.field({
      type: ProductRef,
      nullable: true,
      description: "One of your shop's products by its id; null if there is none.",
      args: { id: t.arg.id({ required: true, description: "The shop's id of the product." }) },
      resolve: async (_r, args, ctx) =>
        (await findProducts(ctx.deps, (await ctx.authorize("reviews:read")).id, [String(args.id)]))[0] ?? null,
    }),
    products: t.field({
      type: [ProductRef],
      extensions: { complexity: listCost((a) => (Array.isArray(a.ids) ? a.ids.length : 1)) },
      nullable: { list: false, items: true },
      description: `Several products at once, in the order asked (null where there is none): a listing page's ratings in one request. At most ${MAX_PRODUCTS_PER_REQUEST} ids.`,
      args: { ids: t.arg.idList({ required: true, description: "The shop's ids of the products." }) },
      resolve: async (_r, args, ctx) => {
        const ids = requestedProductIds(args.ids.map(String));
        return findProducts(ctx.deps, (await ctx.authorize("reviews:read")).id, ids);
      },
    }),
  }));

  const PutProductInput = builder.inputType("PutProductInput", {
    description: "A product to create, or to rename if it exists.",
    fields: (t) => ({
      id: t.id({ required: true, description: "The shop's id of the product (e.g. its SKU): letters, digits and . _ : / # @ + -." }),
      name: t.string({ required: true, description: "The product's name." }),
    }),
  });

  builder.mutationFields((t) => ({
    putProduct: t.field({
      type: ProductRef,
      description: "Creates a product, or renames it if your shop already has one with this id. Needs PRODUCTS_WRITE.",
      args: { input: t.arg({ type: PutProductInput, required: true, description: "The product." }) },
      resolve: async (_r, { input }, ctx) =>
        putProduct(ctx.deps, (await ctx.authorize("products:write")).id, { id: String(input.id), name: input.name }),
    }),
  }));

  return { ProductRef };
}
