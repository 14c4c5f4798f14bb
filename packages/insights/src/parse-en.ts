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
import type nlpTwo from "compromise/two";
// compromise/two's one-file build, the same code as its ~450 modules under src/ (what "compromise/two" loads):
// a worker thread of the CLI loads it in a third of the CPU time. The package exports only src/; a path reaches it.
// @ts-expect-error -- a file of the package, not an export: no types; nlpTwo's are its own
import nlpBuild from "../node_modules/compromise/builds/two/compromise-two.mjs";
// compromise's matcher internals, by file (its package exports neither): its own pure functions from src/, the
// code its build above was made from (same version), so they match that build's terms exactly as it would.
// @ts-expect-error -- compromise ships no types for its internal modules
import fromHereJs from "../node_modules/compromise/src/1-one/match/methods/match/02-from-here.js";
// @ts-expect-error -- as above
import getGroupJs from "../node_modules/compromise/src/1-one/match/methods/match/03-getGroup.js";
// @ts-expect-error -- as above
import notIfJs from "../node_modules/compromise/src/1-one/match/methods/match/03-notIf.js";
// @ts-expect-error -- as above
import wrapMatchJs from "../node_modules/compromise/src/1-one/match/methods/match/term/doesMatch.js";

/** One of compromise's terms, as we read it. */
export interface ParsedTerm {
  text: string;
  normal: string;
  root?: string;
  post: string;
  tags: Set<string>;
}

/** A parsed match token (compromise's parseMatch), the fields the first-term check reads. */
interface Reg {
  tag?: string;
  word?: string;
  id?: string;
  use?: string;
  fuzzy?: boolean;
  anything?: boolean;
  greedy?: boolean;
  choices?: Reg[][];
  operator?: string;
  negative?: boolean;
  optional?: boolean;
  start?: boolean;
  end?: boolean;
}
interface MatchRule {
  match: string;
  regs: Reg[];
  group?: string | number;
  justOne?: boolean;
  notIf?: Reg[];
  needs: string[];
  wants: string[];
  minWant: number;
  minWords: number;
  ifNo?: string[];
  unTag?: unknown;
}
interface Found {
  pointer: (number | null | string)[];
  groups: Record<string, (number | null)[]>;
}
type Term = {
  id: string;
  tags: Set<string>;
  text: string;
  normal: string;
  machine?: string | null;
  alias?: string[];
  implicit?: string;
  root?: string;
  switch?: string;
};
const fromHere = fromHereJs as (terms: Term[], regs: Reg[], startI: number, phraseLength: number) => Found | null;
const getGroup = getGroupJs as (res: Found[], group: string | number | undefined) => { ptrs: (number | string)[][] };
const notIf = notIfJs as (results: Found[], not: Reg[], docs: Term[][]) => Found[];
const wrapMatch = wrapMatchJs as (term: Term, reg: Reg, index: number, length: number) => boolean | null;
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
  /** Its hook keys and their ranks (rank = key's position in Object.keys(hooks) × 2^16 + the rule's position in that key's list), rank ascending. */
  keys: string[];
  ranks: number[];
  /** The numbers ({@link Index.keyIds}) of its hook keys, needs, wants and ifNo, filled in by buildIndex. */
  keyNums: number[];
  needNums: number[];
  wantNums: number[];
  ifNoNums: number[];
  /** Stock runMatch's minLength: regs neither optional nor negative. */
  minLength: number;
  /**
   * The rule's regs and what matchRule asks of them, read once: a rule's and a reg's fields are
   * megamorphic loads, and most rules tried on a sentence find no start at all (profiled: those
   * reads were a third of matchRule's own time).
   */
  regs: Reg[];
  /** Its first reg has "^" (one attempt, at the sentence's start). */
  anchoredStart: boolean;
  /** Its last reg has "$". */
  anchoredEnd: boolean;
  /** Whether the first reg fails the whole attempt when it does not match the term (see {@link matchRule}). */
  firstDecides: boolean;
  /**
   * When firstDecides and the first reg is a plain tag ("#Noun") or word ("=the"): the key under
   * which {@link positionsOf} finds the terms it matches; null for other regs (then compromise's
   * term matcher decides, term by term).
   */
  firstKey: string | null;
  /**
   * compromise's term matcher on the first reg (`wrapMatch(term, reg, i, length) === true`) when
   * firstDecides and not firstKey (see {@link testerOf}); null otherwise.
   */
  firstTest: Tester | null;
  /**
   * When the first reg is a block of choices ("(had|have|#PastTense)", "(#Noun && @hasComma)") that
   * must match where the attempt starts: a test of where it can (see {@link blockTester}); null otherwise.
   */
  firstBlock: Tester | null;
  /**
   * When the first reg is found by {@link firstKey} and consumes exactly one term, and the second
   * reg must match the next term (a reg {@link decides} accepts): the test of the second reg on
   * that term; an attempt whose next term fails it is not made. Null otherwise.
   */
  second: Tester | null;
}
interface Index {
  /**
   * A number for each key any rule is hooked on, needs, wants or must not have: the selection
   * then tests a sentence's keys in a typed array ({@link present}) instead of its Set of strings
   * (profiled: those Set look-ups were most of the selection's time).
   */
  keyIds: Map<string, number>;
  /** By key number: the rules anchored on it, each under one key it cannot run without (a need; else each of its wants). */
  anchored: (number[] | undefined)[];
  rules: Compiled[];
  /** net.always, compiled. */
  always: Compiled[];
  /** Last sentence (generation) each rule was looked at in. */
  stamp: Uint32Array;
  /** By key number: the last sentence (generation) that had the key. */
  present: Uint32Array;
  generation: number;
}

const indexes = new WeakMap<Net, Index | null>();
/** The net bulkMatch was last run with (see {@link postTagger}). */
let lastNet: Net | null = null;

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
        rules.push(compile(rule));
      }
      rules[id]!.keys.push(keys[k]!);
      rules[id]!.ranks.push(k * (1 << 16) + pos);
    }
  }
  const keyIds = new Map<string, number>();
  const num = (key: string): number => {
    let n = keyIds.get(key);
    if (n === undefined) {
      n = keyIds.size;
      keyIds.set(key, n);
    }
    return n;
  };
  for (const c of rules) {
    c.keyNums = c.keys.map(num);
    c.needNums = c.rule.needs.map(num);
    c.wantNums = c.rule.wants.map(num);
    c.ifNoNums = (c.rule.ifNo ?? []).map(num);
  }
  const anchored: (number[] | undefined)[] = [];
  const add = (key: string, id: number): void => {
    const n = num(key);
    const list = anchored[n];
    if (list) list.push(id);
    else anchored[n] = [id];
  };
  for (let id = 0; id < rules.length; id++) {
    const { rule } = rules[id]!;
    // The anchor is the need least likely to be in a sentence (fewer rules looked at for nothing).
    if (rule.needs.length > 0)
      add(
        rule.needs.reduce((a, b) => (commonness(b) < commonness(a) ? b : a)),
        id,
      );
    else for (const w of rule.wants) add(w, id);
  }
  return {
    keyIds,
    anchored,
    rules,
    always: net.always.map(compile),
    stamp: new Uint32Array(rules.length),
    present: new Uint32Array(keyIds.size),
    generation: 0,
  };
}

/**
 * Keys in nearly every review sentence, most common last (a rough order from op-spam's reviews);
 * any other key is rarer. Only the speed of the selection depends on it, never its result.
 */
const COMMON_KEYS = [
  "#Place",
  "#Possessive",
  "in",
  "#Plural",
  "#Preposition",
  "of",
  "#Adverb",
  "#Pronoun",
  "#Gerund",
  "to",
  "%Noun|Verb%",
  "#ProperNoun",
  "#Value",
  "#PresentTense",
  "and",
  "a",
  "#Singular",
  "the",
  "#Infinitive",
  "#Copula",
  "#PastTense",
  "#Adjective",
  "#Noun",
  "#Verb",
  "#Determiner",
];
const COMMONNESS = new Map(COMMON_KEYS.map((k, i) => [k, i + 1]));
function commonness(key: string): number {
  // A word is rarer than a tag (the old rule); among the common ones, by the list.
  return COMMONNESS.get(key) ?? (key.startsWith("#") ? 0.5 : 0);
}

/**
 * Whether compromise's matcher (fromHere) tests this reg with its term matcher alone and dies when
 * that fails: no choices, not "anything", neither negative nor optional, no "^", not greedy to the end.
 */
function decides(reg: Reg | undefined): reg is Reg {
  return (
    reg !== undefined &&
    reg.anything !== true &&
    reg.choices === undefined &&
    reg.negative !== true &&
    reg.optional !== true &&
    reg.start !== true &&
    !(reg.end === true && reg.greedy === true)
  );
}

function compile(rule: MatchRule): Compiled {
  const regs = rule.regs ?? [];
  const first = regs[0];
  const firstDecides = decides(first);
  // compromise's doesMatch on such a reg: a tag reg tests term.tags; a word reg (no case rule, not fuzzy)
  // term.machine, term.alias, term.text and term.normal. Anything else it could test first (an id, $) rules the shortcut out.
  let firstKey: string | null = null;
  if (firstDecides && first.end !== true && first.id === undefined) {
    if (first.word !== undefined) {
      if (!first.use && first.fuzzy !== true) firstKey = `=${first.word}`;
    } else if (first.tag !== undefined) firstKey = `#${first.tag}`;
  }
  // fromHere runs an or/and block before anything else it could do with the reg (unless it is "anything" and greedy).
  const firstBlock =
    first !== undefined &&
    Array.isArray(first.choices) &&
    (first.operator === "or" || first.operator === "and") &&
    first.negative !== true &&
    first.optional !== true &&
    first.start !== true &&
    !(first.anything === true && first.greedy === true)
      ? blockTester(first)
      : null;
  // A first reg that fromHere tests with the term matcher alone ("^" only narrows it to the first term) and that
  // is not greedy moves fromHere on by one term (simpleMatch), or two over a contraction (checked per term).
  const firstAlone = first !== undefined && decides({ ...first, start: undefined });
  const second = firstAlone && first.greedy !== true && decides(regs[1]) ? testerOf(regs[1], true) : null;
  return {
    rule,
    keys: [],
    ranks: [],
    keyNums: [],
    needNums: [],
    wantNums: [],
    ifNoNums: [],
    minLength: regs.filter((r) => r.optional !== true && r.negative !== true).length,
    regs,
    anchoredStart: first?.start === true,
    anchoredEnd: regs.at(-1)?.end === true,
    firstDecides,
    firstKey,
    firstTest: firstAlone && firstKey === null ? testerOf(first, true) : null,
    firstBlock,
    second,
  };
}

/** Whether a term matches a reg at index i of a sentence of `length` terms. */
type Tester = (term: Term, i: number, length: number) => boolean;

/** Reg fields compromise's term matcher never reads (the sequence matcher does). */
const MATCHER_ONLY = new Set(["group", "groupStart", "groupEnd", "greedy", "optional", "operator", "min", "max"]);

/**
 * compromise's term matcher (`wrapMatch`) on one reg, as a boolean: `=== true` when strict (what
 * fromHere and tryChoice ask), truthy otherwise (doAndBlock). Profiled, wrapMatch was the hot part
 * of the selection once fromHere was spared: it reads up to ~15 fields of regs of many shapes
 * before the one that decides. For the regs most rules start with (only a tag, a word, a set of
 * words, a %switch%, with or without ^ / $) the same test is written out here, where strict and
 * truthy agree (these branches of compromise's doesMatch return booleans, or null for a fastOr
 * whose part of speech is missing); any other reg goes to wrapMatch.
 */
function testerOf(reg: Reg, strict: boolean): Tester {
  const r = reg as Reg & { fastOr?: Set<string>; pos?: string; switch?: string };
  const fields = Object.keys(reg).filter(
    (k) => !MATCHER_ONLY.has(k) && (reg as Record<string, unknown>)[k] !== undefined && (reg as Record<string, unknown>)[k] !== false,
  );
  const start = r.start === true;
  const end = r.end === true;
  const own = fields
    .filter((k) => k !== "start" && k !== "end")
    .sort()
    .join(",");
  let test: ((t: Term) => boolean) | null = null;
  if (own === "tag") {
    const tag = r.tag!;
    test = (t) => t.tags.has(tag);
  } else if (own === "word") {
    const word = r.word!;
    test = (t) =>
      (t.machine !== null && t.machine === word) || t.alias?.some((a) => a === word) === true || word === t.text || word === t.normal;
  } else if (own === "fastOr" || own === "fastOr,pos") {
    const set = r.fastOr!;
    const pos = r.pos;
    test = (t) => (!pos || t.tags.has(pos)) && (set.has(t.root || t.implicit || t.machine || t.normal) || set.has(t.text));
  } else if (own === "switch") {
    const value = r.switch!;
    test = (t) => t.switch === value;
  }
  if (test === null)
    return strict ? (t, i, length) => wrapMatch(t, reg, i, length) === true : (t, i, length) => Boolean(wrapMatch(t, reg, i, length));
  const decide = test;
  if (start || end) return (t, i, length) => (!start || i === 0) && (!end || i === length - 1) && decide(t);
  return (t) => decide(t);
}

/**
 * A test that is false where compromise's or/and block (its tryChoices / doAndBlock) cannot match at
 * term i, from each choice's first reg alone: "or" needs one choice whose first reg the term matches
 * (strictly true, as tryChoice asks), "and" needs every non-empty choice's first reg to match
 * (truthy, as doAndBlock asks) and one such choice. True means only "try it".
 */
function blockTester(block: Reg): Tester {
  const choices = block.choices!.filter((c) => Array.isArray(c) && c.length > 0);
  if (block.operator === "or") {
    const tests = choices.map((c) => testerOf(c[0]!, true));
    return (t, i, length) => {
      for (const test of tests) if (test(t, i, length)) return true;
      return false;
    };
  }
  const tests = choices.map((c) => testerOf(c[0]!, false));
  if (tests.length === 0) return () => false;
  return (t, i, length) => {
    for (const test of tests) if (!test(t, i, length)) return false;
    return true;
  };
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
  lastNet = net;
  const index = indexOf(net);
  if (index === null) return stockBulkMatch(document, net, methods, opts);
  // Our matcher is compromise's runMatch with a shortcut; if a plugin has replaced runMatch, run theirs.
  const ownMatch = methods.one.match === stockRunMatch;
  const docCache = methods.one.cacheDoc(document);
  const results: unknown[] = [];
  const { keyIds, anchored, rules, stamp, present } = index;
  const had: number[] = [];
  for (let n = 0; n < document.length; n++) {
    const haves = docCache[n]!;
    index.generation = (index.generation + 1) >>> 0;
    if (index.generation === 0) {
      stamp.fill(0);
      present.fill(0);
      index.generation = 1;
    }
    const generation = index.generation;
    // The sentence's keys that any rule knows; a key no rule mentions selects nothing.
    had.length = 0;
    for (const k of haves) {
      const key = keyIds.get(k);
      if (key === undefined) continue;
      present[key] = generation;
      had.push(key);
    }
    const kept: [number, Compiled][] = [];
    for (let h = 0; h < had.length; h++) {
      const ids = anchored[had[h]!];
      if (ids === undefined) continue;
      for (let a = 0; a < ids.length; a++) {
        const id = ids[a]!;
        if (stamp[id] === generation) continue;
        stamp[id] = generation;
        const compiled = rules[id]!;
        const { keyNums, needNums, wantNums, ifNoNums, ranks } = compiled;
        let ok = true;
        for (let i = 0; i < needNums.length && ok; i++) ok = present[needNums[i]!] === generation;
        if (!ok) continue;
        for (let i = 0; i < ifNoNums.length && ok; i++) ok = present[ifNoNums[i]!] !== generation;
        if (!ok) continue;
        if (wantNums.length > 0) {
          // Stock counts every want present; at least minWant is all it asks, so stop there.
          const minWant = compiled.rule.minWant;
          let found = 0;
          for (let i = 0; i < wantNums.length && found < minWant; i++) if (present[wantNums[i]!] === generation) found++;
          if (found < minWant) continue;
        }
        // Where stock meets it first: the first of its keys (in index order) that the sentence has.
        let rank = -1;
        for (let i = 0; i < keyNums.length; i++) {
          if (present[keyNums[i]!] === generation) {
            rank = ranks[i]!;
            break;
          }
        }
        kept.push([rank, compiled]);
      }
    }
    kept.sort((a, b) => a[0] - b[0]);
    const todo = kept.map(([, c]) => c);
    for (const c of index.always) todo.push(c);
    const terms = document[n]! as Term[];
    const termCount = terms.length;
    const positions = new Map<string, number[]>();
    const tails: Term[][] = [];
    for (const c of todo) {
      const { rule } = c;
      if (termCount < rule.minWords) continue;
      const res = ownMatch ? matchRule(terms, c, positions, tails) : methods.one.match([terms], rule);
      if (res.ptrs.length === 0) continue;
      for (const ptr of res.ptrs) {
        ptr[0] = n;
        const found: MatchRule & { pointer: unknown[] } = Object.assign({}, rule, { pointer: ptr });
        if (rule.unTag !== undefined) found.unTag = rule.unTag;
        results.push(found);
      }
      if (opts.matchOne === true) return [results[0]];
    }
  }
  return results;
}

/**
 * compromise's runMatch (src/1-one/match/methods/match/index.js) on one
 * sentence, same result. Stock tries the rule at every start position: copies
 * the rest of the sentence and runs its matcher (fromHere), which, for a
 * first token that is a plain word, tag or method test, dies at once when
 * that token does not match the term there. Here that test (compromise's own
 * term matcher, pure) runs first, and the copy and the matcher only where it
 * passes; so, for an or/and block first ("(had|have|#PastTense)"), do its
 * choices' first tokens, and, after a first token that takes exactly one term,
 * the second token on the next term ({@link mayStart}): counted over op-spam,
 * the matcher ran 1.04 million times before these tests and 0.27 million after
 * the first two (fewer since), nearly all of the dropped runs dying in it at
 * once. A first token of another kind (optional, negative, greedy to the end,
 * anything) is tried everywhere as stock does. The copy of
 * the sentence from a position on is made once per sentence and shared by
 * every rule tried there (`tails`): compromise's matcher only reads it, and
 * stock's copy per rule and position was ~13% of the parse with its GC.
 */
function matchRule(terms: Term[], c: Compiled, positions: Map<string, number[]>, tails: Term[][]): { ptrs: unknown[][] } {
  const { rule, minLength, firstKey, second } = c;
  const { regs, anchoredStart, anchoredEnd } = c;
  if (regs.length === 0) return NO_MATCH;
  const { justOne } = rule;
  let results: Found[] = [];
  const length = terms.length;
  if (anchoredStart) {
    if (mayStart(c, terms, 0, length)) {
      const res = fromHere(terms, regs, 0, length);
      if (res) results.push(addSentence(res));
    }
  } else if (firstKey !== null) {
    // The same attempts as the loop below, at the terms the first reg matches only.
    let next = 0;
    for (const i of positionsOf(terms, firstKey, positions)) {
      if (length - i < minLength) break;
      if (i < next) continue;
      if (second !== null && !secondMayMatch(second, terms, i, length)) continue;
      const res = fromHere((tails[i] ??= terms.slice(i)), regs, i, length);
      if (res) {
        results.push(addSentence(res));
        if (justOne === true) break;
        next = Math.max(i, Math.abs((res.pointer[2] as number) - 1)) + 1;
      }
    }
  } else {
    for (let i = 0; i < length; i += 1) {
      if (length - i < minLength) break;
      if (!mayStart(c, terms, i, length)) continue;
      const res = fromHere((tails[i] ??= terms.slice(i)), regs, i, length);
      if (res) {
        results.push(addSentence(res));
        if (justOne === true) break;
        // Skip ahead, over this result (stock's arithmetic).
        const end = res.pointer[2] as number;
        if (Math.abs(end - 1) > i) i = Math.abs(end - 1);
      }
    }
  }
  // Nothing found is nothing kept (getGroup and notIf of no results are none), and the common case.
  if (results.length === 0) return NO_MATCH;
  if (anchoredEnd) results = results.filter((res) => length === res.pointer[2]);
  if (rule.notIf) results = notIf(results, rule.notIf, [terms]);
  const out = getGroup(results, rule.group);
  for (const ptr of out.ptrs) {
    const [, start, end] = ptr as number[];
    ptr[3] = terms[start!]!.id;
    ptr[4] = terms[end! - 1]!.id;
  }
  return out;
}

/** False when the rule's first reg (not found by key) or its second cannot match from term i on; true means "try it". */
function mayStart(c: Compiled, terms: Term[], i: number, length: number): boolean {
  const { firstTest, firstBlock, second } = c;
  if (i >= length) return true;
  if (firstTest !== null && !firstTest(terms[i]!, i, length)) return false;
  if (firstBlock !== null && !firstBlock(terms[i]!, i, length)) return false;
  return second === null || secondMayMatch(second, terms, i, length);
}

/**
 * Whether the second reg can match after a first reg that matched term i alone: simpleMatch moves
 * past that term, and past the next one too when both are a contraction's (term.implicit); then
 * the second reg's term is not known here and the answer is "try it".
 */
function secondMayMatch(second: Tester, terms: Term[], i: number, length: number): boolean {
  if (terms[i]!.implicit) return true;
  return i + 1 < length && second(terms[i + 1]!, i + 1, length);
}

/** matchRule's answer when the rule matched nowhere (read only: bulkMatch skips it). */
const NO_MATCH: { ptrs: unknown[][] } = Object.freeze({ ptrs: Object.freeze([]) as unknown as unknown[][] });

/** Ascending indexes of the sentence's terms that a plain tag ("#Noun") or word ("=the") reg matches, as compromise's doesMatch decides; memoised per sentence (its tags do not change during a sweep). */
function positionsOf(terms: Term[], key: string, memo: Map<string, number[]>): number[] {
  let out = memo.get(key);
  if (out !== undefined) return out;
  out = [];
  const value = key.slice(1);
  if (key[0] === "#") {
    for (let i = 0; i < terms.length; i++) if (terms[i]!.tags.has(value)) out.push(i);
  } else {
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      if (
        (t.machine !== null && t.machine === value) ||
        t.alias?.some((a) => a === value) === true ||
        value === t.text ||
        value === t.normal
      )
        out.push(i);
    }
  }
  memo.set(key, out);
  return out;
}

/** Stock's addSentence for sentence 0 (bulkMatch sets the real index on the pointer). */
function addSentence(res: Found): Found {
  res.pointer[0] = 0;
  for (const k of Object.keys(res.groups)) res.groups[k]![0] = 0;
  return res;
}

const nlp = nlpBuild as typeof nlpTwo;
const world = nlp.world() as unknown as { methods: Methods };
/** compromise's runMatch as loaded; {@link matchRule} stands in for it unless a plugin replaces it later. */
const stockRunMatch: unknown = world.methods.one.match;
const stockBulkMatch = world.methods.one.bulkMatch;
world.methods.one.bulkMatch = bulkMatch;

type KillUnicode = (str: string, world: { model: { one: { unicode?: Record<string, string> } } }) => string;
const stockKillUnicode = (world.methods.one as unknown as { killUnicode: KillUnicode }).killUnicode;
/** Per unicode map: a test for the characters it changes; null when a key is not one UTF-16 unit (then stock runs). */
const changers = new WeakMap<object, RegExp | null>();
/**
 * compromise's killUnicode (src/1-one/tokenize/methods/unicode.js: every UTF-16 unit its map
 * knows replaced, via split and join), same result: a word with no unit the map changes comes
 * back as it was without the split, the per-unit closure and the join (~1.5 % of an English
 * analysis: it runs on every term's normal form, and review words are nearly all plain ASCII).
 */
function killUnicode(str: string, w: Parameters<KillUnicode>[1]): string {
  const map = w.model.one.unicode;
  if (!str || map === undefined) return stockKillUnicode(str, w);
  let test = changers.get(map);
  if (test === undefined) {
    const keys = Object.keys(map);
    const changing = keys.filter((k) => map[k] && map[k] !== k);
    test = keys.every((k) => k.length === 1)
      ? new RegExp(`[${changing.map((k) => `\\u${k.charCodeAt(0).toString(16).padStart(4, "0")}`).join("")}]`)
      : null;
    changers.set(map, test);
  }
  return test !== null && !test.test(str) ? str : stockKillUnicode(str, w);
}
(world.methods.one as unknown as { killUnicode: KillUnicode }).killUnicode = killUnicode;

type TagWorld = { model: { one: { tagSet?: Record<string, { not?: string[]; parents?: string[] } | undefined> } } };
type SetTag = (terms: Term[], tag: unknown, world: TagWorld, isSafe?: boolean, reason?: string) => void;
const stockSetTag = (world.methods.one as unknown as { setTag: SetTag }).setTag;
/** Per tag string: whether setTag uses it as it is (not empty, no edge whitespace, no space, no "#"). */
const plainTags = new Map<string, boolean>();
const host = globalThis as { process?: { env?: Record<string, string | undefined> }; self?: { env?: Record<string, string | undefined> } };
/**
 * compromise's setTag (src/1-one/tag/methods/setTag.js), same tags. Stock checks the tag's type,
 * trims it, tests it for a space and strips a "#" with regular expressions on every call, ~300
 * calls a review, nearly all with a plain tag ("Noun"); such a tag goes straight to tagTerm
 * (compromise's, below), anything else (a list, "#Noun", "Noun . Verb", DEBUG_TAGS set for its
 * log) to stock's.
 */
function setTag(terms: Term[], tag: unknown, w: TagWorld, isSafe?: boolean, reason?: string): void {
  if (typeof tag === "string") {
    let plain = plainTags.get(tag);
    if (plain === undefined) {
      plain = tag !== "" && tag.trim() === tag && !tag.includes(" ") && !tag.startsWith("#");
      plainTags.set(tag, plain);
    }
    const env = host.process?.env ? host.process.env : (host.self?.env ?? {});
    if (plain && !env.DEBUG_TAGS) {
      const tagSet = w.model.one.tagSet || {};
      for (let i = 0; i < terms.length; i += 1) tagTerm(terms[i]!, tag, tagSet, isSafe);
      return;
    }
  }
  stockSetTag(terms, tag, w, isSafe, reason);
}

/** compromise's tagTerm and addChunk (setTag.js, not exported), as they are. */
function tagTerm(
  term: Term & { frozen?: boolean; dirty?: boolean; chunk?: string },
  tag: string,
  tagSet: NonNullable<TagWorld["model"]["one"]["tagSet"]>,
  isSafe: boolean | undefined,
): boolean | null {
  if (term.tags.has(tag) === true) return null;
  if (tag === ".") return null;
  let safe = isSafe;
  if (term.frozen === true) safe = true;
  const known = tagSet[tag];
  if (known) {
    if (known.not && known.not.length > 0) {
      for (let o = 0; o < known.not.length; o += 1) {
        if (safe === true && term.tags.has(known.not[o]!)) return null;
        term.tags.delete(known.not[o]!);
      }
    }
    if (known.parents && known.parents.length > 0) {
      for (let o = 0; o < known.parents.length; o += 1) {
        term.tags.add(known.parents[o]!);
        addChunk(term, known.parents[o]!);
      }
    }
  }
  term.tags.add(tag);
  term.dirty = true;
  addChunk(term, tag);
  return true;
}
function addChunk(term: { chunk?: string }, tag: string): void {
  if (tag === "Noun" || tag === "Verb") term.chunk = tag;
}
(world.methods.one as unknown as { setTag: SetTag }).setTag = setTag;

type IsSentence = (str: string, abbreviations: Record<string, unknown>) => boolean;
const tokenizer = world.methods.one as unknown as { tokenize: { isSentence: IsSentence } };
const stockIsSentence = tokenizer.tokenize.isSentence;
const longestAbbreviation = new WeakMap<object, number>();
/**
 * compromise's isSentence (src/1-one/tokenize/methods/01-sentences/is-sentence.js), same answer.
 * Its sentence splitter asks it about a chunk and, while the answer is no, about the chunk joined
 * to the next ("Mr. Dr. etc. ..."), and stock splits the whole string into words each time to read
 * the last: quadratic in a text whose full stops end no sentence (~190 ms of 10 000 characters,
 * four times that of 20 000). After its test for a letter anywhere, every test reads the end of the
 * string (an acronym, "...", the last word against the abbreviations, a full stop): its last
 * characters, longer than any abbreviation, after the trailing spaces give the same answer.
 */
function isSentence(str: string, abbreviations: Record<string, unknown>): boolean {
  if (str.length <= 256) return stockIsSentence(str, abbreviations);
  let longest = longestAbbreviation.get(abbreviations);
  if (longest === undefined) {
    longest = Math.max(0, ...Object.keys(abbreviations).map((k) => k.length));
    longestAbbreviation.set(abbreviations, longest);
  }
  if (!/\p{L}/u.test(str)) return false;
  let end = str.length;
  while (end > 0 && str.charCodeAt(end - 1) === 32) end--;
  const window = Math.max(16, longest + 8);
  if (end <= window) return stockIsSentence(str, abbreviations);
  // "a " keeps the letter test true; a last word that reaches past the window is longer than any abbreviation, as before.
  return stockIsSentence(`a ${str.slice(end - window)}`, abbreviations);
}
tokenizer.tokenize.isSentence = isSentence;
const ViewClass = (nlp("") as unknown as { constructor: new (document: Doc) => View }).constructor;

/** The parts of compromise's View and world that its postTagger uses. */
interface TaggerView {
  world: unknown;
  methods: Methods & {
    one: { bulkTagger(found: unknown[], docs: Doc, world: unknown): void };
    two: { quickSplit(docs: Doc): Term[][] };
  };
  docs: Doc;
  update(ptrs: number[][]): TaggerView;
  uncache(): TaggerView;
  unfreeze(): TaggerView;
}
const computes = (world as unknown as { compute: Record<string, (view: TaggerView) => unknown> }).compute;
const stockPostTagger = computes.postTagger!;
let postNet: Net | null = null;
/**
 * compromise's postTagger hook (src/2-two/postTagger/compute/index.js), same tags. Stock calls
 * `view.sweep(net)`, which after tagging turns every match into a View of its own (and deletes
 * fields of each, making them slow dictionaries) for a result the postTagger throws away:
 * ~2.5 % of an English analysis. Here the sweep's two steps that tag, bulkMatch and bulkTagger,
 * run alone, on the same comma-split sentences and with the same rule net.
 */
function postTagger(view: TaggerView): TaggerView {
  if (postNet === null) {
    // The first time, stock's: it builds the net, which bulkMatch then keeps (buildNet parses the rules in place,
    // so it cannot be built a second time here, and stock's own is kept private).
    stockPostTagger(view);
    postNet = lastNet;
    return view;
  }
  const { methods } = view;
  const ptrs = methods.two.quickSplit(view.docs).map((terms) => {
    const t = terms[0]! as Term & { index: number[] };
    return [t.index[0]!, t.index[1]!, t.index[1]! + terms.length];
  });
  const m = view.update(ptrs);
  const docs = m.docs;
  methods.one.bulkTagger(methods.one.bulkMatch(docs, postNet, m.methods), docs, m.world);
  view.uncache();
  view.unfreeze();
  return view;
}
computes.postTagger = postTagger;

/** HOOKS less the root: a term's root depends on that term alone (its tags and words), so it can come later. */
const TAG_HOOKS = HOOKS.filter((h) => h !== "root");
/** compromise's root compute (src/2-two/preTagger/compute/root.js): reads only the view's world and docs. */
const computeRoot = (world as unknown as { compute: { root(view: { world: unknown; docs: ParsedTerm[][] }): void } }).compute.root;

/**
 * The text's sentences as compromise tags them, each term with its root; with `roots: false`
 * without them (the root hook, ~3 % of an English analysis, then runs for the terms
 * {@link rootOf} is asked about only).
 */
export function parseEnglish(text: string, { roots = true }: { roots?: boolean } = {}): ParsedTerm[][] {
  if (!text) return [];
  const document = world.methods.one.tokenize.fromString(text, world) as unknown[][];
  const view = new ViewClass(document.some((s) => s.length > MAX_SENTENCE_WORDS) ? document.flatMap(pieces) : document);
  return view.compute(roots ? HOOKS : TAG_HOOKS).docs;
}

/**
 * The longest sentence compromise tags as one. Its tagging costs about the square of a sentence's
 * words (bench/worst-case.ts: 10 000 characters of "Mr. Dr. etc." or "don't it's", one sentence of
 * 2 300-3 500 words, took 250-330 ms, 20 000 characters three to four times that), and a review
 * without full stops is one sentence. The longest sentence in the research data has 201 words
 * (op-spam; Pang & Lee 132, Amazon 64): a longer one is tagged in pieces of this many, as if
 * compromise had split it there, and nothing shorter changes.
 */
const MAX_SENTENCE_WORDS = 500;

function pieces<T>(sentence: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < sentence.length; i += MAX_SENTENCE_WORDS) out.push(sentence.slice(i, i + MAX_SENTENCE_WORDS));
  return out;
}

/** A term's root as `parseEnglish` gives it (undefined when it is the normal form), for a term parsed without roots. */
export function rootOf(term: ParsedTerm): string | undefined {
  computeRoot({ world, docs: [[term]] });
  return term.root;
}

/**
 * The stock parse (compromise's own rule selection, all of `nlp`'s hooks, a sentence of any length
 * in one piece): for the equivalence test and the cost bench only.
 */
export function parseEnglishStock(text: string): ParsedTerm[][] {
  world.methods.one.bulkMatch = stockBulkMatch;
  computes.postTagger = stockPostTagger;
  (world.methods.one as unknown as { killUnicode: KillUnicode }).killUnicode = stockKillUnicode;
  (world.methods.one as unknown as { setTag: SetTag }).setTag = stockSetTag;
  tokenizer.tokenize.isSentence = stockIsSentence;
  try {
    const doc = nlp(text) as unknown as View;
    doc.compute(["root"]);
    return doc.docs;
  } finally {
    world.methods.one.bulkMatch = bulkMatch;
    computes.postTagger = postTagger;
    (world.methods.one as unknown as { killUnicode: KillUnicode }).killUnicode = killUnicode;
    (world.methods.one as unknown as { setTag: SetTag }).setTag = setTag;
    tokenizer.tokenize.isSentence = isSentence;
  }
}
