/**
 * The options every collection's mongoose schema shares. Each feature declares
 * its collections in its own `model.ts` (features/models.ts binds them all),
 * and only what MONGODB.md §5 calls portable: string `_id`s for every hot
 * lookup, unique and compound ±1 indexes with explicit names, no transactions,
 * no TTL or partial indexes.
 */

// minimize: false keeps empty objects (a scoring state's empty reason map) as they are.
import { Schema, type SchemaDefinition, type SchemaDefinitionType } from "mongoose";

export const schemaOptions = { versionKey: false, strict: "throw", autoIndex: false, autoCreate: true, minimize: false } as const;

/** A field every document has: `{ type, required: true }`, and its starting value when given (a counter's 0). */
export function required<T>(type: T): { type: T; required: true };
export function required<T, D>(type: T, initial: D): { type: T; required: true; default: D };
export function required<T, D>(type: T, ...initial: [D?]) {
  return initial.length ? { type, required: true, default: initial[0] } : { type, required: true };
}

/** A field that may be missing, stored as null until set. */
export function nullable<T>(type: T): { type: T; default: null } {
  return { type, default: null };
}

/** The fields a shop's document starts with: its string `_id` and the shop that owns it. */
export const shopOwned = { _id: required(String), shopId: required(String) } as const;

/** The same for a document about one of the shop's products: its id follows. */
export const shopProductOwned = { ...shopOwned, productId: required(String) } as const;

/** A collection's schema: its fields, with the shared options and its collection's name. */
export function collectionSchema<Doc>(collection: string, fields: SchemaDefinition<SchemaDefinitionType<Doc>, Doc>): Schema<Doc> {
  return new Schema<Doc>(fields, { ...schemaOptions, collection });
}
