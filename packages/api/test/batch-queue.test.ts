import { describe, expect, it } from "vitest";
import { BatchQueue } from "../src/db/batch-queue.js";

describe("BatchQueue", () => {
  it("writes the items added together at once, in one batch", async () => {
    const batches: string[][] = [];
    const queue = new BatchQueue<string, string>(async (items) => (batches.push(items), items), 100);
    expect(await Promise.all(["a", "b", "c"].map((k) => queue.add(k)))).toEqual(["a", "b", "c"]);
    expect(batches).toEqual([["a", "b", "c"]]);
  });

  it("writes a lone item at once, and gathers the items that arrive meanwhile into the next batch", async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new BatchQueue<number, string>(async (items) => {
      batches.push(items);
      await gate;
      return items.map((i) => `done ${i}`);
    }, 3);
    const first = queue.add(1);
    await Promise.resolve();
    expect(batches).toEqual([[1]]);
    const later = [2, 3, 4, 5].map((i) => queue.add(i));
    release();
    expect(await first).toBe("done 1");
    expect(await Promise.all(later)).toEqual(["done 2", "done 3", "done 4", "done 5"]);
    expect(batches).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("fails every item of a batch whose write throws, and goes on with the next batch", async () => {
    let calls = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new BatchQueue<number, number>(async (items) => {
      if (calls++ === 0) {
        await gate;
        throw new Error("database gone");
      }
      return items.map((i) => i * 10);
    }, 10);
    const doomed = queue.add(1).catch((e: Error) => e.message);
    await Promise.resolve(); // the first batch is on its way
    const next = [queue.add(2), queue.add(3)];
    release();
    expect(await doomed).toBe("database gone");
    expect(await Promise.all(next)).toEqual([20, 30]);
  });
});

describe("BatchQueue's activity", () => {
  it("tells it once when the queue gets busy and once when it is idle again, however many batches in between", async () => {
    const told: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const queue = new BatchQueue<number, number>(
      async (items) => {
        await gate;
        return items;
      },
      2,
      { begin: () => told.push("busy"), end: () => told.push("idle") },
    );
    const first = queue.add(1);
    expect(told).toEqual(["busy"]);
    await Promise.resolve(); // the first batch is on its way
    const later = [2, 3, 4].map((i) => queue.add(i));
    expect([told, queue.depth]).toEqual([["busy"], 4]);
    release();
    await Promise.all([first, ...later]);
    expect([told, queue.depth]).toEqual([["busy", "idle"], 0]);
    // Busy again with the next item, idle again once it is written.
    await queue.add(5);
    expect(told).toEqual(["busy", "idle", "busy", "idle"]);
  });

  it("is idle again after a batch whose write throws", async () => {
    const told: string[] = [];
    const queue = new BatchQueue<number, number>(
      async () => {
        throw new Error("database gone");
      },
      10,
      { begin: () => told.push("busy"), end: () => told.push("idle") },
    );
    await expect(queue.add(1)).rejects.toThrow("database gone");
    expect(told).toEqual(["busy", "idle"]);
  });
});
