// Prints the ratings of some products from a running Starling, in one request.
//   STARLING_URL=http://127.0.0.1:4000 STARLING_KEY=sk_... node ratings.mjs camp-mug rain-shell
// Defaults fit `npm start` (the demo shop). Plain fetch for now; the typed SDK
// (packages/sdk) will replace this request.
const url = process.env.STARLING_URL ?? "http://127.0.0.1:4000";
const key = process.env.STARLING_KEY ?? "sk_demo_local_only_not_secret";
const ids = process.argv.slice(2);
if (ids.length === 0) ids.push("trail-runner-2", "headlamp-300", "rain-shell", "camp-mug", "wool-socks", "dry-bag-20");

const res = await fetch(`${url}/graphql`, {
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
  body: JSON.stringify({
    query: `query($ids: [ID!]!) { products(ids: $ids) { id name rating { count average plainMean credibleInterval { low high } } } }`,
    variables: { ids },
  }),
});
const { data, errors } = await res.json();
if (errors) {
  console.error(errors.map((e) => `${e.extensions?.code ?? "ERROR"}: ${e.message}`).join("\n"));
  process.exit(1);
}
const fmt = (x) => (x == null ? "  -  " : x.toFixed(2));
console.log("product".padEnd(18), "reviews", "rating", "  95% interval", " plain mean");
data.products.forEach((p, i) => {
  if (!p) return console.log(ids[i].padEnd(18), "(no such product)");
  const r = p.rating;
  console.log(
    p.id.padEnd(18),
    String(r.count).padStart(7),
    fmt(r.average).padStart(6),
    `  ${fmt(r.credibleInterval.low)}–${fmt(r.credibleInterval.high)}`,
    fmt(r.plainMean).padStart(10),
  );
});
