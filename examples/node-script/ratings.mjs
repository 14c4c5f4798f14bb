// Prints the ratings of some products from a running Starling, with the SDK.
//   STARLING_URL=http://127.0.0.1:4000 STARLING_KEY=pk_... node ratings.mjs camp-mug rain-shell
// Defaults fit `npm start` (the demo shop). The calls below are made in the
// same tick, so the SDK sends them as one request.
import { createClient, StarlingError } from "@starling/sdk";

const starling = createClient({
  endpoint: process.env.STARLING_URL ?? "http://127.0.0.1:4000",
  key: process.env.STARLING_KEY ?? "pk_demo_local_only_not_secret",
});
const ids = process.argv.slice(2);
if (ids.length === 0) ids.push("trail-runner-2", "headlamp-300", "rain-shell", "camp-mug", "wool-socks", "dry-bag-20");

let products;
try {
  products = await Promise.all(ids.map((id) => starling.products.rating(id)));
} catch (err) {
  if (!(err instanceof StarlingError)) throw err;
  console.error(`${err.name}${err.code ? ` ${err.code}` : ""}: ${err.message}${err.requestId ? ` (request ${err.requestId})` : ""}`);
  process.exit(1);
}

const fmt = (x) => (x == null ? "  -  " : x.toFixed(2));
console.log("product".padEnd(18), "reviews", "rating", "  95% interval", " plain mean");
products.forEach((p, i) => {
  if (!p) {
    console.log(ids[i].padEnd(18), "(no such product)");
    return;
  }
  const r = p.rating;
  console.log(
    p.id.padEnd(18),
    String(r.count).padStart(7),
    fmt(r.average).padStart(6),
    `  ${fmt(r.credibleInterval.low)}–${fmt(r.credibleInterval.high)}`,
    fmt(r.plainMean).padStart(10),
  );
});
