import { describe, expect, it } from "vitest";
import { PageCache } from "../src/db/page-cache.js";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

function setup(overrides: { maxGroups?: number; maxPerGroup?: number } = {}) {
  let now = 0;
  const refreshErrors: unknown[] = [];
  const cache = new PageCache<string>({
    ttlMs: 1_000,
    refreshFactor: 10,
    maxStaleMs: 30_000,
    waitAfterWriteMs: 250,
    maxGroups: overrides.maxGroups ?? 10,
    maxPerGroup: overrides.maxPerGroup ?? 4,
    onRefreshError: (err) => refreshErrors.push(err),
    now: () => now,
  });
  return { cache, refreshErrors, advance: (ms: number) => (now += ms) };
}

describe("PageCache", () => {
  it("shares one load between concurrent misses and serves the answer until the TTL", async () => {
    const { cache, advance } = setup();
    const pending = deferred<string>();
    let loads = 0;
    const load = () => (loads++, pending.promise);
    const both = Promise.all([cache.get("p", "k", load), cache.get("p", "k", load)]);
    pending.resolve("v1");
    expect(await both).toEqual(["v1", "v1"]);
    advance(999);
    expect(await cache.get("p", "k", async () => "v2")).toBe("v1");
    expect(loads).toBe(1);
  });

  it("serves an expired answer while one refresh runs, then the refreshed one", async () => {
    const { cache, advance } = setup();
    await cache.get("p", "k", async () => "v1");
    advance(1_000);
    const refresh = deferred<string>();
    let refreshes = 0;
    const load = () => (refreshes++, refresh.promise);
    expect(await cache.get("p", "k", load)).toBe("v1");
    expect(await cache.get("p", "k", load)).toBe("v1");
    expect(refreshes).toBe(1);
    refresh.resolve("v2");
    await refresh.promise;
    expect(await cache.get("p", "k", load)).toBe("v2");
  });

  it("keeps an answer whose query was slow fresh for ten times as long, so refreshes stay a tenth of the work", async () => {
    const { cache, advance } = setup();
    await cache.get("p", "k", async () => (advance(500), "v1"));
    advance(4_900);
    let loads = 0;
    expect(await cache.get("p", "k", async () => (loads++, "v2"))).toBe("v1");
    expect(loads).toBe(0);
    advance(100);
    expect(await cache.get("p", "k", async () => (loads++, "v2"))).toBe("v1"); // stale: served while it refreshes
    expect(loads).toBe(1);
    expect(await cache.get("p", "k", async () => (loads++, "v3"))).toBe("v2");
  });

  it("makes the caller wait once an answer is older than the stale limit", async () => {
    const { cache, advance } = setup();
    await cache.get("p", "k", async () => "v1");
    advance(31_000);
    expect(await cache.get("p", "k", async () => "v2")).toBe("v2");
  });

  it("keeps the stale answer and reports it when a refresh fails", async () => {
    const { cache, advance, refreshErrors } = setup();
    await cache.get("p", "k", async () => "v1");
    advance(2_000);
    const failing = deferred<string>();
    expect(await cache.get("p", "k", () => failing.promise)).toBe("v1");
    failing.reject(new Error("database gone"));
    await failing.promise.catch(() => {});
    await new Promise((r) => setImmediate(r));
    expect(refreshErrors).toHaveLength(1);
    expect(await cache.get("p", "k", async () => "v2")).toBe("v1"); // refreshing again in the background
  });

  it("after an invalidation, answers from a fresh load and drops a load that began before it", async () => {
    const { cache } = setup();
    const before = deferred<string>();
    const early = cache.get("p", "k", () => before.promise);
    cache.invalidate("p");
    before.resolve("before the write");
    expect(await early).toBe("before the write"); // asked before the write ended
    expect(await cache.get("p", "k", async () => "after the write")).toBe("after the write");
    // Other products keep their answers.
    await cache.get("q", "k", async () => "q1");
    cache.invalidate("p");
    expect(await cache.get("q", "k", async () => "q2")).toBe("q1");
  });

  it("after a write, serves the answer from before it when its query is slow, refreshing it on its usual schedule", async () => {
    const { cache, advance } = setup();
    await cache.get("slow", "k", async () => (advance(2_000), "before")); // fresh for 20 s
    await cache.get("quick", "k", async () => (advance(10), "before"));
    cache.invalidate("slow");
    cache.invalidate("quick");
    let loads = 0;
    expect(await cache.get("slow", "k", async () => (loads++, "too soon"))).toBe("before");
    expect(loads).toBe(0);
    advance(20_000);
    const reload = deferred<string>();
    expect(await cache.get("slow", "k", () => (loads++, reload.promise))).toBe("before");
    expect(await cache.get("slow", "k", async () => (loads++, "second reload"))).toBe("before"); // one reload at a time
    expect(loads).toBe(1);
    reload.resolve("after");
    await reload.promise;
    expect(await cache.get("slow", "k", async () => "again")).toBe("after");
    // A quick query is worth waiting for: the writer reads its own write.
    expect(await cache.get("quick", "k", async () => "after")).toBe("after");
  });

  it("keeps at most maxGroups products and maxPerGroup answers each, dropping the oldest", async () => {
    const { cache } = setup({ maxGroups: 2, maxPerGroup: 2 });
    for (const k of ["a", "b", "c"]) await cache.get("p", k, async () => `p${k}1`);
    expect(await cache.get("p", "a", async () => "pa2")).toBe("pa2");
    expect(await cache.get("p", "c", async () => "pc2")).toBe("pc1");
    await cache.get("q", "a", async () => "qa1");
    await cache.get("r", "a", async () => "ra1");
    expect(await cache.get("p", "c", async () => "pc3")).toBe("pc3");
    expect(await cache.get("r", "a", async () => "ra2")).toBe("ra1");
  });

  it("throws a failed first load to its callers and loads again on the next call", async () => {
    const { cache } = setup();
    await expect(cache.get("p", "k", async () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await cache.get("p", "k", async () => "v1")).toBe("v1");
  });
});
