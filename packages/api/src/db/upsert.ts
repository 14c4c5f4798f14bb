import { duplicateKeyFailures, isDuplicateKey } from "../errors.js";

/**
 * Runs an idempotent upsert by `_id` (a replace or an update, or a bulk write
 * of them and deletes) once more when it lost a race: two upserts of a new
 * `_id` at once both try to insert it, and the loser gets E11000. MongoDB 4.2+
 * retries such an upsert on the server; FerretDB 1.24 does not (4 concurrent
 * replaceOne upserts of each of 30 new ids: 81 of the 120 failed). The second
 * attempt finds the document and replaces or updates it.
 */
export async function upsertWinningRace<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (!isDuplicateKey(err) && !duplicateKeyFailures(err)) throw err;
    return write();
  }
}
