/**
 * Language detection with ELD (Efficient Language Detector, Apache-2.0), its
 * "small" database. Measured against tinyld and franc on English reviews from
 * the research data and our German set (bench/language.ts; README): the most
 * accurate of the three on both languages and among the fastest.
 */
import { eld } from "eld/small";

export type Language = "en" | "de" | "und";

/** Below this many letters a guess is noise ("ok", "Top!"). */
const MIN_LETTERS = 8;

export function detectLanguage(text: string): Language {
  let letters = 0;
  for (const ch of text) if (/\p{L}/u.test(ch) && ++letters >= MIN_LETTERS) break;
  if (letters < MIN_LETTERS) return "und";
  const code = eld.detect(text).language;
  return code === "en" || code === "de" ? code : "und";
}
