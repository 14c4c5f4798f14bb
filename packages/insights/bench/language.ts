/**
 * Language detection: ELD (the one we ship) against tinyld and franc, on
 * English reviews (op-spam and Amazon Fashion, distinct texts; the Amazon
 * set has a few Spanish one-liners, counted as errors for everyone) and our
 * German set, plus a handful of other-language sentences that must come out
 * "und". Accuracy per class and microseconds per text, in one run.
 *
 *   npx tsx packages/insights/bench/language.ts
 */
import { eld as eldLarge } from "eld/large";
import { franc } from "franc";
import { detect as tinyld } from "tinyld";
import { detectLanguage } from "../src/index.js";
import { hasData, loadAmazonRows, loadGermanSet, loadOpSpam } from "./data.js";

const OTHER = [
  "La fermeture éclair s'est cassée après deux semaines, très déçue.",
  "Muy cómodos y el envío fue rápido, los recomiendo.",
  "De rits ging na een week kapot, erg jammer.",
  "La qualità del tessuto è ottima e la taglia è giusta.",
  "O tamanho ficou pequeno, mas a cor é linda.",
  "Blixtlåset gick sönder efter en vecka.",
  "Suwak zepsuł się po tygodniu, nie polecam.",
  "Vetoketju hajosi viikossa, todella huono laatu.",
  "Fermuar bir hafta sonra bozuldu, hiç memnun değilim.",
  "Lynlåsen gik i stykker efter en uge, meget skuffende.",
];

type Detector = (text: string) => string;
const toLang = (code: string): "en" | "de" | "und" =>
  code === "en" || code === "eng" ? "en" : code === "de" || code === "deu" ? "de" : "und";

export function languageTable(): string[] {
  const english = hasData()
    ? [...new Set([...loadOpSpam().map((r) => r.text), ...loadAmazonRows().map((r) => r.text)].filter((t) => t.trim()))]
    : [];
  const sets: [string, string[], "en" | "de" | "und"][] = [
    ["English", english, "en"],
    ["German", loadGermanSet().map((r) => r.text), "de"],
    ["other", OTHER, "und"],
  ];
  const detectors: [string, Detector][] = [
    ["ELD small (shipped, via detectLanguage)", detectLanguage],
    ["ELD large", (t) => eldLarge.detect(t).language],
    ["tinyld", (t) => tinyld(t)],
    ["franc (all languages)", (t) => franc(t, { minLength: 3 })],
  ];
  const lines = [
    `| detector | ${sets.map(([n, r]) => `${n} (${r.length})`).join(" | ")} | µs per text |`,
    `|---|${sets.map(() => "---|").join("")}---|`,
  ];
  for (const [name, detect] of detectors) {
    for (const [, texts] of sets) for (const t of texts.slice(0, 20)) detect(t); // warm up
    let n = 0;
    const t0 = performance.now();
    const cells = sets.map(([, texts, want]) => {
      let ok = 0;
      for (const t of texts) {
        n++;
        if (toLang(detect(t)) === want) ok++;
      }
      return texts.length ? (ok / texts.length).toFixed(3) : "-";
    });
    lines.push(`| ${name} | ${cells.join(" | ")} | ${(((performance.now() - t0) / n) * 1000).toFixed(0)} |`);
  }
  return lines;
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(languageTable().join("\n"));
