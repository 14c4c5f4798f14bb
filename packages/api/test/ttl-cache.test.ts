import { describe, expect, it } from "vitest";
import { TtlCache } from "../src/db/ttl-cache.js";

describe("TtlCache", () => {
  it("serves a value until its time to live has passed", () => {
    let now = 1_000;
    const cache = new TtlCache<string>(100, 10, () => now);
    cache.set("a", "x");
    now = 1_100;
    expect(cache.get("a")).toBe("x");
    now = 1_101;
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
    expect([...first]).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", null],
    ]);
    await cache.getMany(["a", "b", "c"], load);
    expect(calls).toEqual([["b", "c"]]);
  });

  it("lets concurrent misses of a key share one load, and keeps no load a delete overtook", async () => {
    const cache = new TtlCache<string>(1_000, 10);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[][] = [];
    const load = async (missing: string[]) => {
      calls.push(missing);
      await gate;
      return new Map(missing.map((k) => [k, `${k}@${calls.length}`]));
    };
    const first = cache.getMany(["a", "b"], load);
    const second = cache.getMany(["b", "c"], load);
    release();
    expect(Object.fromEntries(await first)).toEqual({ a: "a@2", b: "b@2" });
    expect(Object.fromEntries(await second)).toEqual({ b: "b@2", c: "c@2" });
    expect(calls).toEqual([["a", "b"], ["c"]]);

    let releaseSlow!: () => void;
    const slow = new Promise<void>((r) => (releaseSlow = r));
    cache.delete("a");
    const before = cache.getMany(["a"], async () => (await slow, new Map([["a", "old"]])));
    cache.delete("a"); // a write lands while the load runs
    const after = cache.getMany(["a"], async () => new Map([["a", "new"]]));
    expect((await after).get("a")).toBe("new");
    releaseSlow();
    expect((await before).get("a")).toBe("old"); // asked before the write
    expect(cache.get("a")).toBe("new");
  });

  it("forgets a deleted key at once", () => {
    const cache = new TtlCache<number>(1_000);
    cache.set("a", 1);
    cache.delete("a");
    expect(cache.get("a")).toBeUndefined();
  });
});
