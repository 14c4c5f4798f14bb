import type { Model } from "mongoose";

/**
 * Documents by `_id`, in one query. A single id is asked as `{_id: id}`, not
 * `{_id: {$in: [id]}}`: FerretDB serves only the former from its primary key
 * and scans the whole collection for the latter (MONGODB.md §2.4), while
 * MongoDB uses the index for both. So a product page costs a lookup on every
 * backend, and only a listing page (many ids) scans on FerretDB.
 */
export async function findByIds<T>(model: Model<T>, ids: readonly string[]): Promise<T[]> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return [];
  if (unique.length === 1) {
    const doc = await model.findById(unique[0]).lean<T>();
    return doc ? [doc] : [];
  }
  return model.find({ _id: { $in: unique } } as never).lean<T[]>();
}
