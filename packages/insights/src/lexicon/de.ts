/**
 * German polarity words, on VADER's scale (-4..4).
 *
 * Two sources. First a review vocabulary written for Starling (Apache-2.0,
 * like this package): the words German shoppers, travellers and readers use
 * ("lesenswert", "langatmig", "Zeitverschwendung"), with their common
 * inflections, since a stemmer does not unite "gefällt" and "gefallen". Second, as a fallback, the German lexicon shipped in
 * @nlpjs/lang-de (MIT): about 4 900 stemmed words with scores in [-1, 1],
 * broad but thin on review language (it lacks "enttäuscht" and "leider").
 * Lookups fold umlauts and ß (see foldGerman) so "Qualitaet" is "Qualität".
 */
import senticon from "@nlpjs/lang-de/src/sentiment/senticon_de.json" with { type: "json" };
import snowball from "snowball-stemmers";
import { foldGerman } from "../text.js";

const stemmer = snowball.newStemmer("german");
/** Snowball's German stem of a folded word. */
export function germanStem(word: string): string {
  return stemmer.stem(foldGerman(word));
}

const POSITIVE: Record<number, string> = {
  3.0: "perfekt hervorragend hervorragende hervorragender ausgezeichnet fantastisch phantastisch wunderbar wunderschön traumhaft genial großartig begeistert herrlich liebe liebe lieben beste bestens einwandfrei top-qualität meisterwerk meisterhaft",
  2.5: "super toll tolle toller tolles spitze klasse prima hochwertig empfehlenswert kaufempfehlung lecker beeindruckend optimal edel glücklich leistungsstark lesenswert lesenswerte lesenswertes fesselnd fesselnde packend packende mitreißend mitreissend lesespaß pflichtlektüre brillant grandios",
  2.0: "gut gute guter gutes gutem guten schön schöne schöner schönes hübsch bequem angenehm zufrieden empfehlen empfehle empfehlung gefällt gefallen freundlich hilfsbereit problemlos erstaunlich spannend kinderleicht schmeichelhaft elegant zuverlässig langlebig froh positiv preiswert lohnt lohnenswert durchdacht genießbar bestätigt kurzweilig unterhaltsam amüsant berührend ergreifend tiefgründig witzig humorvoll überzeugend",
  1.5: "sauber robust stabil stabile solide praktisch pünktlich reichhaltig geräumig rutschfest wasserdicht aufmerksam duftet günstig fair besser stylisch passend übersichtlich schnell schnelle schneller flott zügig standgehalten ideal gelungen",
  1.0: "funktioniert funktionieren passt passen wirkt weich warm kräftig leise klar hell zentral modisch flexibel stimmt stimmen sitzt danke wert gern gerne",
};
const NEGATIVE: Record<number, string> = {
  3.0: "miserabel katastrophe katastrophal schrecklich furchtbar grausam frechheit zumutung unbrauchbar abzocke betrug müll schrott mist",
  2.5: "schlecht schlechte schlechter schlechtes kaputt defekt enttäuscht enttäuschte enttäuschend enttäuschung mangelhaft dreckig zerbrochen durchgebrannt nutzlos wertlos hässlich verschwendung zeitverschwendung geldverschwendung stinkt gestank blödsinn quatsch unsinn schwachsinn",
  2.0: "schmutzig unfreundlich unhöflich beschädigt gerissen gebrochen undicht unverständlich frechheit durchgelegen langweilig unangenehm ausschlag verbrannt scharfkantig ärgerlich ärger fehlerhaft unbequem eingelaufen rostet nervig mängel abgefallen zerrissen überflüssig unlogisch unglaubwürdig öde belanglos banal seicht kitschig verworren peinlich dümmlich dämlich fehlkauf ermüdend nichtssagend schwülstig",
  1.5: "schade fehlt fehlen fehlten fehlte flackert fusselt löcher bitter tropft verzögert klemmen klemmt verblasst vorhersehbar dumpf papierstau schwach probleme problem zurückgeschickt reklamation reklamiert stürzt abstürzen ausgefallen verspätet falsch ungenau wackelig instabil zerkratzt verfärbt verbogen drückt scheuert kompliziert umständlich kratzt schief naja mittelmäßig mittelmäßige durchschnittlich langatmig langatmige zäh platt oberflächlich abklatsch klischeehaft",
  1.2: "leider billig kratzer loch teuer",
  1.0: "laut langsam ewig durchsichtig flach nass dünn rutscht mies",
  0.6: "heiß kalt skeptisch bedenken",
};

function build(): Map<string, number> {
  const m = new Map<string, number>();
  for (const [sign, table] of [[1, POSITIVE], [-1, NEGATIVE]] as const) {
    for (const [v, words] of Object.entries(table)) for (const w of words.split(/\s+/)) if (w) m.set(foldGerman(w), sign * Number(v));
  }
  return m;
}

/** Folded word -> valence, our vocabulary. */
const OWN = build();
/** Stem -> valence, our vocabulary: inflections we did not list ("bequemen"). */
const OWN_STEMS = new Map<string, number>();
for (const [w, v] of OWN) if (!OWN_STEMS.has(stemmer.stem(w))) OWN_STEMS.set(stemmer.stem(w), v);

/**
 * The @nlpjs list is stems of folded words. Its scores are small and noisy
 * near zero (0.004 for hundreds of words); below 0.1 a word carries no
 * polarity here. Scaled so its strongest words land where ours do.
 */
const SENTICON_FLOOR = 0.1;
const SENTICON_SCALE = 3;

/**
 * Stemming is most of a German lookup's cost and reviews repeat their words;
 * a bounded memo (emptied when full, so memory stays flat) keeps it cheap.
 */
const MEMO_LIMIT = 50_000;
const memo = new Map<string, number>();

/**
 * Words that fold into a polarity word but are another word: "schon"
 * (already) is not "schön", "druckt" (prints) is not "drückt", an "Ode" is
 * not "öde". Folding is for text typed without umlauts ("schoen" still is
 * "schön").
 */
const FOLD_COLLISIONS = new Set(["schon", "druckt", "drucken", "ode"]);
/**
 * Function words the @nlpjs list scores ("unter", "Ende", "einmal", "Fall",
 * "kurz", "sucht", "dank", "sorgen"): common in any retelling, no verdict.
 */
const SENTICON_STOP = new Set(["unter", "ende", "einmal", "fall", "kurz", "sucht", "dank", "sorgen"]);

/**
 * Whether a capitalised word inside a sentence (a noun) keeps its valence.
 * A noun in the broad fallback list is mostly what a text is about, not what
 * the reviewer thinks of it ("Krieg", "Tod", "Armut" in a retold plot; "Freude"
 * in a product's name): ours keep theirs ("Katastrophe", "Enttäuschung"),
 * except ours whose noun is another word ("Liebe" is not "ich liebe";
 * "Klasse", "Wert", "Gefallen", "Dank").
 */
const NOUN_READINGS = new Set(["liebe", "klasse", "klassen", "wert", "gefallen", "dank"]);
export function germanNounKeepsValence(lower: string): boolean {
  const folded = foldGerman(lower);
  // As listed, not by stem: a noun derived from one of our words is often another thing ("Überzeugung", "Flüssigkeit").
  return OWN.has(folded) && !NOUN_READINGS.has(folded);
}

/** A German word's valence, 0 when it carries none. */
export function germanValence(lower: string): number {
  let v = memo.get(lower);
  if (v === undefined) {
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(lower, (v = lookUp(lower)));
  }
  return v;
}

function lookUp(lower: string): number {
  if (FOLD_COLLISIONS.has(lower)) return 0;
  const folded = foldGerman(lower);
  const own = OWN.get(folded);
  if (own !== undefined) return own;
  const stem = stemmer.stem(folded);
  const ownStem = OWN_STEMS.get(stem);
  if (ownStem !== undefined) return ownStem;
  if (SENTICON_STOP.has(folded)) return 0;
  const s = (senticon as Record<string, number>)[stem];
  return s !== undefined && Math.abs(s) >= SENTICON_FLOOR ? s * SENTICON_SCALE : 0;
}

/** "sehr gut", "kaum genießbar" (see DE_NEGATORS), "etwas laut". */
export const DE_BOOSTERS: ReadonlyMap<string, number> = new Map([
  ...["sehr", "extrem", "total", "absolut", "wirklich", "echt", "richtig", "besonders", "äußerst", "unglaublich", "super", "voll", "völlig", "überaus", "höchst", "ganz", "so", "einfach", "mega", "unheimlich", "wahnsinnig", "rundum", "überhaupt"].map(
    (w): [string, number] => [w, 0.293],
  ),
  ...["etwas", "wenig", "bisschen", "eher", "leicht", "fast", "relativ", "ziemlich", "halbwegs", "einigermaßen", "teilweise", "zwar"].map((w): [string, number] => [w, -0.293]),
]);

/**
 * Negations. "kaum" (scarcely) negates rather than dampens: "kaum genießbar"
 * is a complaint. German negation also comes after the word it negates
 * ("gefällt mir nicht", "funktioniert nicht"); sentiment.ts handles that.
 */
export const DE_NEGATORS = new Set(["nicht", "nichts", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nirgends", "ohne", "weder", "noch nie", "kaum", "garnicht", "keinesfalls", "keineswegs"]);

/** "zu klein", "zu teuer": too much of something neutral is a complaint. */
export const DE_TOO = new Set(["zu", "viel zu"]);
export const DE_SIZE_WORDS = new Set(
  ["klein", "groß", "gross", "eng", "weit", "kurz", "lang", "teuer", "laut", "schwer", "dünn", "dick", "hart", "steif", "hoch", "niedrig", "schmal", "breit", "warm", "kalt", "heiß", "spät", "langsam", "wenig", "viel"].map(foldGerman),
);

/** Multi-word expressions, folded; valence replaces the words'. */
export const DE_IDIOMS: ReadonlyArray<readonly [readonly string[], number]> = [
  [["geht", "zurück"], -1.8],
  [["geht", "zuruck"], -1.8],
  [["finger", "weg"], -3.0],
  [["nie", "wieder"], -2.4],
  [["nicht", "mehr"], -1.2],
  [["wie", "angegossen"], 2.4],
  [["preis", "und", "leistung", "stimmen"], 2.0],
  [["preis-leistungs-verhaltnis"], 0.5],
  [["kein", "problem"], 1.2],
  [["keine", "probleme"], 1.2],
  [["ohne", "probleme"], 1.5],
  [["nicht", "schlecht"], 1.2],
  [["bricht", "ab"], -1.6],
  [["bricht", "standig", "ab"], -2.0],
  [["stürzt", "ab"], -2.0],
  [["sturzt", "standig", "ab"], -2.2],
  [["keine", "hilfe"], -2.0],
  [["hat", "sich", "gelost"], -1.8],
  [["in", "ordnung"], 1.0],
  [["na", "ja"], -1.5],
  [["nicht", "mein", "fall"], -2.0],
  [["nichts", "neues"], -1.2],
  [["zieht", "sich"], -1.2],
  [["nur", "für", "fans"], -1.0],
  [["könnte", "nicht", "besser"], 2.5],
  [["hätte", "nicht", "besser"], 2.5],
  [["unbedingt", "lesen"], 2.5],
  [["unbedingt", "gelesen"], 2.5],
];

/**
 * Konjunktiv II: praise in a clause with one of these is what the text could
 * have been, not what it is ("es hätte spannend sein können", "ein schöner
 * Schluss wäre gewesen"). As written (not folded: "hatte" and "wurde" are
 * the plain past, "Ware" is goods). Recommending stays praise ("würde es
 * jedem empfehlen"; see DE_STILL_PRAISE).
 */
export const DE_IRREALIS = new Set(["hätte", "hätten", "wäre", "wären", "würde", "würden", "könnte", "sollte", "müsste", "haette", "haetten", "waere", "waeren", "wuerde", "wuerden", "koennte", "muesste"]);
export const DE_STILL_PRAISE = new Set(["empfehlen", "empfehle", "weiterempfehlen", "empfehlenswert"].map(foldGerman));
