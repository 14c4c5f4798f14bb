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
  3.0: "unkaputtbar perfekt hervorragend hervorragende hervorragender ausgezeichnet fantastisch phantastisch wunderbar wunderschön traumhaft genial großartig begeistert herrlich liebe liebe lieben beste bestens einwandfrei top-qualität meisterwerk meisterhaft sensationell phänomenal überragend exzellent erstklassig erstklassige erstklassiger spitzenklasse weltklasse vorzüglich saugeil wundervoll superlecker oberlecker hammergeil",
  2.5: "mega super toll tolle toller tolles spitze klasse prima hochwertig empfehlenswert kaufempfehlung lecker beeindruckend optimal edel glücklich leistungsstark lesenswert lesenswerte lesenswertes fesselnd fesselnde packend packende mitreißend mitreissend lesespaß pflichtlektüre brillant grandios unschlagbar köstlich geil geile geiler geiles top 1a volltreffer glücksgriff goldrichtig himmlisch göttlich spitzenqualität spitzenprodukt spitzenmäßig topprodukt top-produkt bombastisch wow bildschön zauberhaft entzückend zuvorkommend blitzsauber picobello pikobello blitzblank tipptopp tiptop schmackhaft gastfreundlich heißgeliebt geheimtipp must-have musthave augenweide gaumenschmaus hochgenuss lesegenuss ohrenschmaus game-changer gamechanger überwältigend atemberaubend umwerfend hinreißend bezaubernd unvergesslich famos formidabel astrein supergut megagut supertoll traumlage toplage top-lage wohlgefühlt vorbildlich mustergültig top-service topservice superservice unverwüstlich",
  2.0: "beeindruckt gelohnt gut gute guter gutes gutem guten schön schöne schöner schönes hübsch bequem angenehm zufrieden empfehlen empfehle empfehlung gefällt gefallen freundlich hilfsbereit problemlos erstaunlich spannend kinderleicht schmeichelhaft elegant zuverlässig langlebig froh positiv preiswert lohnt lohnenswert durchdacht genießbar bestätigt kurzweilig unterhaltsam amüsant berührend ergreifend tiefgründig witzig humorvoll überzeugend hilfreich wertig nachbestellen nachbestellt fehlerfrei reibungslos tadellos makellos intuitiv benutzerfreundlich kompetent schnäppchen cool nice schick chic stilvoll gemütlich kuschelig flauschig superweich passgenau figurschmeichelnd niedlich goldig knuffig liebevoll detailverliebt blitzschnell superschnell unkompliziert flüsterleise kristallklar butterweich ruckelfrei kulant professionell fachkundig prompt sorgfältig vertrauenswürdig gastfreundschaft abwechslungsreich delikat wohlschmeckend lehrreich spielspaß lieblingsspielzeug lieblingsbuch lieblingsteil lieblingsstück begeisterung highlight hingucker blickfang genuss bereicherung alleskönner samtweich toppreis preisknaller kaufenswert begeistern einzigartig unvergleichlich bombig appetitlich erholsam wohlfühlen wohlfühlatmosphäre heimelig freundlichkeit hilfsbereitschaft kundenfreundlich beispielhaft lobenswert bombenfest farbenprächtig clever pfiffig komfortabel kuschelweich lieblingsspiel",
  1.5: "haltbar stark starke starker starkes sauber robust stabil stabile solide praktisch pünktlich reichhaltig geräumig rutschfest wasserdicht aufmerksam duftet günstig fair besser stylisch passend übersichtlich schnell schnelle schneller flott zügig standgehalten ideal gelungen geholfen lässig anschmiegsam samtig seidig geschmeidig atmungsaktiv formstabil pflegeleicht knitterfrei farbecht strapazierfähig reißfest bruchsicher kratzfest vorteilhaft kleidsam süß putzig rasant mühelos selbsterklärend narrensicher handlich kraftvoll geräuscharm glasklar ausgewogen verzögerungsfrei störungsfrei kulanz engagiert sachkundig ordentlich gewissenhaft seriös knusprig saftig aromatisch hautverträglich ergiebig wohlriechend strahlend kindgerecht erleichterung allrounder erschwinglich bezahlbar preisgünstig rentiert highlights bewährt preiswürdig überzeugt knackig großzügig entspannt entspannend schnellstens zeitnah kundenorientiert serviceorientiert wasserfest auslaufsicher griffig ergonomisch leichtgängig präzise farbenfroh raffiniert innovativ sinnvoll alltagstauglich federleicht superleicht kinderfreundlich genießen genossen",
  1.0: "endlich verbessert tragbar dicht mag mögen brauchbar stimmte erreichbar funktioniert funktionieren passt passen wirkt weich warm kräftig leise klar hell zentral modisch flexibel stimmt stimmen sitzt danke wert gern gerne entspricht frisch funktionsfähig kompakt platzsparend ruhig sparsam energiesparend erprobt vielfältig würzig sättigend üppig dezent altersgerecht nett zart spülmaschinenfest exakt zweckmäßig ultraleicht familiär",
};
const NEGATIVE: Record<number, string> = {
  3.0: "no-go albtraum alptraum glump miserabel katastrophe katastrophal schrecklich furchtbar grausam frechheit zumutung unbrauchbar abzocke betrug müll schrott mist billigschrott unverschämtheit desaster desaströs ekelhaft widerlich unterirdisch grottenschlecht beschissen scheiße ungenießbar bettwanzen lebensmittelvergiftung kaufwarnung abzocker betrüger nogo china-schrott chinaschrott igitt",
  2.5: "totalausfall wegwerfprodukt reinfall durchgequält schlecht schlechte schlechter schlechtes kaputt defekt enttäuscht enttäuschte enttäuschend enttäuschung mangelhaft dreckig zerbrochen durchgebrannt nutzlos wertlos hässlich verschwendung zeitverschwendung geldverschwendung stinkt gestank blödsinn quatsch unsinn schwachsinn ungenügend überteuert betrogen schrottig elektroschrott plastikschrott plastikmüll elektromüll ramsch unverschämt totalschaden eklig ekelig grottig kacke saumäßig armselig erbärmlich jämmerlich indiskutabel inakzeptabel unzumutbar flop fehlinvestition nepp touristenfalle verarsche verarscht abgezockt abgeraucht abgekackt verreckt funktionsunfähig schimmelig verschimmelt ranzig vergammelt heruntergekommen runtergekommen verdreckt siffig versifft verwahrlost kakerlaken kakerlake ungeziefer wanzen inkompetent unseriös ätzend schwachsinnig pfusch gepfuscht murks mogelpackung lachnummer rohrkrepierer wucher wucherpreis wucherpreise scam gefälscht fälschung billigkopie kaputtgegangen verätzt unfähig dreist gebührenfalle kostenfalle abofalle schimmel",
  2.0: "auseinandergefallen abgebrochen verfehlt bereue bereut bereuen angebrannt schmutzig unfreundlich unhöflich beschädigt gerissen gebrochen undicht unverständlich durchgelegen langweilig unangenehm ausschlag verbrannt scharfkantig ärgerlich ärger fehlerhaft unbequem eingelaufen rostet nervig mängel abgefallen zerrissen überflüssig unlogisch unglaubwürdig öde belanglos banal seicht kitschig verworren peinlich dümmlich dämlich fehlkauf ermüdend nichtssagend schwülstig minderwertig minderwertige klappert klappern wackelt wackeln quietscht quietschen knarzt knarzen knarrt versalzen hinüber rostig rostflecken ausgeleiert ausgefranst unhandlich muffig verkocht fail lausig fehlgriff veräppelt abgeplatzt geplatzt aufgeplatzt abgeblättert durchgescheuert aufgescheuert verformt verbeult zerbeult zerdrückt zerquetscht rissig brüchig verschlissen aufgetrennt verrostet abgerissen ausgerissen zersprungen gesplittert matschig geschmacklos überhitzt überhitzen verbindungsabbrüche streikt versagt abgeschmiert fehlfunktion buggy verbuggt pixelfehler wackelkontakt kurzschluss unzuverlässig unausgereift unausgegoren klapprig schlampig schluderig lieblos billigplastik unförmig abgefärbt storniert unvollständig falschlieferung verschollen vertröstet abgewimmelt ignorant arrogant pampig patzig herablassend unprofessionell unerreichbar inkasso schmuddelig ungepflegt unsauber modrig lärmbelästigung unverträglich penetrant beißend giftig verletzungsgefahr überbewertet dürftig unterdurchschnittlich unbefriedigend unzureichend fehlerbehaftet lächerlich ungeeignet untauglich sinnlos zwecklos witzlos nervtötend bescheuert kläglich ärgernis luftnummer verdorben reingefallen verschwendet pfui bäh würg fake plagiat funktionslos wirkungslos spulenfiepen verbindungsabbruch überhitzung hautausschlag quaddeln verschluckungsgefahr kaputtgemacht kaputtgeht zerfetzt schnippisch abweisend desinteressiert ruppig abgespeist hingehalten verschlampt verbummelt schäbig verkohlt zerbricht zerbrach eingerissen durchgebrochen",
  1.5: "zurückgegeben macken verschmiert verschmieren pilling rückschritt einfriert bröckelt klebrig obsoleszenz pickel meckern beanstanden aufgegangen verblichen ausgeblichen fehlende fehlender fehlenden unmöglich riskant klumpt klumpen zerfallen zerfällt seltsam verspätung weh schwächelt schwächeln bröselt bröseln schade fehlt fehlen fehlten fehlte flackert fusselt löcher bitter tropft verzögert klemmen klemmt verblasst vorhersehbar dumpf papierstau schwach probleme problem zurückgeschickt reklamation reklamiert stürzt abstürzen ausgefallen verspätet falsch ungenau wackelig instabil zerkratzt verfärbt verbogen drückt scheuert kompliziert umständlich kratzt schief naja mittelmäßig mittelmäßige durchschnittlich langatmig langatmige zäh platt oberflächlich abklatsch klischeehaft retourniert zurückgesendet chemisch umgetauscht verschlechtert hellhörig abgewohnt fad fade ausgelaufen abstürze verklebt verrutscht eingedellt risse spröde porös abgenutzt verschleißt verkratzt verschrammt eingedrückt splittert verstopft verkalkt labberig labbrig pappig wässrig lauwarm zerkocht ruckelt ruckeln laggt lagt rauscht brummt fiept rattert spinnt zickt fehlermeldung fehlermeldungen abgestürzt unscharf verschwommen verpixelt dröhnt verzerrt übersteuert lahm schneckentempo inkompatibel halbgar fummelig friemelig frickelig wabbelig wabblig klapperig kneift zwickt zwicken juckt schlabbrig schlabberig sackartig formlos ausgewaschen verwaschen pillt lieferverzug warteschleife unorganisiert lustlos gleichgültig genervt beschwerde mahnung baulärm stickig überfüllt allergisch gereizt gerötet fleckig streifig schlierig schlieren verklumpt aufdringlich abgestanden zerbrechlich uninteressant mager bescheiden verbesserungsbedürftig lückenhaft primitiv mühsam lästig störend nervt blöd doof panne pannen garantiefall geärgert ärgert nachgemacht chinaware zurückgesandt reklamiere reklamieren beanstandet kratzig kneifen einschneiden knötchen knötchenbildung ausgebeult krumm durchgelaufen stottert hakt hakelt aussetzer ausfälle verbindungsprobleme brummen fiepen ruckler schwammig lahmt schleppend austrocknend schmierig bröckelig klumpig ausgetrocknet eingetrocknet langweilt gelangweilt muffelig mürrisch barsch schroff abgefertigt unübersichtlich renovierungsbedürftig sanierungsbedürftig verstaubt staubig vergilbt abgeschabt mäßig frech verzogen rauschen verformen verbiegt müffelt mieft abgeknickt verklemmt festgefressen storniere blättert",
  1.2: "leider billig kratzer loch teuer",
  1.0: "blass komisch schlabbert verschachtelt steif staubt laut langsam ewig durchsichtig flach nass dünn rutscht mies knackt knackst reibt kastig knittert knitterig stornierung beschwert unspektakulär spärlich ausbaufähig verbesserungswürdig stört klebt krümelt ignoriert chaotisch bemängelt moniert schwitzt abgegangen bugs fettet lärm klamm geschmacksneutral ungewürzt verkantet stornieren",
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
 * not "öde", "massig" (plenty) is not "mäßig". Folding is for text typed without umlauts ("schoen" still is
 * "schön").
 */
const FOLD_COLLISIONS = new Set(["schon", "druckt", "drucken", "ode", "massig"]);
/**
 * Function words the @nlpjs list scores ("unter", "Ende", "einmal", "Fall",
 * "kurz", "sucht", "dank", "sorgen"): common in any retelling, no verdict.
 */
const SENTICON_STOP = new Set(["klein", "kleine", "kleiner", "kleines", "kleinen", "kleinem", "unter", "ende", "einmal", "fall", "kurz", "sucht", "dank", "sorgen"]);

/**
 * Whether a capitalised word inside a sentence (a noun) keeps its valence.
 * A noun in the broad fallback list is mostly what a text is about, not what
 * the reviewer thinks of it ("Krieg", "Tod", "Armut" in a retold plot; "Freude"
 * in a product's name): ours keep theirs ("Katastrophe", "Enttäuschung"),
 * except ours whose noun is another word ("Liebe" is not "ich liebe";
 * "Klasse", "Wert", "Gefallen", "Dank"; "Top", a garment, when it is a noun: "Das Top ist durchsichtig").
 */
const NOUN_READINGS = new Set(["liebe", "klasse", "klassen", "wert", "gefallen", "dank", "top"]);
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
  ...["sehr", "extrem", "total", "absolut", "wirklich", "echt", "richtig", "besonders", "äußerst", "unglaublich", "super", "voll", "völlig", "überaus", "höchst", "ganz", "so", "einfach", "mega", "stark", "unheimlich", "wahnsinnig", "rundum", "überhaupt", "krass", "verdammt", "tierisch", "ultra", "enorm", "außerordentlich", "ausgesprochen", "zutiefst", "maßlos", "riesig", "dermaßen", "derart"].map(
    (w): [string, number] => [w, 0.293],
  ),
  ...["etwas", "wenig", "bisschen", "eher", "leicht", "fast", "relativ", "ziemlich", "halbwegs", "einigermaßen", "teilweise", "zwar"].map((w): [string, number] => [w, -0.293]),
]);

/**
 * Negations. "kaum" (scarcely) negates rather than dampens: "kaum genießbar"
 * is a complaint. German negation also comes after the word it negates
 * ("gefällt mir nicht", "funktioniert nicht"); sentiment.ts handles that.
 */
export const DE_NEGATORS = new Set(["nicht", "nichts", "kein", "keine", "keinen", "keinem", "keiner", "keines", "nie", "niemals", "nirgends", "nix", "ohne", "weder", "niemand", "niemandem", "niemanden", "noch nie", "kaum", "garnicht", "keinesfalls", "keineswegs", "keinerlei"]);

/** "zu klein", "zu teuer": too much of something neutral is a complaint. */
export const DE_TOO = new Set(["zu", "viel zu"]);
export const DE_SIZE_WORDS = new Set(
  ["klein", "groß", "gross", "eng", "weit", "kurz", "lang", "teuer", "laut", "schwer", "dünn", "dick", "hart", "steif", "hoch", "niedrig", "schmal", "breit", "warm", "kalt", "heiß", "spät", "langsam", "wenig", "viel"].map(foldGerman),
);

/** Multi-word expressions, folded; valence replaces the words'. */
export const DE_IDIOMS: ReadonlyArray<readonly [readonly string[], number]> = [
  [["nur", "bedingt", "empfehlenswert"], -1.2],
  [["nur", "bedingt", "zu", "empfehlen"], -1.2],
  [["bedingt", "empfehlenswert"], -0.8],
  [["nur", "bedingt"], -1.0],
  [["null", "probleme"], 1.5],
  [["bringt", "gar", "nichts"], -2.0],
  [["bringt", "nichts"], -1.8],
  [["keine", "wirkung"], -1.8],
  [["null", "wirkung"], -2.0],
  [["nicht", "zugestellt"], -2.0],
  [["versteckte", "kosten"], -2.0],
  [["versteckte", "gebühren"], -2.0],
  [["in", "die", "jahre", "gekommen"], -1.5],
  [["erste", "sahne"], 2.5],
  [["gestochen", "scharf"], 2.5],
  [["bin", "happy"], 2.0],
  [["sehr", "happy"], 2.0],
  [["voll", "happy"], 2.0],
  [["spielt", "stundenlang"], 2.0],
  // A child or a pet that "liebt dieses Puzzle"; "liebt" alone is a plot's ("sie liebt ihn").
  [["liebt", "es"], 2.0],
  [["liebt", "dieses"], 2.0],
  [["liebt", "diese"], 2.0],
  [["liebt", "diesen"], 2.0],
  // Review verdicts in words that are neutral one by one (written for Starling from how German shoppers and
  // guests write, not from a review set). Before the older entries, so a longer phrase wins over a shorter one.
  [["preis-leistung", "stimmt", "nicht"], -2.0],
  [["preis-leistung", "passt", "nicht"], -2.0],
  [["preis-leistungs-verhältnis", "stimmt", "nicht"], -2.0],
  [["preis-leistungs-verhältnis", "passt", "nicht"], -2.0],
  [["preis-leistung", "stimmt"], 2.0],
  [["preis-leistung", "passt"], 2.0],
  [["preis-leistungs-verhältnis", "stimmt"], 2.0],
  [["preis-leistungs-verhältnis", "passt"], 2.0],
  [["preis", "leistung", "stimmt", "nicht"], -2.0],
  [["preis", "leistung", "stimmt"], 2.0],
  [["preis", "leistung", "passt"], 2.0],
  [["sein", "geld", "wert"], 2.0],
  [["ihr", "geld", "wert"], 2.0],
  [["das", "geld", "wert"], 2.0],
  [["jeden", "cent", "wert"], 2.5],
  [["jeden", "euro", "wert"], 2.5],
  [["seinen", "preis", "wert"], 2.0],
  [["ihren", "preis", "wert"], 2.0],
  [["geld", "nicht", "wert"], -2.0],
  [["preis", "nicht", "wert"], -2.0],
  [["keinen", "cent", "wert"], -2.5],
  [["keinen", "euro", "wert"], -2.5],
  [["keinen", "pfennig", "wert"], -2.5],
  [["zum", "fenster", "rausgeworfen"], -2.5],
  [["zum", "fenster", "hinausgeworfen"], -2.5],
  [["zum", "fenster", "raus"], -2.5],
  [["zum", "fenster", "hinaus"], -2.5],
  [["aus", "dem", "fenster", "geworfen"], -2.5],
  [["rausgeschmissenes", "geld"], -2.5],
  [["rausgeworfenes", "geld"], -2.5],
  [["hinausgeworfenes", "geld"], -2.5],
  [["nicht", "der", "rede", "wert"], -1.0],
  [["hat", "sich", "bewährt"], 2.0],
  [["haben", "sich", "bewährt"], 2.0],
  [["hat", "sich", "bestens", "bewährt"], 2.5],
  [["positiv", "überrascht"], 2.5],
  [["angenehm", "überrascht"], 2.5],
  [["negativ", "überrascht"], -2.0],
  [["unangenehm", "überrascht"], -2.0],
  [["nicht", "enttäuscht"], 1.5],
  [["keineswegs", "enttäuscht"], 2.0],
  [["enttäuscht", "nicht"], 1.5],
  [["kann", "ich", "nur", "empfehlen"], 2.5],
  [["kann", "ich", "nur", "weiterempfehlen"], 2.5],
  [["kann", "man", "nur", "empfehlen"], 2.5],
  [["weiterzuempfehlen"], 2.0],
  [["nicht", "bereut"], 2.0],
  [["nie", "bereut"], 2.0],
  [["keine", "sekunde", "bereut"], 2.5],
  [["keinen", "tag", "bereut"], 2.5],
  [["keinen", "moment", "bereut"], 2.5],
  [["bereue", "es", "nicht"], 2.0],
  [["über", "den", "tisch", "gezogen"], -2.5],
  [["griff", "ins", "klo"], -2.5],
  [["schuss", "in", "den", "ofen"], -2.5],
  [["unterste", "schublade"], -2.5],
  [["unter", "aller", "sau"], -3.0],
  [["unter", "aller", "kanone"], -3.0],
  [["zum", "kotzen"], -3.0],
  [["zum", "heulen"], -2.0],
  [["zum", "davonlaufen"], -2.5],
  [["zum", "weglaufen"], -2.5],
  [["zum", "verlieben"], 2.5],
  [["zum", "niederknien"], 2.5],
  [["zum", "dahinschmelzen"], 2.5],
  [["ein", "traum"], 2.5],
  [["ein", "gedicht"], 2.5],
  [["ist", "der", "hammer"], 2.5],
  [["war", "der", "hammer"], 2.5],
  [["einfach", "der", "hammer"], 2.5],
  [["echt", "der", "hammer"], 2.5],
  [["absolut", "der", "hammer"], 2.5],
  [["der", "wahnsinn"], 2.0],
  [["ein", "muss"], 2.0],
  [["ein", "volltreffer"], 2.5],
  [["ein", "genuss"], 2.5],
  [["hin", "und", "weg"], 2.5],
  [["das", "gelbe", "vom", "ei"], 2.0],
  [["nicht", "mein", "ding"], -1.5],
  [["nicht", "so", "mein", "ding"], -1.5],
  [["nicht", "meins"], -1.5],
  [["nichts", "für", "mich"], -1.0],
  [["mir", "sparen", "können"], -2.0],
  [["uns", "sparen", "können"], -2.0],
  [["kann", "man", "sich", "sparen"], -2.0],
  [["kannst", "du", "dir", "sparen"], -2.0],
  [["könnt", "ihr", "euch", "sparen"], -2.0],
  [["kann", "man", "vergessen"], -2.0],
  [["kannst", "du", "vergessen"], -2.0],
  [["kannste", "vergessen"], -2.0],
  [["kann", "man", "knicken"], -2.0],
  [["nicht", "zu", "gebrauchen"], -2.5],
  [["kaum", "zu", "gebrauchen"], -2.0],
  [["mehr", "schlecht", "als", "recht"], -1.5],
  [["so", "lala"], -0.8],
  [["so", "la", "la"], -0.8],
  [["ganz", "ok"], 0.3],
  [["ganz", "okay"], 0.3],
  [["nichts", "besonderes"], -1.2],
  [["nix", "besonderes"], -1.2],
  [["nichts", "auszusetzen"], 2.0],
  [["nix", "auszusetzen"], 2.0],
  [["nichts", "zu", "meckern"], 2.0],
  [["nix", "zu", "meckern"], 2.0],
  [["nichts", "zu", "beanstanden"], 2.0],
  [["nichts", "zu", "bemängeln"], 2.0],
  [["keine", "beanstandungen"], 1.8],
  [["keine", "mängel"], 1.8],
  [["keine", "beschwerden"], 1.5],
  [["keine", "wünsche", "offen"], 2.5],
  [["keine", "wünsche", "übrig"], 2.5],
  [["nicht", "beklagen"], 1.5],
  [["nicht", "klagen"], 1.5],
  [["total", "daneben"], -2.0],
  [["voll", "daneben"], -2.0],
  [["völlig", "daneben"], -2.0],
  [["ging", "daneben"], -2.0],
  [["in", "die", "hose", "gegangen"], -2.5],
  [["in", "die", "tonne", "treten"], -2.5],
  [["in", "die", "tonne", "kloppen"], -2.5],
  [["ab", "in", "die", "tonne"], -2.5],
  [["finger", "davon", "lassen"], -2.5],
  [["lasst", "die", "finger"], -2.5],
  [["lass", "die", "finger"], -2.5],
  [["auf", "den", "leim", "gegangen"], -2.0],
  [["hinters", "licht", "geführt"], -2.0],
  [["an", "der", "nase", "herumgeführt"], -2.0],
  [["innen", "pfui"], -2.0],
  [["macht", "viel", "spaß"], 2.3],
  [["macht", "richtig", "spaß"], 2.3],
  [["macht", "riesig", "spaß"], 2.3],
  [["macht", "spaß"], 2.0],
  [["machen", "spaß"], 2.0],
  [["machen", "viel", "spaß"], 2.3],
  [["viel", "spaß"], 1.5],
  [["großen", "spaß"], 2.0],
  [["keinen", "spaß"], -2.0],
  [["kein", "spaß"], -1.5],
  [["große", "freude"], 2.0],
  [["viel", "freude"], 1.5],
  [["strahlende", "kinderaugen"], 2.5],
  [["leuchtende", "augen"], 2.0],
  [["gerne", "wieder"], 2.0],
  [["gern", "wieder"], 2.0],
  [["immer", "wieder", "gerne"], 2.5],
  [["kommen", "gerne", "wieder"], 2.5],
  [["komme", "gerne", "wieder"], 2.5],
  [["kommen", "gern", "wieder"], 2.5],
  [["kommen", "wieder"], 2.0],
  [["kommen", "auf", "jeden", "fall", "wieder"], 2.5],
  [["wieder", "buchen"], 2.0],
  [["gold", "wert"], 2.5],
  [["goldes", "wert"], 2.5],
  [["wie", "neu"], 1.5],
  [["wie", "versprochen"], 1.5],
  [["wie", "auf", "dem", "bild"], 1.0],
  [["wie", "auf", "den", "bildern"], 1.0],
  [["wie", "auf", "dem", "foto"], 1.0],
  [["wie", "auf", "den", "fotos"], 1.0],
  [["nicht", "wie", "beschrieben"], -2.0],
  [["nicht", "wie", "abgebildet"], -2.0],
  [["anders", "als", "auf", "dem", "bild"], -1.5],
  [["anders", "als", "abgebildet"], -1.5],
  [["anders", "als", "beschrieben"], -1.5],
  [["falscher", "artikel"], -2.0],
  [["falsche", "ware"], -2.0],
  [["falsch", "geliefert"], -2.0],
  [["kam", "nicht", "an"], -2.5],
  [["nicht", "geliefert"], -2.5],
  [["nie", "geliefert"], -2.5],
  [["warte", "immer", "noch"], -2.0],
  [["warten", "immer", "noch"], -2.0],
  [["warte", "seit"], -1.5],
  [["warten", "seit"], -1.5],
  [["null", "reaktion"], -2.0],
  [["keine", "rückmeldung"], -1.8],
  [["stunden", "gewartet"], -2.0],
  [["lange", "wartezeit"], -1.5],
  [["lange", "wartezeiten"], -1.5],
  [["kam", "kalt", "an"], -2.0],
  [["kalt", "an"], -1.8],
  [["kam", "heiß", "an"], 1.5],
  [["kam", "noch", "heiß", "an"], 1.5],
  [["noch", "heiß", "an"], 1.5],
  [["haar", "im"], -2.0],
  [["dünne", "wände"], -1.5],
  [["leicht", "zu", "bedienen"], 1.5],
  [["einfach", "zu", "bedienen"], 1.5],
  [["einfach", "zu", "handhaben"], 1.5],
  [["leicht", "zu", "handhaben"], 1.5],
  [["schwer", "zu", "bedienen"], -1.5],
  [["zieht", "schnell", "ein"], 1.5],
  [["zieht", "nicht", "ein"], -1.5],
  [["färbt", "stark", "ab"], -2.0],
  [["färbt", "ab"], -2.0],
  [["läuft", "aus"], -1.5],
  [["leiert", "aus"], -2.0],
  [["franst", "aus"], -1.5],
  [["reißt", "ein"], -1.5],
  [["schmiert", "ab"], -2.0],
  [["schneidet", "ein"], -1.5],
  [["platzt", "auf"], -2.0],
  [["blättert", "ab"], -2.0],
  [["geht", "nicht", "mehr", "an"], -2.0],
  [["lässt", "sich", "nicht", "mehr"], -2.0],
  [["hält", "bombenfest"], 2.0],
  [["hält", "seit", "jahren"], 2.0],
  [["seit", "jahren", "im", "einsatz"], 2.0],
  [["tut", "seinen", "dienst"], 1.5],
  [["tut", "ihren", "dienst"], 1.5],
  [["verrichtet", "seinen", "dienst"], 1.5],
  [["macht", "seinen", "job"], 1.5],
  [["macht", "ihren", "job"], 1.5],
  [["seinen", "dienst", "quittiert"], -2.5],
  [["dienst", "quittiert"], -2.5],
  [["den", "bach", "runter"], -2.0],
  [["ging", "retour"], -1.8],
  [["geht", "retour"], -1.8],
  [["zurück", "an", "den", "absender"], -1.8],
  [["muss", "leider", "zurück"], -1.8],
  [["geht", "gar", "nicht"], -1.5],
  [["geht", "überhaupt", "nicht"], -1.5],
  [["geht", "zurück"], -1.8],
  [["geht", "zuruck"], -1.8],
  [["finger", "weg"], -3.0],
  [["ein", "witz"], -2.0],
  [["nichts", "gebracht"], -1.5],
  [["einzige", "positive"], -1.5],
  [["einzig", "positive"], -1.5],
  [["nie", "wieder"], -2.4],
  [["nicht", "mehr", "weglegen"], 2.5],
  [["nicht", "mehr", "aus", "der", "hand"], 2.5],
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
  // Product, shop and service reviews (written for Starling, not measured on real reviews: see the README).
  [["hält", "nicht", "lange"], -2.0],
  [["hält", "kaum"], -2.0],
  [["hält", "keine"], -2.0],
  [["lässt", "sich", "nicht"], -1.5],
  [["lässt", "sich", "gar", "nicht"], -2.0],
  [["danke", "für", "nichts"], -2.5],
  [["nur", "manchmal"], -1.5],
  [["niemand", "hat", "sich", "gemeldet"], -1.8],
  [["hat", "sich", "niemand", "gemeldet"], -1.8],
  [["meldet", "sich", "niemand"], -1.8],
  [["hält", "nicht", "was"], -2.0],
  [["hält", "was", "es", "verspricht"], 2.0],
  [["hält", "was", "sie", "verspricht"], 2.0],
  [["hält", "was", "er", "verspricht"], 2.0],
  [["hält", "ewig"], 2.0],
  [["mehr", "erwartet"], -2.0],
  [["mehr", "versprochen"], -2.0],
  [["daumen", "hoch"], 2.5],
  [["daumen", "runter"], -2.5],
  [["jederzeit", "wieder"], 2.5],
  [["wieder", "kaufen"], 2.0],
  [["wieder", "bestellen"], 2.0],
  [["löst", "sich"], -1.5],
  [["lösen", "sich"], -1.5],
  [["kam", "nie", "an"], -2.5],
  [["nie", "angekommen"], -2.5],
  [["nicht", "angekommen"], -2.5],
  [["reagiert", "nicht"], -1.8],
  [["keine", "antwort"], -1.8],
  [["keine", "reaktion"], -1.8],
  [["leicht", "zu", "reinigen"], 1.5],
  [["leicht", "reinigen"], 1.5],
  [["schwer", "zu", "reinigen"], -1.5],
  [["ganz", "nett"], 0.3],
  [["nicht", "kaufen"], -2.5],
  [["geld", "zurück"], -1.5],
  [["hängt", "sich", "auf"], -2.0],
  [["wie", "beschrieben"], 1.5],
  [["wie", "abgebildet"], 1.5],
  [["was", "es", "soll"], 1.5],
  [["nicht", "besser", "machen"], 2.5],
  [["besser", "geht's", "nicht"], 2.5],
  [["besser", "gehts", "nicht"], 2.5],
  [["besser", "geht", "es", "nicht"], 2.5],
  [["einfacher", "geht's", "nicht"], 2.0],
  [["einfacher", "gehts", "nicht"], 2.0],
  [["früher", "kaufen", "sollen"], 2.0],
  [["früher", "holen", "sollen"], 2.0],
  [["früher", "bestellen", "sollen"], 2.0],
  [["nochmal", "nehmen"], 2.0],
  [["nein", "danke"], -1.5],
  [["zurück", "gegeben"], -1.5],
  [["antwortet", "nicht"], -1.8],
  [["ohne", "murren"], 1.5],
  [["genau", "richtig"], 2.0],
  [["reißt", "es", "nicht", "raus"], -1.5],
  [["lieber", "nicht"], -1.5],
  [["friert", "ein"], -1.5],
  [["fällt", "auseinander"], -2.0],
  [["fallen", "auseinander"], -2.0],
  [["erfüllt", "seinen", "zweck"], 1.5],
  [["erfüllt", "ihren", "zweck"], 1.5],
  [["erfüllt", "den", "zweck"], 1.5],
  [["erfüllt", "alle", "erwartungen"], 2.0],
  [["erfüllt", "meine", "erwartungen"], 2.0],
  [["was", "er", "soll"], 1.5],
  [["was", "sie", "soll"], 1.5],
  [["nochmal", "kaufen"], 2.0],
  [["nochmals", "kaufen"], 2.0],
  [["noch", "mal", "kaufen"], 2.0],
  [["geist", "aufgegeben"], -2.5],
  [["geist", "aufgibt"], -2.5],
  [["spart", "euch"], -2.0],
  [["spar", "dir"], -2.0],
  [["hände", "weg"], -3.0],
  [["für", "die", "tonne"], -2.5],
  [["war", "wohl", "nix"], -1.5],
  [["war", "nix"], -1.5],
  [["nach", "chemie"], -1.5],
  [["nach", "plastik"], -1.0],
  [["hält", "nur"], -1.0],
  [["zu", "wünschen", "übrig"], -2.0],
  [["schein", "als", "sein"], -2.0],
  [["hält", "sich", "in", "grenzen"], -1.5],
  [["hielt", "sich", "in", "grenzen"], -1.5],
  [["halten", "sich", "in", "grenzen"], -1.5],
  // "schmackhaft machen" is to sell an idea, not a dish's taste.
  [["schmackhaft", "zu"], 0],
  [["schmackhaft", "machen"], 0],
  [["schmackhaft", "gemacht"], 0],
  // A letter's closing ("Beste Grüße, Andreas") is no verdict, though it is a review's last line.
  [["liebe", "grüße"], 0],
  [["viele", "grüße"], 0],
  [["beste", "grüße"], 0],
  [["herzliche", "grüße"], 0],
  [["schöne", "grüße"], 0],
  [["freundliche", "grüße"], 0],
  [["mit", "freundlichen", "grüßen"], 0],
];

/**
 * "Gut ist etwas anderes", "spannend sieht anders aus": said after a word of praise, these deny it, as a late
 * "nicht" does (folded).
 */
export const DE_LATE_DENIALS: ReadonlyArray<readonly string[]> = [
  ["ist", "etwas", "anderes"],
  ["sind", "etwas", "anderes"],
  ["ist", "was", "anderes"],
  ["ist", "anders"],
  ["sieht", "anders", "aus"],
  ["sehen", "anders", "aus"],
];

/** "Alles andere als gut", "weit entfernt von gut": said before a word, these deny it as "nicht" does (folded). */
export const DE_EARLY_DENIALS: ReadonlyArray<readonly string[]> = [
  ["alles", "andere", "als"],
  ["weit", "entfernt", "von"],
];

/**
 * "Nur 2 Sterne", "volle fünf Sterne", "einen Stern Abzug": a review that states its own rating in its text
 * (German shoppers often do). The count's valence, on the lexicon's scale; "Abzug" after it is a deduction
 * from five, mild criticism. Folded.
 */
export const DE_STAR_COUNTS: ReadonlyMap<string, number> = new Map([
  ...["0", "null", "keinen", "keine"].map((w): [string, number] => [w, 0]),
  ...["1", "ein", "einen", "einem", "eins"].map((w): [string, number] => [w, 1]),
  ...["2", "zwei"].map((w): [string, number] => [w, 2]),
  ...["3", "drei"].map((w): [string, number] => [w, 3]),
  ...["4", "vier"].map((w): [string, number] => [w, 4]),
  ...["5", "funf"].map((w): [string, number] => [w, 5]),
]);
export const DE_STAR_NOUNS = new Set(["stern", "sterne", "sternen", "sternchen"]);
/** Valence of a rating of 0 to 5 stars, and of one star's deduction ("ein Stern Abzug"). */
export const DE_STAR_VALENCE = [-3.0, -2.5, -1.5, -0.3, 1.5, 2.5] as const;
export const DE_STAR_DEDUCTION = -0.8;

/** A sentence that opens with one of these states the verdict, wherever it stands ("Fazit: ..."). Folded. */
export const DE_VERDICT_OPENERS: ReadonlyArray<readonly string[]> = [
  ["fazit"],
  ["mein", "fazit"],
  ["insgesamt"],
  ["alles", "in", "allem"],
  ["unterm", "strich"],
  ["zusammenfassend"],
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

/**
 * Sentence adverbs: they comment on the whole clause, so a "nicht" later in it
 * is the clause's, never theirs ("Leider ist der Kundendienst nicht erreichbar"
 * is a complaint; read as "leider … nicht" it was praise).
 */
export const DE_SENTENCE_ADVERBS = new Set(["leider", "schade", "dummerweise", "bedauerlicherweise", "glücklicherweise"].map(foldGerman));
