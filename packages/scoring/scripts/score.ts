/**
 * `pnpm --filter @starling/scoring score <file.jsonl> [--out <file>]`: scores
 * a timeline of reviews (see score-jsonl.ts for the formats). Writes to
 * stdout, or to --out; a one-line summary goes to stderr.
 */
import { closeSync, openSync, readSync, writeSync } from "node:fs";
import path from "node:path";
import { InputLineError, scoreJsonl } from "./score-jsonl.js";

/** Lines of a file, read in 4 MB chunks and split on newline bytes, so a UTF-8 character is never cut. */
function* fileLines(file: string): Generator<string> {
  const fd = openSync(file, "r");
  const chunk = Buffer.alloc(4 << 20);
  let carry = Buffer.alloc(0);
  try {
    for (;;) {
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      const data = carry.length ? Buffer.concat([carry, chunk.subarray(0, n)]) : chunk.subarray(0, n);
      let start = 0;
      for (let i = data.indexOf(10, start); i >= 0; i = data.indexOf(10, start)) {
        yield data.toString("utf8", start, i);
        start = i + 1;
      }
      carry = Buffer.from(data.subarray(start));
    }
    if (carry.length) yield carry.toString("utf8");
  } finally {
    closeSync(fd);
  }
}

function main(argv: string[]): number {
  const args = argv.filter((a) => a !== "--");
  const outAt = args.indexOf("--out");
  const outFile = outAt >= 0 ? args[outAt + 1] : undefined;
  const inputs = outAt < 0 ? args : args.filter((_, i) => i !== outAt && i !== outAt + 1);
  if (inputs.length !== 1 || (outAt >= 0 && !outFile)) {
    process.stderr.write("usage: score <reviews.jsonl> [--out <scores.jsonl>]\n");
    return 2;
  }
  // pnpm runs package scripts in the package directory; paths are meant from where the user typed them.
  const base = process.env.INIT_CWD ?? process.cwd();
  const input = path.resolve(base, inputs[0]!);
  const started = performance.now();
  // Lines are encoded straight into one reused 4 MB buffer and written in
  // blocks: joining them into large strings first cost the 1M-review run
  // about a third of its time in string flattening and garbage.
  const fd = outFile ? openSync(path.resolve(base, outFile), "w") : 1;
  const outFd = outFile ? fd : null;
  const block = Buffer.allocUnsafe(4 << 20);
  let used = 0;
  const writeAll = (bytes: Uint8Array, length: number) => {
    let offset = 0;
    while (offset < length) {
      try {
        offset += writeSync(fd, bytes, offset, length - offset);
      } catch (err) {
        // stdout may be a non-blocking pipe: wait a moment for the reader and retry.
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
      }
    }
  };
  const drain = () => {
    writeAll(block, used);
    used = 0;
  };
  const write = (line: string) => {
    // UTF-8 needs at most 3 bytes per UTF-16 code unit.
    if (used + line.length * 3 > block.length) {
      drain();
      if (line.length * 3 > block.length) {
        const bytes = Buffer.from(line, "utf8");
        writeAll(bytes, bytes.length);
        return;
      }
    }
    used += block.write(line, used, "utf8");
  };
  try {
    const summary = scoreJsonl(fileLines(input), write);
    drain();
    const seconds = (performance.now() - started) / 1000;
    process.stderr.write(
      `scored ${summary.reviews} reviews of ${summary.products} products in ${seconds.toFixed(2)} s: ${summary.discounted} discounted, ${summary.bursts} bursts\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof InputLineError) {
      process.stderr.write(`score: ${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    if (outFd !== null) closeSync(outFd);
  }
}

process.exitCode = main(process.argv.slice(2));
