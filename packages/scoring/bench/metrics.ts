/** Ranking metrics as ../shared/reference/yelpchi_baselines.py defines them (ties share ranks). */

/** ROC-AUC via Mann–Whitney U; tied scores get their average rank. */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positives = 0;
  let positiveRanks = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) {
        positives++;
        positiveRanks += rank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  return (positiveRanks - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Step-wise average precision with tied scores grouped (scikit-learn's definition). */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<boolean>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i]) positives++;
  let tp = 0;
  let fp = 0;
  let ap = 0;
  let previousRecall = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]!]) tp++;
      else fp++;
    }
    const recall = tp / positives;
    ap += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
    i = j + 1;
  }
  return ap;
}

/** Per-user score = max over the user's reviews; positive = at least one filtered review (SpEagle's definition). */
export function userLevel(
  users: ArrayLike<string>,
  scores: ArrayLike<number>,
  labels: ArrayLike<boolean>,
): { scores: number[]; labels: boolean[] } {
  const max = new Map<string, number>();
  const spam = new Map<string, boolean>();
  for (let i = 0; i < users.length; i++) {
    const u = users[i]!;
    max.set(u, Math.max(max.get(u) ?? Number.NEGATIVE_INFINITY, scores[i]!));
    spam.set(u, (spam.get(u) ?? false) || labels[i]!);
  }
  const keys = [...max.keys()].sort();
  return { scores: keys.map((k) => max.get(k)!), labels: keys.map((k) => spam.get(k)!) };
}
