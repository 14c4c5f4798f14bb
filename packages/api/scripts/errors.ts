/** Writes the SDK's error table and the README's errors section from packages/api/src/errors.ts. */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { REPO_ROOT } from "../src/config.js";
import { SDK_ERROR_CODES_PATH, sdkErrorCodesModule, withReadmeErrorTable } from "../src/error-table.js";

await writeFile(path.join(REPO_ROOT, SDK_ERROR_CODES_PATH), sdkErrorCodesModule());
const readme = path.join(REPO_ROOT, "README.md");
await writeFile(readme, withReadmeErrorTable(await readFile(readme, "utf8")));
console.log(`wrote ${SDK_ERROR_CODES_PATH} and README.md's error table`);
