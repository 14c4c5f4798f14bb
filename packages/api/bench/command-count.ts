/**
 * BENCH_COUNT_COMMANDS=1 (bench/run.ts): a TCP proxy between one API process
 * and the database that counts the commands it sends, by name (the first key
 * of each OP_MSG's body), so a write run can say how many database commands a
 * review costs and which. It adds a hop to every command, so a run that counts
 * is not one to take times from.
 */
import net from "node:net";

/** MongoDB wire protocol opcodes (the driver sends OP_MSG; OP_QUERY only for a legacy handshake). */
const OP_MSG = 2013;
const OP_QUERY = 2004;

export interface CommandCounter {
  /** The database's URI with the proxy's address. */
  readonly uri: string;
  /** Commands sent so far, by name. */
  readonly counts: Map<string, number>;
  close(): void;
}

/** The name of the command in one whole client message: the first key of the body (a kind-0 section). */
function commandName(msg: Buffer): string {
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_QUERY) return "(OP_QUERY)";
  if (opCode !== OP_MSG) return `(opcode ${opCode})`;
  let at = 20; // header (16) and flag bits (4)
  while (at < msg.length) {
    const kind = msg[at]!;
    if (kind === 0) {
      const nameStart = at + 1 + 4 + 1; // kind, document length, first element's type
      return msg.toString("latin1", nameStart, msg.indexOf(0, nameStart));
    }
    at += 1 + msg.readInt32LE(at + 1); // a document sequence: its size counts itself
  }
  return "(no body)";
}

export async function startCommandCounter(targetUri: string): Promise<CommandCounter> {
  const target = new URL(targetUri);
  const counts = new Map<string, number>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
    let pending: Buffer = Buffer.alloc(0);
    client.on("data", (chunk: Buffer) => {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= 16 && pending.length >= pending.readInt32LE(0)) {
        const length = pending.readInt32LE(0);
        const name = commandName(pending.subarray(0, length));
        counts.set(name, (counts.get(name) ?? 0) + 1);
        pending = pending.subarray(length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  const uri = new URL(targetUri);
  uri.host = `127.0.0.1:${port}`;
  return { uri: uri.toString(), counts, close: () => server.close() };
}

/** The counts added since `before` (a copy of `counts` taken then), per `per` (e.g. reviews), most first. */
export function countsSince(counts: ReadonlyMap<string, number>, before: ReadonlyMap<string, number>, per: number): [string, number][] {
  return [...counts]
    .map(([name, n]) => [name, (n - (before.get(name) ?? 0)) / per] as [string, number])
    .filter(([, n]) => n > 0)
    .sort((a, b) => b[1] - a[1]);
}
