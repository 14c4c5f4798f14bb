/**
 * Product Q&A and helpful votes (issue 17) on the embedded database: one
 * product ("p-qa") with 100 000 published reviews and 10 000 questions
 * (with 0 to 3 answers each, 15 000 answers), in a database of its own
 * (.data/bench-qa-ferretdb, seeded once and reused).
 *
 * One client sends one request at a time (latency, not throughput) and
 * reports p50 / p99 of:
 *   - the product's first page of questions (10) with their answers (up to 5
 *     each, with votes) and related reviews, as the widget asks for it;
 *   - a new helpful vote (each from another voter token, on reviews and
 *     answers of the product in turn);
 *   - asking a question (BM25 over the newest 300 reviews), for the record.
 * API and database run pinned to core 0, the client on core 1 (as bench/run.ts).
 *
 *   sh scripts/pnpm.sh -s --filter @starling/api bench:questions
 *   Options: BENCH_REQUESTS (per scenario, default 1000).
 */
import { createHash } from "node:crypto";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../src/config.js";
import { connect, ensureIndexes } from "../src/db/connection.js";
import { bindModels, type Models } from "../src/features/models.js";
import type { AnswerDoc, QuestionDoc } from "../src/features/questions/model.js";
import type { ReviewDoc } from "../src/features/reviews/model.js";
import { createDeps } from "../src/create-deps.js";
import { createShop } from "../src/features/shops/shops.js";
import { countdown, productPrefix, withPageKeys } from "../src/features/reviews/review-pages.js";
import { pin, startBenchApi, startBenchDb, stopBenchApi } from "./start.js";

const DATA_DIR = path.join(REPO_ROOT, ".data/bench-qa-ferretdb");
const SHOP = "shop_bench_qa";
const SECRET = "sk_bench_qa_local_only";
const PUBLISHABLE = "pk_bench_qa_local_only";
const PRODUCT = "p-qa";
const REVIEWS = 100_000;
const QUESTIONS = 10_000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);

const VOCABULARY = (
  "tent pole zip seam rain wind pack light heavy warm cold dry wet quick slow easy hard strap buckle hood pocket " +
  "fabric stitch colour size fit long short wide narrow trail camp night morning summer winter storm sun mud snow " +
  "price value worth return friend family trip week month year great good fine poor broke held lasted failed loved"
).split(" ");

function words(n: number, count: number): string {
  let x = (n + 1) * 2654435761;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out.push(VOCABULARY[(x >>> 0) % VOCABULARY.length]!);
  }
  return out.join(" ");
}

/** Ids shaped as the API issues them (q_/a_ and 32 hex digits). */
const hex = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 32);
const questionId = (j: number) => `q_${hex(`bench question ${j}`)}`;
const answerId = (j: number, k: number) => `a_${hex(`bench answer ${j} ${k}`)}`;

async function seed(models: Models): Promise<void> {
  // Reused when its last answer has today's key shape (answer keys begin with their question's).
  if (await models.Answer.exists({ _id: answerId(QUESTIONS - 1, 2), pageKey: { $regex: /^[0-9a-f]{20}\./ } })) {
    console.error("reusing the seeded Q&A database");
    return;
  }
  const started = Date.now();
  await models.Review.db.dropDatabase();
  await ensureIndexes(models);
  await createShop(createDeps(models, 5), { id: SHOP, name: "Q&A bench shop", secretKey: SECRET, publishableKey: PUBLISHABLE });
  const now = Date.now();
  await models.Product.collection.insertOne({
    _id: `${SHOP}:${PRODUCT}`,
    shopId: SHOP,
    productId: PRODUCT,
    name: "Q&A product",
    createdAt: new Date(now),
  } as never);
  const start = now - 365 * 86_400_000;
  for (let i = 0; i < REVIEWS; i += 5000) {
    const docs: ReviewDoc[] = [];
    for (let j = i; j < Math.min(i + 5000, REVIEWS); j++) {
      docs.push({
        _id: `rev_bench_${j}`,
        shopId: SHOP,
        productId: PRODUCT,
        rating: 1 + (j % 5),
        title: words(j, 4),
        body: `${words(j + 7, 30)}.`,
        reviewer: { name: `Reviewer ${j}`, externalId: null, email: null },
        language: "en",
        provenance: "ORGANIC",
        source: "api",
        verification: null,
        score: null,
        signature: null,
        createdAt: new Date(start + Math.floor((j / REVIEWS) * 365 * 86_400_000)),
        payloadHash: "bench",
        status: "published",
        reply: null,
        summaryApplied: true,
      });
    }
    await models.Review.collection.insertMany(docs.map(withPageKeys) as never[], { ordered: false });
    process.stderr.write(`\rreviews ${Math.min(i + 5000, REVIEWS)}/${REVIEWS}`);
  }
  process.stderr.write("\n");
  const prefix = productPrefix(SHOP, PRODUCT);
  let answerCount = 0;
  for (let i = 0; i < QUESTIONS; i += 2000) {
    const questions: QuestionDoc[] = [];
    const answers: AnswerDoc[] = [];
    for (let j = i; j < Math.min(i + 2000, QUESTIONS); j++) {
      const id = questionId(j);
      const createdAt = new Date(start + Math.floor((j / QUESTIONS) * 365 * 86_400_000));
      questions.push({
        _id: id,
        shopId: SHOP,
        productId: PRODUCT,
        body: `${words(j + 11, 10)}?`,
        author: { name: `Asker ${j}`, externalId: null },
        language: "en",
        source: "form",
        status: "published",
        createdAt,
        payloadHash: "bench",
        pageNewest: `${prefix}.${countdown(createdAt)}.${id}`,
        relatedReviewIds: [`rev_bench_${(j * 7) % REVIEWS}`, `rev_bench_${(j * 13) % REVIEWS}`],
      });
      for (let k = 0; k < j % 4; k++) {
        const aid = answerId(j, k);
        const at = new Date(createdAt.getTime() + (k + 1) * 3_600_000);
        answers.push({
          _id: aid,
          shopId: SHOP,
          productId: PRODUCT,
          questionId: id,
          body: words(j * 3 + k, 20),
          author: { name: k === 0 ? "Support" : `Customer ${k}`, role: k === 0 ? "shop" : "customer", externalId: null },
          verification: null,
          language: "en",
          source: k === 0 ? "api" : "form",
          status: "published",
          createdAt: at,
          payloadHash: "bench",
          pageKey: `${prefix}.${countdown(createdAt)}.${id}.${String(at.getTime()).padStart(13, "0")}.${aid}`,
          votes: null,
        });
      }
    }
    await models.Question.collection.insertMany(questions as never[], { ordered: false });
    if (answers.length) await models.Answer.collection.insertMany(answers as never[], { ordered: false });
    answerCount += answers.length;
  }
  console.error(
    `seeded ${REVIEWS} reviews, ${QUESTIONS} questions, ${answerCount} answers in ${((Date.now() - started) / 1000).toFixed(0)} s`,
  );
}

const PAGE = `query($p: ID!) { product(id: $p) { questions(first: 10) {
  edges { cursor node { id body author { name } createdAt
    answers(first: 5) { id body createdAt author { name role } helpfulVotes { helpful notHelpful score } }
    relatedReviews { id title rating } } }
  pageInfo { hasNextPage endCursor } } } }`;
const VOTE = `mutation($i: VoteHelpfulInput!) { voteHelpful(input: $i) { alreadyVoted votes { helpful score } } }`;
const ASK = `mutation($i: AskQuestionInput!) { askQuestion(input: $i) { question { id relatedReviews { id } } } }`;

async function timed(url: string, body: unknown, key: string): Promise<number> {
  const t = performance.now();
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as { errors?: unknown };
  const ms = performance.now() - t;
  if (json.errors) throw new Error(JSON.stringify(json.errors));
  return ms;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

async function scenario(name: string, n: number, run: (i: number) => Promise<number>): Promise<string> {
  for (let i = 0; i < 20; i++) await run(-1 - i); // warm-up, not counted
  const ms: number[] = [];
  for (let i = 0; i < n; i++) ms.push(await run(i));
  ms.sort((a, b) => a - b);
  const row = `| ${name} | ${n} | ${quantile(ms, 0.5).toFixed(1)} | ${quantile(ms, 0.99).toFixed(1)} | ${ms.at(-1)!.toFixed(1)} |`;
  console.error(row);
  return row;
}

async function main() {
  pin(process.pid, 1);
  const db = await startBenchDb(DATA_DIR);
  const conn = await connect(db.uri, "bench_qa", 30_000);
  const models = bindModels(conn);
  await seed(models);
  // The limits thousands of votes and questions from one client meet, out of the way.
  const api = await startBenchApi(db.uri, "bench_qa", {
    STARLING_RATE_REQUESTS_PER_MINUTE_PER_KEY: "10000000",
    STARLING_RATE_FORM_PER_HOUR_PER_IP: "1000000",
    STARLING_RATE_REVIEWS_PER_DAY_PER_REVIEWER: "1000000",
    STARLING_RATE_VOTES_PER_HOUR_PER_IP: "1000000",
  });
  const run = Date.now().toString(36);
  try {
    const rows = ["| scenario (one request at a time) | requests | p50 ms | p99 ms | max ms |", "|---|---|---|---|---|"];
    const before = loadavg()[0]!;
    // The machine's baseline under its load now: the cheapest read the API answers (a cached rating).
    rows.push(
      await scenario("baseline: the product's rating", REQUESTS, () =>
        timed(api.graphql, { query: `{ product(id: "${PRODUCT}") { rating { count average } } }` }, PUBLISHABLE),
      ),
    );
    rows.push(
      await scenario("first page of questions (10, with answers and related reviews)", REQUESTS, () =>
        timed(api.graphql, { query: PAGE, variables: { p: PRODUCT } }, PUBLISHABLE),
      ),
    );
    rows.push(
      await scenario("a new helpful vote (review or answer)", REQUESTS, (i) => {
        const k = i < 0 ? 50_000 - i : i;
        const item =
          k % 2 === 0
            ? { itemType: "REVIEW", itemId: `rev_bench_${(k * 37) % REVIEWS}` }
            : { itemType: "ANSWER", itemId: answerId((k * 4 + 1) % QUESTIONS, 0) };
        return timed(
          api.graphql,
          { query: VOTE, variables: { i: { ...item, helpful: k % 3 !== 0, voterToken: `bench-${run}-${String(k).padStart(8, "0")}` } } },
          PUBLISHABLE,
        );
      }),
    );
    rows.push(
      await scenario("asking a question (BM25 over the newest 300 reviews)", Math.min(REQUESTS, 200), (i) =>
        timed(
          api.graphql,
          {
            query: ASK,
            variables: {
              i: {
                productId: PRODUCT,
                body: `Is the ${words(i + 999, 3)} good in the rain?`,
                author: { name: "Bench" },
                idempotencyKey: `bench-${run}-${i}`,
              },
            },
          },
          PUBLISHABLE,
        ),
      ),
    );
    console.log(rows.join("\n"));
    console.log(
      // cpus(), not nproc: this process is pinned to one core, and nproc counts only those it may use.
      `load average (1 min) ${before.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after, on ${cpus().length} cores`,
    );
  } finally {
    await stopBenchApi(api);
    await conn.close();
    await db.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
