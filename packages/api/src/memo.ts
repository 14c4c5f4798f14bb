/**
 * Remembers a string function's results for recent arguments: for hashes of
 * the API keys that every request carries, which cost more than a Map lookup.
 * Forgets everything when full (a key seen once in a burst of unknowns need
 * not be kept).
 */
export function memoizeRecent<T>(fn: (arg: string) => T, max = 10_000): (arg: string) => T {
  const recent = new Map<string, T>();
  return (arg) => {
    let value = recent.get(arg);
    if (value === undefined) {
      value = fn(arg);
      if (recent.size >= max) recent.clear();
      recent.set(arg, value);
    }
    return value;
  };
}
