/**
 * The options every collection's mongoose schema shares. Each feature declares
 * its collections in its own `model.ts` (features/models.ts binds them all),
 * and only what MONGODB.md §5 calls portable: string `_id`s for every hot
 * lookup, unique and compound ±1 indexes with explicit names, no transactions,
 * no TTL or partial indexes.
 */

// minimize: false keeps empty objects (a scoring state's empty reason map) as they are.
export const schemaOptions = { versionKey: false, strict: "throw", autoIndex: false, autoCreate: true, minimize: false } as const;
