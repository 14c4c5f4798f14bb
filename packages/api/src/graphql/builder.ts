/**
 * The one Pothos builder's types. A leaf of graphql/: the schema's parts
 * (moderation.ts, invitations.ts, ...) import Builder from here, and
 * schema.ts only assembles them, so no part imports the file that imports it.
 */
import SchemaBuilder, { type EnumRef, type ObjectRef } from "@pothos/core";
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
