/** The widgets' words, in English and German. `{name}` marks a value. */
import type { Provenance } from "../types.js";

export type Lang = "en" | "de";

const en = {
  outOf: "{value} out of 5",
  ratings: "{count} ratings",
  oneRating: "1 rating",
  noRatings: "No ratings yet",
  period: "{from} – {to}",
  how: "How is this rating computed?",
  bayes:
    "This is a Bayesian average, not a plain average: the shop's typical rating ({priorMean} stars, from {priorCount} reviews of its products) counts as {strength} extra reviews, so a handful of reviews cannot produce an extreme score. The plain average of the {count} ratings is {plainMean}; the true rating lies between {low} and {high} with 95 % probability.",
  fullWeight: "All {count} published reviews count fully: the fraud checks found nothing to discount.",
  discounted:
    "{discounted} of the {count} published reviews count less, because fraud checks found them suspicious (each in proportion to its trust; none is deleted). Main reasons: {reasons}.",
  notCounted: "Reviews waiting for the shop's approval, rejected by the shop, or held back by fraud checks are not counted.",
  disclosure: "How this shop collects, checks and moderates reviews",
  checks:
    "How reviews are checked: each review is labelled with how it reached the shop. Only “Verified purchase” reviews are tied to an order (written through a single-use invitation). Other reviews are published without a purchase check.",
  reviews: "Reviews",
  allStars: "All",
  starsFilter: "{stars} stars",
  oneStar: "1 star",
  more: "Show more reviews",
  none: "No reviews match.",
  by: "by {name}",
  unavailable: "Reviews are unavailable right now.",
  formTitle: "Write a review",
  reply: "Reply from the shop",
  questions: "Questions and answers",
  oneAnswer: "1 answer",
  answers: "{count} answers",
  noAnswers: "No answers yet.",
  noQuestions: "No questions yet. Ask the first one.",
  moreQuestions: "Show more questions",
  asked: "asked by {name} on {date}",
  answered: "{name} on {date}",
  shopAnswer: "Answer from the shop",
  verifiedBuyer: "Verified buyer",
  customer: "Customer",
  inReviews: "Reviews that may answer this",
  helpful: "Helpful",
  notHelpful: "Not helpful",
  helpfulCount: "{helpful} found this helpful, {notHelpful} did not",
  voted: "Thank you for your vote.",
  alreadyVoted: "You have already voted on this.",
  voteFailed: "Your vote could not be saved.",
  askTitle: "Ask a question",
  askQuestion: "Your question",
  askName: "Your name",
  askSubmit: "Send question",
  asking: "Sending…",
  askedOk: "Thank you! Your question was sent.",
  askedPending: "Thank you! Your question will show once the shop has checked it.",
  askFailed: "Your question could not be sent: {reason}",
  required: "Please fill in this field.",
  VERIFIED_PURCHASE: "Verified purchase",
  INVITED: "Invited by the shop (purchase not checked)",
  ORGANIC: "Not verified",
  IMPORTED: "Imported from another platform",
  insightsTitle: "What customers say",
  insightsPros: "Pros",
  insightsCons: "Cons",
  insightPro: "{term}: praised in {count} of {mentions} reviews that mention it",
  insightCon: "{term}: criticised in {count} of {mentions} reviews that mention it",
  insightQuotes: "What reviews say about {term}",
  insightsNone: "Not enough reviews yet to say what customers like or dislike.",
  insightsNote: "From the published reviews of the last 90 days, analysed automatically.",
  aspectOne: "Showing 1 review that mentions “{term}”",
  aspectMany: "Showing {count} reviews that mention “{term}”",
  showAll: "Show all reviews",
};

const de: typeof en = {
  outOf: "{value} von 5",
  ratings: "{count} Bewertungen",
  oneRating: "1 Bewertung",
  noRatings: "Noch keine Bewertungen",
  period: "{from} – {to}",
  how: "Wie wird diese Bewertung berechnet?",
  bayes:
    "Dies ist ein bayesscher Durchschnitt, kein einfacher Mittelwert: Die typische Bewertung des Shops ({priorMean} Sterne, aus {priorCount} Bewertungen seiner Produkte) zählt wie {strength} zusätzliche Bewertungen, damit wenige Bewertungen keinen extremen Wert ergeben. Der einfache Mittelwert der {count} Bewertungen ist {plainMean}; der wahre Wert liegt mit 95 % Wahrscheinlichkeit zwischen {low} und {high}.",
  fullWeight: "Alle {count} veröffentlichten Bewertungen zählen voll: die Betrugsprüfung fand nichts abzuwerten.",
  discounted:
    "{discounted} der {count} veröffentlichten Bewertungen zählen weniger, weil die Betrugsprüfung sie verdächtig fand (jede im Verhältnis zu ihrer Vertrauenswürdigkeit; keine wird gelöscht). Hauptgründe: {reasons}.",
  notCounted: "Bewertungen, die auf Freigabe warten, vom Shop abgelehnt oder von Betrugsprüfungen zurückgehalten wurden, zählen nicht.",
  disclosure: "Wie dieser Shop Bewertungen sammelt, prüft und moderiert",
  checks:
    "Wie Bewertungen geprüft werden: Jede Bewertung ist damit gekennzeichnet, wie sie zum Shop kam. Nur „Verifizierter Kauf“ ist an eine Bestellung gebunden (geschrieben über eine einmalige Einladung). Andere Bewertungen werden ohne Kaufprüfung veröffentlicht.",
  reviews: "Bewertungen",
  allStars: "Alle",
  starsFilter: "{stars} Sterne",
  oneStar: "1 Stern",
  more: "Weitere Bewertungen",
  none: "Keine passenden Bewertungen.",
  by: "von {name}",
  unavailable: "Bewertungen sind gerade nicht verfügbar.",
  formTitle: "Bewertung schreiben",
  reply: "Antwort des Shops",
  questions: "Fragen und Antworten",
  oneAnswer: "1 Antwort",
  answers: "{count} Antworten",
  noAnswers: "Noch keine Antworten.",
  noQuestions: "Noch keine Fragen. Stellen Sie die erste.",
  moreQuestions: "Weitere Fragen",
  asked: "gefragt von {name} am {date}",
  answered: "{name} am {date}",
  shopAnswer: "Antwort des Shops",
  verifiedBuyer: "Verifizierter Käufer",
  customer: "Kunde",
  inReviews: "Bewertungen, die das beantworten könnten",
  helpful: "Hilfreich",
  notHelpful: "Nicht hilfreich",
  helpfulCount: "{helpful} fanden das hilfreich, {notHelpful} nicht",
  voted: "Danke für Ihre Stimme.",
  alreadyVoted: "Sie haben hier schon abgestimmt.",
  voteFailed: "Ihre Stimme konnte nicht gespeichert werden.",
  askTitle: "Frage stellen",
  askQuestion: "Ihre Frage",
  askName: "Ihr Name",
  askSubmit: "Frage senden",
  asking: "Wird gesendet…",
  askedOk: "Danke! Ihre Frage wurde gesendet.",
  askedPending: "Danke! Ihre Frage erscheint, sobald der Shop sie geprüft hat.",
  askFailed: "Ihre Frage konnte nicht gesendet werden: {reason}",
  required: "Bitte füllen Sie dieses Feld aus.",
  VERIFIED_PURCHASE: "Verifizierter Kauf",
  INVITED: "Vom Shop eingeladen (Kauf nicht geprüft)",
  ORGANIC: "Nicht verifiziert",
  IMPORTED: "Von einer anderen Plattform importiert",
  insightsTitle: "Das sagen Kundinnen und Kunden",
  insightsPros: "Pluspunkte",
  insightsCons: "Kritikpunkte",
  insightPro: "{term}: gelobt in {count} von {mentions} Bewertungen, die es erwähnen",
  insightCon: "{term}: kritisiert in {count} von {mentions} Bewertungen, die es erwähnen",
  insightQuotes: "Was Bewertungen über {term} sagen",
  insightsNone: "Noch zu wenige Bewertungen, um zu sagen, was Kunden mögen oder bemängeln.",
  insightsNote: "Aus den veröffentlichten Bewertungen der letzten 90 Tage, automatisch ausgewertet.",
  aspectOne: "1 Bewertung, die „{term}“ erwähnt",
  aspectMany: "{count} Bewertungen, die „{term}“ erwähnen",
  showAll: "Alle Bewertungen zeigen",
};

export type MessageKey = keyof typeof en | Provenance;

/**
 * German words for the API's discount reason codes; English comes from the
 * API's own `description`, and an unknown code falls back to it too.
 */
const REASONS_DE: Record<string, string> = {
  first_time_reviewer: "erste Bewertung der Person",
  reviewer_history: "bisherige Bewertungen der Person",
  history_pattern: "Vorgeschichte der Person wirkt wie eine Kampagne",
  flagged_history: "frühere Bewertungen der Person wurden markiert",
  campaign: "Teil einer langsamen Kampagne von Bewertungen",
  co_review: "eine Gruppe von Konten, die dieselben Produkte gemeinsam bewerten",
  reviewer_daily_volume: "viele Bewertungen einer Person an einem Tag",
  extreme_rating: "extreme Bewertung von einer Person mit wenig Vorgeschichte",
  rating_deviation: "weit weg vom Urteil der anderen",
  burst: "Teil einer plötzlichen Häufung von Bewertungen",
  duplicate_text: "von einer anderen Person kopierter Text",
  verified_purchase: "Kauf nicht verifiziert",
  reviewer_total: "Gesamtaktivität der Person",
  early_review: "unter den frühesten Bewertungen des Produkts",
  reviewer_surprise: "ungewöhnliches Bewertungsmuster der Person",
  other: "andere Signale",
};

export function reasonWords(lang: Lang, reason: { code: string; description: string }): string {
  return (lang === "de" && REASONS_DE[reason.code]) || reason.description;
}

/** The message in `lang`, with `{name}` replaced by `values.name` (already formatted; not escaped here). */
export function t(lang: Lang, key: MessageKey, values: Record<string, string | number> = {}): string {
  return (lang === "de" ? de : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ""));
}

export function pickLang(value: string | null | undefined): Lang {
  return value?.toLowerCase().startsWith("de") ? "de" : "en";
}

export function formatNumber(lang: Lang, value: number, digits = 1): string {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits }).format(value);
}

export function formatMonth(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(lang, { month: "short", year: "numeric", timeZone: "UTC" }).format(new Date(iso));
}

export function formatDate(lang: Lang, iso: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(iso));
}
