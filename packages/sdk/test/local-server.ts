/**
 * A real HTTP server on a free loopback port that plays the API's part for
 * unit tests: each test says how to answer (including failing on purpose),
 * and the server records every request it got.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  query: string;
  variables: Record<string, any>;
  headers: http.IncomingHttpHeaders;
}

export type Reply = { status?: number; headers?: Record<string, string>; json: unknown } | "hang" | "reset";

export interface LocalServer {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startLocalServer(answer: (req: Received, index: number) => Reply | Promise<Reply>): Promise<LocalServer> {
  const received: Received[] = [];
  const sockets = new Set<import("node:net").Socket>();
  const server = http.createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString()));
    req.on("end", async () => {
      const body = JSON.parse(raw || "{}");
      const entry = { query: body.query, variables: body.variables ?? {}, headers: req.headers };
      received.push(entry);
      const reply = await answer(entry, received.length - 1);
      if (reply === "hang") return;
      if (reply === "reset") return req.socket.destroy();
      res.writeHead(reply.status ?? 200, {
        "content-type": "application/json",
        "x-request-id": `req-${received.length}`,
        ...reply.headers,
      });
      res.end(JSON.stringify(reply.json));
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A rating summary as the API shapes it, for a product with `count` reviews averaging `average`. */
export function ratingOf(
  average: number,
  count: number,
  discounted: { count: number; reasons: { code: string; count: number; description: string }[] } = { count: 0, reasons: [] },
) {
  return {
    count,
    effectiveCount: count - discounted.count / 2,
    discounted,
    average,
    plainMean: count ? average : null,
    rankingScore: average - 0.5,
    credibleInterval: { low: average - 0.4, high: Math.min(5, average + 0.4), level: 0.95 },
    histogram: [5, 4, 3, 2, 1].map((stars) => ({ stars, count: 0 })),
    prior: { mean: 3.9, strength: 5, reviewCount: 200 },
    period: count ? { from: "2026-01-05T09:00:00.000Z", to: "2026-10-01T12:00:00.000Z" } : null,
  };
}

/** Answers ProductRatings for any ids: product "p<n>" has rating n/10 + 3; ids starting "missing" are null. */
export function productsAnswer(req: Received): Reply {
  const ids: string[] = req.variables.ids;
  return {
    json: {
      data: {
        shop: { id: "shop_test" },
        products: ids.map((id) =>
          id.startsWith("missing") ? null : { id, name: `Product ${id}`, rating: ratingOf(3 + Number(id.slice(1)) / 100, 10) },
        ),
      },
    },
  };
}
