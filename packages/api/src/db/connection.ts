import mongoose, { type Connection } from "mongoose";
import { REPO_ROOT, type Config } from "../config.js";
import type { Logger } from "../log.js";
import { startEmbeddedFerretDB, type EmbeddedFerretDB } from "./embedded-ferretdb.js";
import { DatabaseBreaker } from "./availability.js";
import { bindModels, ensureIndexes, type Models } from "./models.js";
import path from "node:path";

export interface Database {
  readonly conn: Connection;
  readonly models: Models;
  /** Where it is, without credentials: for logs. */
  readonly description: string;
  /** Open while the database is known down: requests are answered DATABASE_UNAVAILABLE at once. */
  readonly breaker: DatabaseBreaker;
  close(): Promise<void>;
}

/** Connects to `MONGODB_URI`, or starts the embedded FerretDB when none is given. */
export async function openDatabase(config: Config, log: Logger): Promise<Database> {
  let embedded: EmbeddedFerretDB | undefined;
  let uri = config.mongodbUri;
  if (!uri) {
    embedded = await startEmbeddedFerretDB({
      // The build is a cache of the checkout, not data: one per repository.
      binDir: path.join(REPO_ROOT, ".data", "bin"),
      dataDir: path.join(config.dataDir, "ferretdb"),
      onBuild: (msg) => log.info(msg),
      log,
    });
    uri = embedded.uri;
  }
  try {
    const conn = await connect(uri, config.dbName, config.dbTimeoutMs);
    const models = bindModels(conn);
    await ensureIndexes(models);
    const breaker = new DatabaseBreaker(
      (available, reason) =>
        available
          ? log.warn("database available again")
          : log.warn("database unavailable; answering DATABASE_UNAVAILABLE at once", { reason }),
      () => conn.db!.admin().ping(),
    );
    breaker.watch(conn);
    embedded?.onChange((up) => breaker.setEmbeddedUp(up));
    return {
      conn,
      models,
      breaker,
      description: embedded ? `embedded FerretDB at ${uri}${config.dbName}` : `${redact(uri)} (db ${config.dbName})`,
      async close() {
        breaker.close();
        await conn.close();
        await embedded?.stop();
      },
    };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

export async function connect(uri: string, dbName: string, timeoutMs: number): Promise<Connection> {
  const conn = mongoose.createConnection(uri, {
    dbName,
    serverSelectionTimeoutMS: timeoutMs,
    // Queue nothing while disconnected: a request should fail fast with a
    // masked error, not hang until the client gives up.
    bufferCommands: false,
    autoIndex: false,
  });
  await conn.asPromise();
  return conn;
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, "//***@");
}
