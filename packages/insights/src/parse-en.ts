/**
 * compromise's English tagging, the same tags for less work.
 *
 * Profiled (`node --cpu-prof` over op-spam's reviews), `nlp(text)` was ~85% of
 * an English analyzeReview, and three costs in it do nothing for our tags:
 *
 * 1. `nlp` from "compromise" is compromise/three, whose `nlp(text)` also runs
 *    the chunker (~7% of the parse); we need the tagger (compromise/two's
 *    hooks) and the root. We run exactly those hooks, in compromise's order,
 *    so it makes no difference which compromise builds are loaded elsewhere.
 * 2. The post-tagger's sweep picks the match rules worth trying per sentence
 *    (`getHooks`) by walking all ~2 000 keys of its rule index and
 *    concatenating arrays, then filters them in three passes (`localTrim`):
 *    ~30% of the parse. {@link bulkMatch} below computes the same list in the
 *    same order from the sentence's own words and tags (a few dozen look-ups),
 *    and runs compromise's matcher on it unchanged.
 *
 * The tags, and so every aspect, are identical to the stock parse: the
 * insights tests compare the two on reviews (test/parse-en.test.ts).
 * compromise is pinned to an exact version; a new version must pass that test.
 */
import nlp from "compromise/two";

/** One of compromise's terms, as we read it. */
export interface ParsedTerm {
  text: string;
  normal: string;
  root?: string;
  post: string;
  tags: Set<string>;
}

interface MatchRule {
  match: string;
  needs: string[];
  wants: string[];
  minWant: number;
  minWords: number;
  ifNo?: string[];
  unTag?: unknown;
}
interface Net {
  hooks: Record<string, MatchRule[]>;
  always: MatchRule[];
}
type Doc = unknown[][];
interface Methods {
  one: {
    cacheDoc(document: Doc): Set<string>[];
    match(docs: Doc, rule: MatchRule): { ptrs: number[][] };
    bulkMatch(document: Doc, net: Net, methods: Methods, opts?: { matchOne?: boolean }): unknown[];
    tokenize: { fromString(text: string, world: unknown): Doc };
  };
}
interface View {
  docs: ParsedTerm[][];
  compute(hooks: string[]): View;
}

/** compromise/two's hooks (nlp.world().hooks before any other plugin), then the root. */
const HOOKS = [
  "contractions",
  "alias",
  "machine",
  "index",
  "id",
  "freeze",
  "typeahead",
  "lexicon",
  "preTagger",
  "contractionTwo",
  "postTagger",
  "root",
];

/** A rule with what the selection needs, precomputed once per rule index. */
interface Compiled {
  rule: MatchRule;
  /** Its hook keys as [rank, key], rank = key's position in Object.keys(hooks) × 2^16 + the rule's position in that key's list; ascending. */
  keys: [number, string][];
}
interface Index {
  /** Each rule under one key it cannot run without (a need; else each of its wants). */
  anchored: Map<string, number[]>;
  rules: Compiled[];
  /** Last sentence (generation) each rule was looked at in. */
  stamp: Uint32Array;
  generation: number;
}

const indexes = new WeakMap<Net, Index | null>();

/** The index of a net, built on first use; null when the net breaks an assumption below (then compromise's own bulkMatch runs). */
function indexOf(net: Net): Index | null {
  if (!indexes.has(net)) indexes.set(net, buildIndex(net));
  return indexes.get(net)!;
}

/** null if two rule objects share a match string (stock dedupes by the string, we by the object) or a key holds 2^16 rules. */
function buildIndex(net: Net): Index | null {
  const ids = new Map<MatchRule, number>();
  const byMatch = new Map<string, MatchRule>();
  const rules: Compiled[] = [];
  const keys = Object.keys(net.hooks);
  for (let k = 0; k < keys.length; k++) {
    const list = net.hooks[keys[k]!]!;
    if (list.length >= 1 << 16) return null;
    for (let pos = 0; pos < list.length; pos++) {
      const rule = list[pos]!;
      const other = byMatch.get(rule.match);
      if (other !== undefined && other !== rule) return null;
      byMatch.set(rule.match, rule);
      let id = ids.get(rule);
      if (id === undefined) {
        id = rules.length;
        ids.set(rule, id);
        rules.push({ rule, keys: [] });
      }
      rules[id]!.keys.push([k * (1 << 16) + pos, keys[k]!]);
    }
  }
  const anchored = new Map<string, number[]>();
  const add = (key: string, id: number): void => {
    const list = anchored.get(key);
    if (list) list.push(id);
    else anchored.set(key, [id]);
  };
  for (let id = 0; id < rules.length; id++) {
    const { rule } = rules[id]!;
    // Prefer a word to a tag as the anchor: words are rarer in a sentence.
    if (rule.needs.length > 0) add(rule.needs.find((n) => !n.startsWith("#")) ?? rule.needs[0]!, id);
    else for (const w of rule.wants) add(w, id);
  }
  return { anchored, rules, stamp: new Uint32Array(rules.length), generation: 0 };
}

/**
 * compromise's `bulkMatch` (src/1-one/sweep/methods/sweep/), same result.
 * Stock: per sentence, walk every key of the rule index in Object.keys order
 * and append the rules hooked on the keys the sentence has (a word, or '#' +
 * a tag), first occurrence of each match string kept; keep those whose needs
 * are all present, with none of their ifNo and at least minWant of their
 * wants; then the always-run rules; drop those longer than the sentence; run
 * each with compromise's matcher, results in that order. Here: only the rules
 * anchored on a key the sentence has are looked at (a rule cannot pass
 * without its anchor), and the survivors are sorted by where stock would have
 * met them first.
 */
function bulkMatch(document: Doc, net: Net, methods: Methods, opts: { matchOne?: boolean } = {}): unknown[] {
  const index = indexOf(net);
  if (index === null) return stockBulkMatch(document, net, methods, opts);
  const docCache = methods.one.cacheDoc(document);
  const results: unknown[] = [];
  const { anchored, rules, stamp } = index;
  for (let n = 0; n < document.length; n++) {
    const haves = docCache[n]!;
    index.generation = (index.generation + 1) >>> 0;
    if (index.generation === 0) {
      stamp.fill(0);
      index.generation = 1;
    }
    const generation = index.generation;
    const kept: [number, MatchRule][] = [];
    for (const k of haves) {
      const ids = anchored.get(k);
      if (ids === undefined) continue;
      for (const id of ids) {
        if (stamp[id] === generation) continue;
        stamp[id] = generation;
        const { rule, keys } = rules[id]!;
        if (!rule.needs.every((need) => haves.has(need))) continue;
        if (rule.ifNo?.some((no) => haves.has(no))) continue;
        if (rule.wants.length > 0) {
          let found = 0;
          for (const w of rule.wants) if (haves.has(w)) found++;
          if (found < rule.minWant) continue;
        }
        // Where stock meets it first: the first of its keys (in index order) that the sentence has.
        let rank = -1;
        for (const [r, key] of keys) {
          if (haves.has(key)) {
            rank = r;
            break;
          }
        }
        kept.push([rank, rule]);
      }
    }
    kept.sort((a, b) => a[0] - b[0]);
    const todo = kept.map(([, rule]) => rule);
    for (const rule of net.always) todo.push(rule);
    const termCount = document[n]!.length;
    for (const rule of todo) {
      if (termCount < rule.minWords) continue;
      const res = methods.one.match([document[n]!], rule);
      if (res.ptrs.length === 0) continue;
      for (const ptr of res.ptrs) {
        ptr[0] = n;
        const found: MatchRule & { pointer: number[] } = Object.assign({}, rule, { pointer: ptr });
        if (rule.unTag !== undefined) found.unTag = rule.unTag;
        results.push(found);
      }
      if (opts.matchOne === true) return [results[0]];
    }
  }
  return results;
}

const world = nlp.world() as unknown as { methods: Methods };
const stockBulkMatch = world.methods.one.bulkMatch;
world.methods.one.bulkMatch = bulkMatch;
const ViewClass = (nlp("") as unknown as { constructor: new (document: Doc) => View }).constructor;

/** The text's sentences as compromise tags them, each term with its root. */
export function parseEnglish(text: string): ParsedTerm[][] {
  if (!text) return [];
  const view = new ViewClass(world.methods.one.tokenize.fromString(text, world));
  return view.compute(HOOKS).docs;
}

/** The stock parse (compromise's own rule selection, all of `nlp`'s hooks): for the equivalence test and the cost bench only. */
export function parseEnglishStock(text: string): ParsedTerm[][] {
  world.methods.one.bulkMatch = stockBulkMatch;
  try {
    const doc = nlp(text) as unknown as View;
    doc.compute(["root"]);
    return doc.docs;
  } finally {
    world.methods.one.bulkMatch = bulkMatch;
  }
}
