/**
 * Words that say a thing failed (broke, tore, stopped working), in English and
 * German: what lets one complaint about an aspect never mentioned before open
 * an emerging topic (emerging.ts). Written from general usage for clothing,
 * shoes and small goods, not from the benchmark's injected reviews; a mood
 * ("disappointed", "junk") or a misfit ("too small") is not a failure.
 */

const EN_WORDS = [
  "broke",
  "broken",
  "breaks",
  "ripped",
  "rips",
  "tore",
  "torn",
  "snapped",
  "cracked",
  "busted",
  "defective",
  "faulty",
  "frayed",
  "fraying",
  "unraveled",
  "unravelled",
  "unraveling",
  "detached",
  "disintegrated",
  "shredded",
];
/** Phrases as consecutive words. */
const EN_PHRASES = [
  "fell apart",
  "falls apart",
  "falling apart",
  "came apart",
  "coming apart",
  "came off",
  "comes off",
  "coming off",
  "fell off",
  "falls off",
  "came undone",
  "stopped working",
  "quit working",
  "gave out",
  "wore through",
];
/** German forms, lower case; "ss" stands for ß too (text is folded before matching). */
const DE_WORDS = [
  "kaputt",
  "defekt",
  "gerissen",
  "abgerissen",
  "eingerissen",
  "aufgerissen",
  "ausgerissen",
  "zerrissen",
  "abgefallen",
  "abgebrochen",
  "gebrochen",
  "zerbrochen",
  "aufgeplatzt",
  "geplatzt",
  "ausgefranst",
  "aufgelöst",
  "abgelöst",
];
const DE_PHRASES = ["löst sich", "lösen sich", "funktioniert nicht mehr"];

const WORDS = new Set([...EN_WORDS, ...DE_WORDS].map(fold));
const PHRASES = [...EN_PHRASES, ...DE_PHRASES].map((p) => p.split(" ").map(fold));

function fold(w: string): string {
  return w.toLowerCase().replace(/ß/g, "ss");
}

/** True when the text says something failed: a failure word, or a failure phrase as consecutive words. */
export function describesFailure(text: string): boolean {
  const words = fold(text).match(/[\p{L}\p{N}]+/gu) ?? [];
  for (let i = 0; i < words.length; i++) {
    if (WORDS.has(words[i]!)) return true;
    for (const p of PHRASES) {
      // "came off as cheap" says how it seemed, not that something came off.
      if (p.every((w, j) => words[i + j] === w) && !(p[p.length - 1] === "off" && words[i + p.length] === "as")) return true;
    }
  }
  return false;
}
