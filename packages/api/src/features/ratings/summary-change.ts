/**
 * An increment of a rating summary, and how two merge while one is in flight
 * (the shop summary's CoalescingQueue). A leaf: Deps names it, ratings writes it.
 */
export interface SummaryChange {
  $inc: Record<string, number>;
  $min?: Record<string, Date>;
  $max?: Record<string, Date>;
  /** `countTokens.<key>`: the pending counts this change carries (completePendingCount). */
  $set?: Record<string, true>;
  /** `countTokens.<key>` no longer needed. */
  $unset?: Record<string, "">;
}

export function mergeSummaryChange(into: SummaryChange, next: SummaryChange): void {
  for (const [k, v] of Object.entries(next.$inc)) into.$inc[k] = (into.$inc[k] ?? 0) + v;
  if (next.$set) into.$set = { ...into.$set, ...next.$set };
  if (next.$unset) into.$unset = { ...into.$unset, ...next.$unset };
  // A key set by one change and pruned by another cannot both stand (and keys are never reused).
  if (into.$set && into.$unset) for (const k of Object.keys(into.$set)) delete into.$unset[k];
  for (const [k, v] of Object.entries(next.$min ?? {})) {
    into.$min ??= {};
    const have = into.$min[k];
    if (!have || v < have) into.$min[k] = v;
  }
  for (const [k, v] of Object.entries(next.$max ?? {})) {
    into.$max ??= {};
    const have = into.$max[k];
    if (!have || v > have) into.$max[k] = v;
  }
}

export function copySummaryChange(c: SummaryChange): SummaryChange {
  return {
    $inc: { ...c.$inc },
    ...(c.$min ? { $min: { ...c.$min } } : {}),
    ...(c.$max ? { $max: { ...c.$max } } : {}),
    ...(c.$set ? { $set: { ...c.$set } } : {}),
    ...(c.$unset ? { $unset: { ...c.$unset } } : {}),
  };
}
