import mongoose, { type Connection, type Model } from "mongoose";
import { REPO_ROOT, type Config } from "../config.js";
import type { Logger } from "../log.js";
import { startEmbeddedFerretDB, type EmbeddedFerretDB } from "./embedded-ferretdb.js";
import { DatabaseBreaker } from "./availability.js";
import path from "node:path";

/**
 * `M`: the models by name, as features/models.ts binds them (db/ does not
 * import the features, so it takes them as they come).
 */
export interface Database<M extends object = object> {
  readonly conn: Connection;
  readonly models: M;
  /** Where it is, without credentials: for logs. */
  readonly description: string;
  /** Open while the database is known down: requests are answered DATABASE_UNAVAILABLE at once. */
  readonly breaker: DatabaseBreaker;
  close(): Promise<void>;
}

/**
 * Connects to `MONGODB_URI`, or starts the embedded FerretDB when none is
 * given, and binds the models (`bind`: features/models.ts bindModels) and
 * creates their collections and indexes.
 */
export async function openDatabase<M extends object>(config: Config, log: Logger, bind: (conn: Connection) => M): Promise<Database<M>> {
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
    const models = bind(conn);
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

/** Creates collections and indexes, one index per call, before any data arrives (Cosmos DB needs that). */
export async function ensureIndexes(models: object): Promise<void> {
  const db = (Object.values(models)[0] as Model<unknown>).db;
  const existing = new Set((await db.listCollections()).map((c: { name: string }) => c.name));
  for (const model of Object.values(models) as Model<unknown>[]) {
    if (!existing.has(model.collection.collectionName)) {
      await model.createCollection().catch((err: { code?: number }) => {
        if (err.code !== 48) throw err; // NamespaceExists: another process created it just now
      });
    }
    for (const [keys, options] of model.schema.indexes()) {
      await model.collection.createIndex(keys as Record<string, 1 | -1>, options as mongoose.mongo.CreateIndexesOptions);
    }
  }
}

function redact(uri: string): string {
  return uri.replace(/\/\/[^@/]*@/, "//***@");
}
