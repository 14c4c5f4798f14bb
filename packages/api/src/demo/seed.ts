/**
 * A small synthetic demo shop: generated here from templates and a seeded
 * random generator, never from the research data sets (their terms forbid it).
 * Seeding goes through submitReview like any client, with fixed idempotency
 * keys, so running it again adds nothing.
 */
import type { GraphiQLOptions } from "graphql-yoga";
import type { Deps } from "../features/deps.js";
import { createDeps } from "../create-deps.js";
import { putProduct } from "../features/products/products.js";
import { submitReview } from "../features/reviews/reviews.js";
import { createShop, findShop } from "../features/shops/shops.js";
import { createInvitation } from "../features/invitations/invitations.js";

export const DEMO_SHOP_ID = "shop_demo";
/** Public on purpose: the demo runs on loopback with throwaway data. Never use these for a real shop. */
export const DEMO_SECRET_KEY = "sk_demo_local_only_not_secret";
export const DEMO_PUBLISHABLE_KEY = "pk_demo_local_only_not_secret";

/** [id, name, number of reviews, weights of 1..5 stars] */
const PRODUCTS: [string, string, number, number[]][] = [
  ["trail-runner-2", "Trail Runner 2 running shoes", 48, [2, 2, 5, 30, 61]],
  ["headlamp-300", "Headlamp 300 lumen", 120, [6, 5, 12, 35, 42]],
  ["rain-shell", "Packable rain shell", 23, [15, 15, 25, 25, 20]],
  ["camp-mug", "Enamel camp mug", 3, [0, 0, 0, 0, 1]],
  ["wool-socks", "Merino hiking socks", 1, [0, 0, 0, 1, 0]],
  ["dry-bag-20", "Dry bag 20 L", 0, [1, 1, 1, 1, 1]],
];

const TITLES: Record<number, string[]> = {
  1: ["Broke within a week", "Not as described", "Very disappointed"],
  2: ["Expected more", "Mediocre at best", "Would not buy again"],
  3: ["Does the job", "Okay for the price", "Mixed feelings"],
  4: ["Solid choice", "Happy with it", "Good, with one small flaw"],
  5: ["Excellent", "Exactly what I needed", "Best purchase this year"],
};
const BODIES: Record<number, string[]> = {
  1: ["It fell apart on the second outing and support never answered.", "The stitching came loose right away."],
  2: ["Works, but the quality does not match the price.", "Smaller than the photos suggest and feels cheap."],
  3: ["Nothing special, nothing wrong. It does what it says.", "Fine for occasional use; I would not rely on it on a long trip."],
  4: ["Well made and comfortable. Took a star off because delivery was slow.", "Does everything I hoped, though the colour is a bit off."],
  5: ["Used it every weekend for a month and it still looks new.", "Great quality, fast delivery, would buy again without thinking."],
};
const GERMAN: Record<number, [string, string]> = {
  1: ["Leider mangelhaft", "Nach einer Woche kaputt, der Kundendienst meldet sich nicht."],
  2: ["Eher enttäuschend", "Funktioniert, aber die Verarbeitung passt nicht zum Preis."],
  3: ["In Ordnung", "Erfüllt seinen Zweck, mehr aber auch nicht."],
  4: ["Gutes Produkt", "Gut verarbeitet, nur die Lieferung hat lange gedauert."],
  5: ["Rundum zufrieden", "Hervorragende Qualität, jederzeit wieder."],
};
const NAMES = ["Alex", "Sam", "Jo", "Robin", "Kim", "Maria", "Jonas", "Lea", "Priya", "Tom", "Mika", "Ana", "Chris", "Noor"];

/** The demo's own clock: reviews are dated across the past year, not at seeding time. */
interface DemoClock {
  at: Date;
}

async function submitDemo(deps: Deps, clock: DemoClock, atMs: number, input: Parameters<typeof submitReview>[2]): Promise<void> {
  clock.at = new Date(atMs);
  await submitReview(deps, DEMO_SHOP_ID, input);
}

// Each review gets its own details, so that no two customers' texts are near
// copies: Starling quarantines a review whose text copies another author's.
const PLACES = [
  "the Alps",
  "Snowdonia",
  "the Lake District",
  "Norway",
  "the Black Forest",
  "Scotland",
  "the Dolomites",
  "a city break",
  "my daily commute",
  "a rainy weekend",
];
const ACTIVITIES = ["hiking", "trail running", "camping", "a long walk", "a canoe trip", "cycling", "a family outing", "a festival"];
const EXTRAS_EN = [
  "The packaging was mostly cardboard, which I liked.",
  "Customer service answered my question the same day.",
  "My partner ordered one too after seeing mine.",
  "The colour matches the photos well.",
  "It arrived a day earlier than promised.",
  "Sizing runs true in my experience.",
  "It is lighter than my old one.",
  "Cleaning it is easy.",
  "The instructions were clear enough.",
  "I bought it in the winter sale.",
  "A friend recommended the brand.",
  "",
];

const CLOSINGS: Record<number, string[]> = {
  1: ["I returned it.", "Avoid.", "Not worth the money.", "I would not recommend it."],
  2: ["Probably would not buy again.", "There are better options.", "Disappointing overall.", "Meh."],
  3: ["Fine for the price.", "Average, really.", "It is okay.", "Does what it must."],
  4: ["Recommended.", "Happy overall.", "Good value.", "Would buy again."],
  5: ["Highly recommended!", "Love it.", "Five stars, easily.", "Buy it."],
};

function englishReview(rnd: () => number, rating: number): [string, string] {
  const days = 2 + Math.floor(rnd() * 120);
  const extras = [...EXTRAS_EN].sort(() => rnd() - 0.5).slice(0, 2);
  const body = [
    pick(rnd, BODIES[rating]!),
    `I used it for ${pick(rnd, ACTIVITIES)} in ${pick(rnd, PLACES)} over ${days} days.`,
    ...extras,
    pick(rnd, CLOSINGS[rating]!),
  ]
    .filter(Boolean)
    .join(" ");
  return [pick(rnd, TITLES[rating]!), body];
}

function germanReview(rnd: () => number, rating: number): [string, string] {
  const [title, text] = GERMAN[rating]!;
  const days = 2 + Math.floor(rnd() * 120);
  return [title, `${text} Ich habe es ${days} Tage lang beim ${pick(rnd, ["Wandern", "Laufen", "Zelten", "Radfahren"])} benutzt.`];
}

/** mulberry32: a tiny seeded generator, so the demo is the same on every machine. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function weighted(rnd: () => number, weights: number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = rnd() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i]!;
    if (x < 0) return i + 1;
  }
  return weights.length;
}

export async function seedDemoShop(deps: Deps): Promise<{ shopId: string; reviews: number; reused: boolean }> {
  // A demo shop from an earlier run is kept as it is (with whatever was done
  // to it since): seeding again could clash with reviews an older version of
  // this file wrote under the same idempotency keys.
  if (await findShop(deps, DEMO_SHOP_ID)) {
    return { shopId: DEMO_SHOP_ID, reviews: await deps.models.Review.countDocuments({ shopId: DEMO_SHOP_ID }), reused: true };
  }
  await createShop(deps, {
    id: DEMO_SHOP_ID,
    name: "Starling Demo Outfitters",
    secretKey: DEMO_SECRET_KEY,
    publishableKey: DEMO_PUBLISHABLE_KEY,
  });
  // The dated writes go through Deps of their own whose clock the seed sets,
  // passed to createDeps explicitly rather than patched into the server's Deps.
  const clock: DemoClock = { at: new Date() };
  const dated = createDeps(deps.models, deps.priorStrength, deps.log, { now: () => clock.at });
  const rnd = random(20261127);
  const start = Date.parse("2026-01-05T09:00:00Z");
  let reviews = 0;
  for (const [id, name, count, weights] of PRODUCTS) {
    // A product page, so the demo shop's Google review feed has its reviews.
    await putProduct(deps, DEMO_SHOP_ID, {
      id,
      name,
      brand: "Starling Demo Outfitters",
      url: `https://demo-outfitters.example/products/${id}`,
    });
    // Arrival times in order, as a real product's reviews arrive.
    const times = Array.from({ length: count }, () => start + Math.floor(rnd() * 300 * 86_400_000)).sort((a, b) => a - b);
    for (let i = 0; i < count; i++) {
      const rating = weighted(rnd, weights);
      const german = rnd() < 0.15;
      const [title, body] = german ? germanReview(rnd, rating) : englishReview(rnd, rating);
      await submitDemo(dated, clock, times[i]!, {
        productId: id,
        rating,
        title,
        body,
        reviewer: {
          name: `${pick(rnd, NAMES)} ${String.fromCharCode(65 + Math.floor(rnd() * 26))}.`,
          // Repeat customers, so reviewer history means something.
          externalId: `demo-customer-${Math.floor(rnd() * 80)}`,
        },
        language: german ? "de" : "en",
        provenance: rnd() < 0.2 ? "INVITED" : "ORGANIC",
        idempotencyKey: `demo:${id}:${i}`,
      });
      reviews++;
    }
  }
  // Verified purchases: reviews written through the shop's purchase invitations.
  const invitedAt = start + 310 * 86_400_000;
  for (let i = 0; i < 4; i++) {
    clock.at = new Date(invitedAt + i * 86_400_000);
    const { token } = await createInvitation(dated, DEMO_SHOP_ID, { productId: "trail-runner-2", orderRef: `demo-order-${1001 + i}` });
    const rating = i === 2 ? 4 : 5;
    const [title, body] = englishReview(rnd, rating);
    await submitReview(dated, DEMO_SHOP_ID, {
      productId: "trail-runner-2",
      rating,
      title,
      body,
      reviewer: { name: `${pick(rnd, NAMES)} ${String.fromCharCode(65 + i)}.`, externalId: `demo-buyer-${i}` },
      language: "en",
      invitationToken: token,
    });
    reviews++;
  }

  // A burst of the kind Starling discounts: ten first-time reviewers giving the
  // rain shell five stars within two hours, long after its last review. (Their
  // texts differ: copied texts would be quarantined instead, a different check.)
  const burstStart = start + 320 * 86_400_000;
  for (let i = 0; i < 10; i++) {
    const [title, body] = englishReview(rnd, 5);
    await submitDemo(dated, clock, burstStart + i * 12 * 60_000, {
      productId: "rain-shell",
      rating: 5,
      title,
      body,
      reviewer: { name: `Happy buyer ${i + 1}`, externalId: `demo-burst-${i}` },
      language: "en",
      idempotencyKey: `demo:burst:${i}`,
    });
    reviews++;
  }
  return { shopId: DEMO_SHOP_ID, reviews, reused: false };
}

export const DEMO_QUERY = `# A product's rating and its newest reviews.
# Press ▶ (or Ctrl-Enter). The demo key is in Headers.
# A listing page asks for many products at once:
#   products(ids: ["camp-mug", "rain-shell"]) { ... }
# Try product(id: "rain-shell") { bursts { start evidence { description } } }
query ProductRating {
  product(id: "camp-mug") {
    name
    rating {
      count
      average    # Bayesian: 3 lucky 5s do not make a 5.0
      plainMean
      credibleInterval { low high level }
      histogram { stars count }
      prior { mean strength reviewCount }
      discounted { count reasons { description count } }
      period { from to }
    }
    reviews(first: 5, orderBy: NEWEST) {
      totalCount
      edges { node { rating title body reviewer { name } createdAt } }
      pageInfo { hasNextPage endCursor }
    }
  }
}
`;

/** Seeds the demo shop and returns the playground set up to query it. */
export async function demoPlayground(
  deps: Deps,
  onSeeded: (seeded: { reviews: number; reused: boolean }) => void = () => {},
): Promise<GraphiQLOptions> {
  const seeded = await seedDemoShop(deps);
  onSeeded(seeded);
  return {
    defaultQuery: DEMO_QUERY,
    headers: JSON.stringify({ Authorization: `Bearer ${DEMO_SECRET_KEY}` }, null, 2),
    defaultEditorToolsVisibility: "headers",
  };
}
