/**
 * The one Pothos builder's types. A leaf of graphql/: the schema's parts
 * (moderation.ts, invitations.ts, ...) import Builder from here, and
 * schema.ts only assembles them, so no part imports the file that imports it.
 */
import SchemaBuilder from "@pothos/core";
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
