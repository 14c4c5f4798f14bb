/**
 * What only a real process shows: an acknowledged review survives kill -9,
 * SIGTERM drains in-flight requests, production masks unexpected errors, and
 * bad configuration stops the start with a message per bad value.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, inject, it } from "vitest";
import { startEmbeddedFerretDB } from "../src/db/embedded-ferretdb.js";
import { REPO_ROOT } from "../src/config.js";
import { connect } from "../src/db/connection.js";
import { bindModels } from "../src/features/models.js";
import { SUBMIT, gql, openModels, review, seedShop, spawnCli, uniqueDbName, until } from "./helpers.js";
import { withPageKeys } from "../src/features/reviews/review-pages.js";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** The embedded FerretDB started by the API process `pid` (tsx starts other helpers too). */
function ferretdbChild(pid: number): number {
  let out = "";
  try {
    out = execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" });
  } catch {
    // pgrep exits 1 when there are none
  }
  const pids = out.trim().split("\n").filter(Boolean).map(Number);
  const found = pids.filter((p) => readFileSync(`/proc/${p}/cmdline`, "utf8").includes("ferretdb-1.24.2"));
  if (found.length !== 1) throw new Error(`expected one FerretDB child of ${pid}, found ${found.length}`);
  return found[0]!;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("durability", () => {
  it("keeps every acknowledged review when the API, with its embedded database, is killed with SIGKILL", async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "starling-kill-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const api = spawnCli(["serve"], { STARLING_DATA_DIR: dataDir, PORT: "0", STARLING_DB_NAME: "killtest" });
    cleanups.push(async () => api.child.kill("SIGKILL"));
    const url = (await api.line(/^listening (\S+)/))[1]!;
    const ferret = ferretdbChild(api.child.pid!);

    // The API's own database, reached the way the API reaches it.
    const uri = (/embedded FerretDB at (mongodb:\/\/[^/]+\/)/.exec(api.stderr()) ?? [])[1]!;
    const { key } = await seedShop(uri, "killtest");

    // 40 submissions in flight; SIGKILL the moment the 10th is acknowledged.
    const acknowledged: string[] = [];
    let killed = false;
    await Promise.allSettled(
      Array.from({ length: 40 }, async (_, i) => {
        const r = await gql<any>(url, SUBMIT, { input: review("tent", 1 + (i % 5), { idempotencyKey: `kill-${i}` }) }, key);
        if (r.data?.submitReview) acknowledged.push(r.data.submitReview.review.id);
        if (acknowledged.length >= 10 && !killed) {
          killed = true;
          api.child.kill("SIGKILL");
        }
      }),
    );
    expect(killed).toBe(true);
    await api.exited;
    // The embedded FerretDB notices its parent is gone (its stdin closes) and exits: no orphan.
    expect(await until(() => !alive(ferret), 10_000)).toBe(true);

    // Open the same data folder with a new FerretDB: every acknowledged review is there.
    const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir: path.join(dataDir, "ferretdb") });
    cleanups.push(() => db.stop());
    const conn = await connect(db.uri, "killtest", 5_000);
    cleanups.push(() => conn.close());
    const stored = await bindModels(conn)
      .Review.find({ _id: { $in: acknowledged } }, { _id: 1 })
      .lean();
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);
    expect(stored.map((d) => d._id).sort()).toEqual([...acknowledged].sort());
  });
});

describe("graceful shutdown", () => {
  it("finishes a request in flight on SIGTERM, then exits 0", async () => {
    const dbName = uniqueDbName("sigterm");
    const { key } = await seedShop(inject("mongoUri"), dbName);
    const api = spawnCli(["serve"], { MONGODB_URI: inject("mongoUri"), STARLING_DB_NAME: dbName, PORT: "0" });
    cleanups.push(async () => api.child.kill("SIGKILL"));
    const url = new URL((await api.line(/^listening (\S+)/))[1]!);

    // Send the headers and half the body; once the server has taken the
    // request (it answers `Expect: 100-continue` as it hands the request to its
    // handler), SIGTERM; once the API says it is shutting down, the rest of the
    // body. So the request is in flight for the whole shutdown, whatever the
    // machine's speed: each step waits for the previous one to have happened.
    const body = JSON.stringify({ query: SUBMIT, variables: { input: review("tent", 5, { idempotencyKey: "in-flight" }) } });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(
        {
          host: url.hostname,
          port: url.port,
          path: "/graphql",
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: `Bearer ${key}`,
            expect: "100-continue",
          },
        },
        (res) => {
          let text = "";
          res.on("data", (d: Buffer) => (text += d.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on("error", reject);
      req.once("continue", () => {
        req.write(body.slice(0, 50));
        api.child.kill("SIGTERM");
        void until(() => api.stderr().includes('"msg":"shutting down"'), 30_000).then((said) => {
          if (!said) return reject(new Error(`no "shutting down" line; stderr:\n${api.stderr()}`));
          req.end(body.slice(50));
        });
      });
      req.flushHeaders();
    });
    const res = await response;
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).data.submitReview.review.rating).toBe(5);
    const { code } = await api.exited;
    expect(code).toBe(0);
    expect(logged(api.stderr())).toContainEqual(expect.objectContaining({ msg: "shutting down", signal: "SIGTERM" }));

    const direct = await openModels(dbName);
    cleanups.push(() => direct.close());
    expect(await direct.models.Review.countDocuments({ productId: "tent" })).toBe(1);
  });
});

describe("errors in production", () => {
  it("mask unexpected errors for the client and log them whole", async () => {
    const dbName = uniqueDbName("mask");
    const { key, shopId } = await seedShop(inject("mongoUri"), dbName);
    const direct = await openModels(dbName);
    cleanups.push(() => direct.close());
    // A corrupt document (no reviewer, as a bad manual edit would leave it)
    // makes a resolver throw a TypeError: a bug, from the client's view.
    await direct.models.Review.collection.insertOne({
      // The keys its product's review pages find it by, as a stored review has them.
      ...withPageKeys({ _id: "corrupt", shopId, productId: "tent", rating: 3, createdAt: new Date() }),
      _id: "corrupt",
      shopId,
      productId: "tent",
      rating: 3,
      title: "t",
      body: "b",
      reviewer: null,
      language: null,
      provenance: "ORGANIC",
      source: "api",
      createdAt: new Date(),
      payloadHash: "x",
      status: "published",
      reply: null,
      summaryApplied: true,
    } as never);
    const api = spawnCli(["serve"], { NODE_ENV: "production", MONGODB_URI: inject("mongoUri"), STARLING_DB_NAME: dbName, PORT: "0" });
    cleanups.push(async () => api.child.kill("SIGKILL"));
    const url = (await api.line(/^listening (\S+)/))[1]!;

    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query: `{ product(id: "tent") { reviews { edges { node { createdAt } } } } }` }),
    });
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.errors[0].message).toBe("Unexpected error.");
    expect(body.errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(text).not.toMatch(/reading 'name'|TypeError|stack|\.ts/);
    expect(await until(() => api.stderr().includes('"msg":"unexpected error"'), 5_000)).toBe(true);
    const line = logged(api.stderr()).find((l) => l.msg === "unexpected error");
    expect(line?.error).toMatchObject({ type: "TypeError", message: expect.stringContaining("reading 'name'") });
  });

  it("answer a database outage with a retryable 503, not a hang", async () => {
    // A database the API does not supervise (MONGODB_URI, as in production): the
    // embedded one is restarted at once (faults.test.ts), this one stays down.
    const dataDir = await mkdtemp(path.join(os.tmpdir(), "starling-outage-"));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    const db = await startEmbeddedFerretDB({ binDir: path.join(REPO_ROOT, ".data/bin"), dataDir });
    const api = spawnCli(["serve"], {
      NODE_ENV: "production",
      MONGODB_URI: db.uri,
      STARLING_DB_NAME: uniqueDbName("outage"),
      PORT: "0",
      STARLING_DB_TIMEOUT_MS: "500",
    });
    cleanups.push(async () => api.child.kill("SIGKILL"));
    const url = (await api.line(/^listening (\S+)/))[1]!;
    // Take the database away under the running API.
    await db.stop();

    const res = await fetch(`${url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer sk_whatever" },
      body: JSON.stringify({ query: `{ shop { id } }` }),
      signal: AbortSignal.timeout(20_000),
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("2");
    const text = await res.text();
    const body = JSON.parse(text);
    expect(body.errors[0].extensions.code).toBe("DATABASE_UNAVAILABLE");
    expect(text).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|stack/i);
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });
});

describe("configuration", () => {
  it("refuses to start with a message for each bad value", async () => {
    const api = spawnCli(["serve"], {
      PORT: "eighty",
      STARLING_PRIOR_STRENGTH: "-1",
      MONGODB_URI: "http://db.example",
      NODE_ENV: "staging",
    });
    const { code } = await api.exited;
    expect(code).toBe(78);
    const err = api.stderr();
    expect(err).toContain("Invalid configuration:");
    expect(err).toMatch(/PORT: must be a whole number from 0 to 65535 \(got "eighty"\)/);
    expect(err).toMatch(/STARLING_PRIOR_STRENGTH: must be a number above 0/);
    expect(err).toMatch(/MONGODB_URI: must be a mongodb:\/\/ or mongodb\+srv:\/\/ connection string/);
    expect(err).toMatch(/NODE_ENV: .*"staging"/);
  });
});

/** The JSON log lines in a process's stderr (other lines skipped). */
function logged(stderr: string): Record<string, any>[] {
  return stderr.split("\n").flatMap((l) => {
    try {
      return [JSON.parse(l) as Record<string, any>];
    } catch {
      return [];
    }
  });
}
