/**
 * Seeds the benchmark's data for another checkout of Starling (bench/run.ts's
 * BENCH_BASELINE_TREE) with that checkout's own `bench/seed.ts` and models, so
 * its API reads documents of its own shape: an older seed lacks fields this
 * one writes (the MOST_HELPFUL page keys, for one), which would otherwise be
 * read and decoded by the older API on every review page.
 *
 * Run by bench/run.ts in the other checkout's packages/api, through that
 * checkout's tsx: `node --import tsx <this file> <apiDir> <uri> <dbName>`.
 * Imports nothing of this checkout (only Node's own modules), so every module
 * it loads is the other checkout's.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

type Models = unknown;
interface Connection {
  close(): Promise<void>;
}

async function load<T>(apiDir: string, candidates: string[]): Promise<T> {
  // The models moved from src/db to src/features in the refactor of issue 13.
  const file = candidates.map((c) => path.join(apiDir, c)).find((f) => existsSync(f));
  if (!file) throw new Error(`none of ${candidates.join(", ")} in ${apiDir}`);
  return (await import(pathToFileURL(file).href)) as T;
}

async function main() {
  const [apiDir, uri, dbName] = process.argv.slice(2);
  if (!apiDir || !uri || !dbName) throw new Error("usage: baseline-seed.ts <apiDir> <uri> <dbName>");
  const { connect } = await load<{ connect(uri: string, db: string, timeoutMs: number): Promise<Connection> }>(apiDir, [
    "src/db/connection.ts",
  ]);
  const { bindModels } = await load<{ bindModels(conn: Connection): Models }>(apiDir, ["src/features/models.ts", "src/db/models.ts"]);
  const { seedBench } = await load<{ seedBench(models: Models): Promise<{ reused: boolean; seconds: number }> }>(apiDir, ["bench/seed.ts"]);
  const conn = await connect(uri, dbName, 30_000);
  const seeded = await seedBench(bindModels(conn));
  console.error(
    seeded.reused
      ? `reusing the baseline's seeded database ${dbName}`
      : `baseline's database ${dbName} seeded in ${seeded.seconds.toFixed(0)} s`,
  );
  await conn.close();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
