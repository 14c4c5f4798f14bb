import type { Model } from "mongoose";

/**
 * Documents by `_id`, in one query: `{_id: id}` for one, `{_id: {$in: ids}}`
 * for several. Both are index lookups on MongoDB and on our FerretDB build;
 * FerretDB as published scans the collection for `$in` (our second patch,
 * ferretdb/patches/README.md).
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
