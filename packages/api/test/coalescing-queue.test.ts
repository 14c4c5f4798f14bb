import { describe, expect, it } from "vitest";
import { CoalescingQueue } from "../src/db/coalescing-queue.js";
import { KeyedLock } from "../src/db/keyed-lock.js";

const sumQueue = () =>
  new CoalescingQueue<{ n: number }>(
    new KeyedLock(),
    (into, next) => (into.n += next.n),
    (c) => ({ ...c }),
  );

describe("CoalescingQueue", () => {
  it("writes the changes queued behind an in-flight write as one, and answers each caller", async () => {
    const q = sumQueue();
    const writes: number[] = [];
    let release!: () => void;
    const first = q.add("k", { n: 1 }, async (m) => {
      await new Promise<void>((r) => (release = r));
      writes.push(m.n);
    });
    await new Promise((r) => setImmediate(r)); // the first write now holds the lock
    const rest = [2, 3, 4].map((n) => q.add("k", { n }, async (m) => void writes.push(m.n)));
    release();
    await Promise.all([first, ...rest]);
    expect(writes).toEqual([1, 9]);
  });

  it("keeps keys apart and hands a failed write's error to every change in it", async () => {
    const q = sumQueue();
    const written = new Map<string, number>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const a1 = q.add("a", { n: 1 }, async () => gate);
    await new Promise((r) => setImmediate(r));
    const a2 = q.add("a", { n: 2 }, async () => Promise.reject(new Error("disk full")));
    const a3 = q.add("a", { n: 3 }, async () => void 0);
    const b = q.add("b", { n: 5 }, async (m) => void written.set("b", m.n));
    release();
    await a1;
    await expect(a2).rejects.toThrow("disk full");
    await expect(a3).rejects.toThrow("disk full");
    await b;
    expect(written.get("b")).toBe(5);
    // The next change after a failure starts a fresh batch.
    await q.add("a", { n: 7 }, async (m) => void written.set("a", m.n));
    expect(written.get("a")).toBe(7);
  });
});
