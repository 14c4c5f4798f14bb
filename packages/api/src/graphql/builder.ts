/**
 * The one Pothos builder's types. A leaf of graphql/: the schema's parts
 * (moderation.ts, invitations.ts, ...) import Builder from here, and
 * schema.ts only assembles them, so no part imports the file that imports it.
 */
import SchemaBuilder, {
  type EnumRef,
  type FieldMap,
  type FieldRef,
  type InputFieldMap,
  type InputFieldRef,
  type InputObjectRef,
  type ObjectRef,
} from "@pothos/core";
import type { Context } from "./context.js";
import { listCost } from "./cost.js";

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
  DateTime: Date;
}

/** A row of `expose`: the field's scalar type and description, made by `scalar.Int(…)` and the like. */
type ScalarRow<Kind extends keyof Exposed, Nullable extends boolean> = { type: Kind; description: string } & (Nullable extends true
  ? { nullable: true }
  : { nullable?: false });

/** A row of `expose` showing an object or enum type: made by `ofType(Ref, description)`. */
type RefRow<T, Nullable extends boolean> = { type: { $inferType: T }; description: string } & (Nullable extends true
  ? { nullable: true }
  : { nullable?: false });

/** An `expose` row for a property holding an object or enum type's value, the type given by its ref. */
export function ofType<T, Nullable extends boolean = false>(
  type: { $inferType: T },
  description: string,
  options?: { nullable: Nullable },
): RefRow<T, Nullable> {
  return { type, description, ...options } as RefRow<T, Nullable>;
}

/** A row of `expose` showing a list of an object type, at most `most` long (for the query's cost): made by `listOf`. */
interface ListRow<T> {
  type: [{ $inferType: T }];
  extensions: { complexity: ReturnType<typeof listCost> };
  description: string;
}

/** An `expose` row for a property holding a list of an object type's values, of at most `most` items. */
export function listOf<T>(type: { $inferType: T }, most: number, description: string): ListRow<T> {
  return { type: [type], extensions: { complexity: listCost(most) }, description };
}

/** The rows a property of type V may have: a scalar or type it holds, and nullable where it may be null. */
type RowsFor<V> =
  | ([V] extends [NonNullable<V>] ? RefRow<V, boolean> : RefRow<NonNullable<V>, true>)
  | ([V] extends [readonly (infer T)[]] ? ListRow<T> : never)
  | {
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
  DateTime: scalarRow("DateTime"),
};

/**
 * Fields that show the parent's property of the same name as it is, listed as
 * `{ property: scalar.Int(description) }` instead of Pothos' `property: t.exposeInt("property", { description })`
 * each. Checked as Pothos checks its own: a name that is not a property of the type (a typo), a
 * scalar the property does not hold, or a property that may be null in a field not marked nullable,
 * is a type error. The schema keeps their order: where they come first, `fields: (t) => expose(t, rows, more)`
 * lists the type's other fields after them; elsewhere, spread it where they stand.
 */
export function expose<Shape>(
  t: PothosSchemaTypes.ObjectFieldBuilder<Types, Shape>,
  rows: { [K in keyof Shape & string]?: RowsFor<Shape[K]> },
  more: FieldMap = {},
): FieldMap {
  const exposed = Object.fromEntries(
    Object.entries(rows as Record<string, ScalarRow<keyof Exposed, boolean>>).map(([name, row]) => [
      name,
      // `as never`: Pothos ties a name to its type for a literal name only; the rows' type does it for these.
      t.expose(name as never, row as never) as FieldRef<Types, unknown>,
    ]),
  );
  return { ...exposed, ...more };
}

/** A row of enumOf: the value's description, or [value, description] for a value that is not its name. */
type EnumRow = string | readonly [value: string, description: string];
type EnumValue<Rows, Case> = {
  [K in keyof Rows]: Rows[K] extends readonly [infer V, string] ? V : Case extends "lowercase" ? Lowercase<K & string> : K;
}[keyof Rows];

/**
 * An enum whose values are listed once as `{ NAME: description }` (or `NAME: [value, description]`),
 * instead of Pothos' object per value. A value is its name, or with "lowercase" its name in lower
 * case as the feature stores it (PUBLISHED is "published"), so resolvers return the stored string.
 */
export function enumOf<const Rows extends Record<string, EnumRow>, Case extends "names" | "lowercase" = "names">(
  builder: Builder,
  name: string,
  description: string,
  rows: Rows,
  values?: Case,
) {
  const entries = Object.entries(rows).map(([key, row]) => {
    if (typeof row !== "string") return [key, { value: row[0], description: row[1] }];
    return [key, values === "lowercase" ? { value: key.toLowerCase(), description: row } : { description: row }];
  });
  return builder.enumType(name, { description, values: Object.fromEntries(entries) }) as unknown as EnumRef<Types, EnumValue<Rows, Case>>;
}

/** The value a resolver gets from each scalar an input field may take. */
interface Given {
  Int: number;
  Float: number;
  String: string;
  ID: string | number;
  Boolean: boolean;
  DateTime: Date;
}

/** A row of `inputFields`, made by `required.String(…)`, `optional.of(SomeEnum, …)` and the like; T is the value a resolver gets. */
interface InputRow<T> {
  type: unknown;
  required: boolean;
  description: string;
  /** Only for the type: what the field gives a resolver. */
  value?: T;
}

function inputRows<Req extends boolean>(req: Req) {
  type Value<T> = Req extends true ? T : T | null | undefined;
  const scalar =
    <Kind extends keyof Given>(type: Kind) =>
    (description: string): InputRow<Value<Given[Kind]>> => ({ type, required: req, description });
  return {
    Int: scalar("Int"),
    Float: scalar("Float"),
    String: scalar("String"),
    ID: scalar("ID"),
    Boolean: scalar("Boolean"),
    DateTime: scalar("DateTime"),
    /** A String of 1 to `most` characters, said after `what`: "The answer, 1 to 5000 characters." */
    Text: (what: string, most: number): InputRow<Value<string>> => ({
      type: "String",
      required: req,
      description: `${what}, 1 to ${most} characters.`,
    }),
    /** An enum or input object type, by its ref. */
    of: <T>(type: { $inferInput: T }, description: string): InputRow<Value<T>> => ({ type, required: req, description }),
  };
}

/** `inputFields` rows a caller must give: `required.ID("The review.")`. */
export const required = inputRows(true);
/** `inputFields` rows a caller may leave out (or send null): `optional.String("A note.")`. */
export const optional = inputRows(false);

/**
 * An input type's fields listed as `{ name: required.ID(description) }` instead of Pothos'
 * `name: t.id({ required: true, description })` each. Resolvers see the same types as Pothos gives
 * (a required ID is `string | number`, an optional one may be null or undefined). Fields other
 * rows cannot say (a default value, a list) follow in `more`; the schema keeps the order.
 */
export function inputFields<const Rows extends Record<string, InputRow<unknown>>, More extends InputFieldMap = Record<never, never>>(
  t: PothosSchemaTypes.InputFieldBuilder<Types, "InputObject">,
  rows: Rows,
  more?: More,
): { [K in keyof Rows]: InputFieldRef<Types, Rows[K] extends InputRow<infer T> ? T : never> } & More {
  const fields = Object.fromEntries(
    // `as never`: Pothos ties a field to its type for a literal type only; the rows' types do it for these.
    Object.entries(rows).map(([name, { type, required, description }]) => [name, t.field({ type, required, description } as never)]),
  );
  return { ...fields, ...more } as never;
}

/**
 * The input of who wrote a review, question or answer: a display name of up to nameMax characters,
 * and the shop's own optional id of the customer (what the shop does with it, in `externalId`).
 */
export function authorInput(builder: Builder, name: string, description: string, nameMax: number, externalId: string) {
  return builder.inputType(name, {
    description,
    fields: (t) =>
      inputFields(t, {
        name: required.String(`Display name, up to ${nameMax} characters.`),
        externalId: optional.String(externalId),
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

/**
 * A mutation of one input object (`input: <inputType>!`, described by `input`): `resolve` gets the
 * input and the context. Nullable, as every mutation: a refusal nulls this field, not the others.
 */
export function mutationOfInput<Shape, Input>(
  t: PothosSchemaTypes.MutationFieldBuilder<Types, Types["Root"]>,
  field: {
    type: ObjectRef<Types, Shape>;
    description: string;
    inputType: InputObjectRef<Types, Input>;
    input: string;
    resolve: (input: Input, ctx: Context) => Promise<Shape>;
  },
) {
  return t.field({
    // As in submissionPayload, Pothos cannot resolve a type parameter's result; the ref ties it to Shape.
    type: field.type as ObjectRef<Types, unknown>,
    nullable: true,
    description: field.description,
    args: { input: t.arg({ type: field.inputType, required: true, description: field.input }) },
    // Pothos types args from the ref only for a literal ref; inputType's type ties it to Input.
    resolve: (_r, args, ctx) => field.resolve((args as unknown as { input: Input }).input, ctx),
  });
}
