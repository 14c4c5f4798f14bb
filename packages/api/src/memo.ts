import { LRUCache } from "lru-cache";

/**
 * Remembers a string function's results for recent arguments: for hashes of
 * the API keys that every request carries, which cost more than a cache
 * lookup. The least recently used argument goes first when full, so a burst of
 * unknown keys cannot push out the keys in steady use.
 */
export function memoizeRecent<T extends {}>(fn: (arg: string) => T, max = 10_000): (arg: string) => T {
  const recent = new LRUCache<string, T>({ max });
  return (arg) => {
    let value = recent.get(arg);
    if (value === undefined) {
      value = fn(arg);
      recent.set(arg, value);
    }
    return value;
  };
}
