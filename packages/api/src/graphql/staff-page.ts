/**
 * What a shop's staff calls with a secret key. The lists it reads a page at a time (the moderation
 * log, invitations, webhook deliveries, the dashboard's review lists): the same `first` and `after`
 * arguments, checked by validate.ts' pageSize, and the same cost, so their limits are written once.
 * And its mutations of one thing, by id or by one input: the scope they need, checked before
 * anything else, and the shop's id handed to the feature's operation.
 */
import type { ArgBuilder, InputObjectRef, ObjectRef } from "@pothos/core";
import type { Deps } from "../features/deps.js";
import type { Scope } from "../features/shops/keys.js";
import { STAFF_PAGE, pageSize } from "../features/validate.js";
import { mutationOfInput, type Types } from "./builder.js";
import type { Context } from "./context.js";
import { pageCost } from "./cost.js";

/** For such a list's `extensions.complexity`: `first` items, STAFF_PAGE.byDefault when left out. */
export const staffPageCost = pageCost(STAFF_PAGE.byDefault);

/** `first`, counting `items` ("entries"; none: "How many, 1 to 500."). */
export function staffPageFirst(arg: ArgBuilder<Types>, items?: string) {
  return arg.int({
    required: false,
    defaultValue: STAFF_PAGE.byDefault,
    description: `How many${items ? ` ${items}` : ""}, 1 to ${STAFF_PAGE.most}.`,
  });
}

/** `first` and `after`, in the list's words: the `items` counted, and the cursor `after` takes ("this entry's `cursor`"). */
export function staffPageArgs(arg: ArgBuilder<Types>, words: { items?: string; cursor: string }) {
  return {
    first: staffPageFirst(arg, words.items),
    after: arg.string({ required: false, description: `Continue after ${words.cursor}.` }),
  };
}

/**
 * What a list's read starts with: its `first` checked (pageSize: INVALID_INPUT before the key is
 * looked at), then the key's `scope`; the shop, `first` and `after` for the feature's read.
 */
export async function staffPageRead(ctx: Context, scope: Scope, args: { first?: number | null; after?: string | null }) {
  const first = pageSize(args.first);
  const shop = await ctx.authorize(scope);
  return { shop, first, after: args.after };
}

type MutationBuilder = PothosSchemaTypes.MutationFieldBuilder<Types, Types["Root"]>;

/** A staff mutation: what it returns, the scope the key needs, and its description. */
interface StaffMutation<Shape> {
  type: ObjectRef<Types, Shape>;
  scope: Scope;
  description: string;
}

/**
 * A mutation of one of the shop's things by id (`id: ID!`, described by `id`): `run` gets the
 * caller's shop id and the id. Nullable, as every mutation: a refusal nulls this field alone.
 */
export function staffMutationById<Shape>(
  t: MutationBuilder,
  field: StaffMutation<Shape> & { id: string; run: (deps: Deps, shopId: string, id: string) => Promise<Shape> },
) {
  return t.field({
    type: field.type as ObjectRef<Types, unknown>,
    nullable: true,
    description: field.description,
    args: { id: t.arg.id({ required: true, description: field.id }) },
    resolve: async (_r, { id }, ctx) => field.run(ctx.deps, (await ctx.authorize(field.scope)).id, String(id)),
  });
}

/** The same with one input object (see mutationOfInput): `run` gets the shop id and the input. */
export function staffMutationOfInput<Shape, Input>(
  t: MutationBuilder,
  field: StaffMutation<Shape> & {
    inputType: InputObjectRef<Types, Input>;
    input: string;
    run: (deps: Deps, shopId: string, input: Input) => Promise<Shape>;
  },
) {
  return mutationOfInput(t, { ...field, resolve: async (input, ctx) => field.run(ctx.deps, (await ctx.authorize(field.scope)).id, input) });
}
