/**
 * The one Pothos builder's types. A leaf of graphql/: the schema's parts
 * (moderation.ts, invitations.ts, ...) import Builder from here, and
 * schema.ts only assembles them, so no part imports the file that imports it.
 */
import SchemaBuilder, { type EnumRef, type FieldRef, type ObjectRef } from "@pothos/core";
import type { Context } from "./context.js";

interface StarlingSchemaTypes {
  Context: Context;
  // Non-null unless a field says `nullable: true` (an argument or input field: `required: false`):
  // a field is nullable only where its value can really be missing, or where it can fail on its
  // own (a root field, a check of its own scope) without taking the rest of the answer with it.
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: true;
  Scalars: { DateTime: { Input: Date; Output: Date }; JSON: { Input: unknown; Output: unknown } };
}

/** The builder's type parameters, for the schema's parts in other files. */
export type Types = PothosSchemaTypes.ExtendDefaultTypes<StarlingSchemaTypes>;

export function createBuilder() {
  return new SchemaBuilder<StarlingSchemaTypes>({ defaultFieldNullability: false, defaultInputFieldRequiredness: true });
}

export type Builder = ReturnType<typeof createBuilder>;

/** The property type each scalar that `expose` shows reads. */
interface Exposed {
  Int: number;
  Float: number;
  String: string;
  ID: string;
  Boolean: boolean;
}

/** A row of `expose`: the field's scalar type and description, made by `scalar.Int(…)` and the like. */
type ScalarRow<Kind extends keyof Exposed, Nullable extends boolean> = { type: Kind; description: string } & (Nullable extends true
  ? { nullable: true }
  : { nullable?: false });

/** The rows a property of type V may have: a scalar it holds, and nullable where it may be null. */
type RowsFor<V> = {
  [Kind in keyof Exposed]: [V] extends [Exposed[Kind]]
    ? ScalarRow<Kind, boolean>
    : [V] extends [Exposed[Kind] | null | undefined]
      ? ScalarRow<Kind, true>
      : never;
}[keyof Exposed];

function scalarRow<Kind extends keyof Exposed>(type: Kind) {
  return <Nullable extends boolean = false>(description: string, options?: { nullable: Nullable }): ScalarRow<Kind, Nullable> =>
    ({ type, description, ...options }) as ScalarRow<Kind, Nullable>;
}

/** The rows of `expose`: `scalar.Int("Reviews received.")`, `scalar.String("…", { nullable: true })`. */
export const scalar = {
  Int: scalarRow("Int"),
  Float: scalarRow("Float"),
  String: scalarRow("String"),
  ID: scalarRow("ID"),
  Boolean: scalarRow("Boolean"),
};

/**
 * Fields that show the parent's property of the same name as it is, listed as
 * `{ property: scalar.Int(description) }` instead of Pothos' `property: t.exposeInt("property", { description })`
 * each. Checked as Pothos checks its own: a name that is not a property of the type (a typo), a
 * scalar the property does not hold, or a property that may be null in a field not marked nullable,
 * is a type error. Spread it where the fields stand: the schema keeps their order.
 */
export function expose<Shape>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, Shape>,
  rows: { [K in keyof Shape & string]?: RowsFor<Shape[K]> },
): Record<string, FieldRef<Types, unknown>> {
  return Object.fromEntries(
    Object.entries(rows as Record<string, ScalarRow<keyof Exposed, boolean>>).map(([name, row]) => [
      name,
      // `as never`: Pothos ties a name to its type for a literal name only; the rows' type does it for these.
      t.expose(name as never, row as never) as FieldRef<Types, unknown>,
    ]),
  );
}

/** A row of enumOf: the value's description (its value is its name), or [value, description]. */
type EnumRow = string | readonly [value: string, description: string];
type EnumValue<Rows> = { [K in keyof Rows]: Rows[K] extends readonly [infer V, string] ? V : K }[keyof Rows];

/**
 * An enum whose values are listed once as `{ NAME: [value, description] }` (or `NAME: description`
 * where the value is the name), instead of Pothos' object per value.
 */
export function enumOf<const Rows extends Record<string, EnumRow>>(builder: Builder, name: string, description: string, rows: Rows) {
  const values = Object.fromEntries(
    Object.entries(rows).map(([key, row]) => [
      key,
      typeof row === "string" ? { description: row } : { value: row[0], description: row[1] },
    ]),
  );
  return builder.enumType(name, { description, values }) as unknown as EnumRef<Types, EnumValue<Rows>>;
}

/**
 * The input of who wrote a review, question or answer: a display name of up to nameMax characters,
 * and the shop's own optional id of the customer (what the shop does with it, in externalId).
 */
export function authorInput(builder: Builder, name: string, description: string, nameMax: number, about: { externalId: string }) {
  return builder.inputType(name, {
    description,
    fields: (t) => ({
      name: t.string({ required: true, description: `Display name, up to ${nameMax} characters.` }),
      externalId: t.string({ required: false, description: about.externalId }),
    }),
  });
}

/**
 * The payload of a submission that an idempotency key makes safe to retry (submitReview, askQuestion,
 * answerQuestion): the item as stored, under its own name, and whether this call was such a retry.
 */
export function submissionPayload<Name extends string, Item>(
  builder: Builder,
  name: string,
  description: string,
  item: { name: Name; type: ObjectRef<Types, Item>; description: string },
): ObjectRef<Types, Record<Name, Item> & { replayed: boolean }> {
  return builder.objectRef<Record<Name, Item> & { replayed: boolean }>(name).implement({
    description,
    fields: (t) => ({
      // `as never`: as in connectionType, Pothos cannot resolve a type parameter's result; the ref ties it to Item.
      [item.name]: t.field({ type: item.type, description: item.description, resolve: (p) => p[item.name] as never }),
      replayed: t.boolean({
        description: "True when this idempotency key had been used before: nothing new was stored.",
        resolve: (p) => p.replayed,
      }),
    }),
  });
}
