import { describe, expect, it } from "vitest";
import { TtlCache } from "../src/db/ttl-cache.js";

describe("TtlCache", () => {
  it("serves a value until its time to live has passed", () => {
    let now = 1_000;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set("a", "x");
    now = 1_099;
    expect(cache.get("a")).toBe("x");
    now = 1_100;
    expect(cache.get("a")).toBeUndefined();
  });

  it("keeps at most maxEntries, dropping the oldest", () => {
    const cache = new TtlCache<number>(1_000, 2);
    cache.set("a", 1);
    cache.set("b", 2);
    cache.set("c", 3);
    expect([cache.get("a"), cache.get("b"), cache.get("c")]).toEqual([undefined, 2, 3]);
  });

  it("loads only what is missing, in one call, and caches misses it is told about", async () => {
    const cache = new TtlCache<number | null>(1_000);
    cache.set("a", 1);
    const calls: string[][] = [];
    const load = async (missing: string[]) => {
      calls.push(missing);
      return new Map<string, number | null>(missing.map((k) => [k, k === "b" ? 2 : null]));
    };
    const first = await cache.getMany(["a", "b", "c"], load);
    expect([...first]).toEqual([["a", 1], ["b", 2], ["c", null]]);
    await cache.getMany(["a", "b", "c"], load);
    expect(calls).toEqual([["b", "c"]]);
  });

  it("forgets a deleted key at once", () => {
    const cache = new TtlCache<number>(1_000);
    cache.set("a", 1);
    cache.delete("a");
    expect(cache.get("a")).toBeUndefined();
  });
});
