/**
 * Nouns that are never an aspect, and the German aspect vocabulary used to
 * split compounds and to find nouns in lower-case text.
 */
import { foldGerman } from "../text.js";

/**
 * English nouns a review mentions without judging anything about the product,
 * and particles compromise tags as nouns after "a bit" ("the colour is a bit off").
 */
export const EN_NOT_ASPECTS = new Set(
  `thing things stuff lot lots bit time times day days week weeks month months year years way ways one ones anything something
  everything nothing someone everyone anyone people person star stars review reviews husband wife son daughter kid kids child children
  mom dad mother father friend friends family boyfriend girlfriend sister brother girl girls boy boys guy guys lady ladies man men woman
  women baby grandson granddaughter product products item items purchase purchases amazon money fact reason kind sort type hour hours
  minute minutes night nights weekend morning evening end beginning lol ok thanks thank i me use usage order number couple pair pairs
  problem problems issue issues idea part deal today yesterday tomorrow christmas birthday gift present trip vacation business city
  chicago downtown mile miles block blocks dollar dollars cent cents percent buck bucks inch inches foot feet lb lbs pound pounds
  experience opinion wish expectations expectation job look looks love hate
  knee knees foot feet leg legs arm arms hand hands body skin ankle ankles toe toes heel hip back shoulder waist head hair face
  workout workouts running walking walk run gym sport sports cardio training class hiking yoga work home house store retail
  closet floor carpet rock rocks wear use feel help fix mind dream glove past summer winter favorite favorites others here
  life box result touch side portion pressure option compliment compliments video fashion clothes clothing comfy good airy
  anything everyone wife's husband's fella runner doctor surgery surgeries water weather climate rain snow office school
  church party wedding event vacation travel video videos picture-perfect less more partner partners
  mine yours hers ours theirs myself yourself himself herself itself ourselves themselves
  question questions answer answers comment comments
  off out up down away`.split(/\s+/).filter(Boolean),
);

/**
 * Nouns of EN_NOT_ASPECTS that name a property of the product when another
 * noun comes before them: "battery life", "shelf life", "delivery time",
 * "water pressure". Alone they are life, time and pressure in general ("it
 * changed my life", "every time"), so they are no aspect by themselves.
 */
export const EN_COMPOUND_HEADS: ReadonlySet<string> = new Set(["life", "time", "pressure"]);

/**
 * German capitalised words that are not nouns about the product: pronouns, determiners, adverbs that
 * open a sentence ("Vorher hatte ich …"), generic nouns, and the times, places, people, body parts,
 * pets and units a review mentions around the product ("im Winter", "im Schlafzimmer", "meine
 * Schwester", "liegt gut in der Hand", "bei 30 Grad", "auf jeden Fall").
 */
export const DE_NOT_ASPECTS = new Set(
  `ich du er sie es wir ihr ihnen ihre ihren ihrem ihrer ihm mich mir dich dir uns euch man der die das den dem des ein eine einer
  einen einem eines kein keine keinen keinem keiner mein meine meinen meinem meiner dein sein seine seinen ihr dieser diese dieses
  diesen diesem jede jeder jedes alle alles nichts etwas mit nach bei von vom zum zur für fur auf aus in im an am um über uber unter
  vor seit bis durch gegen ohne und oder aber doch denn weil wenn als wie was wer wo warum sehr auch noch schon nur immer nie ja nein
  leider nicht bitte danke hallo fazit insgesamt also dann so da hier dort jetzt heute gestern morgen
  woche wochen tag tage tagen stunde stunden minute minuten monat monate monaten jahr jahre jahren mal zeit euro cent stern sterne
  sternen bewertung bewertungen amazon produkt produkte artikel ware kauf käufe ding dinge sache sachen problem probleme bedenken
  mann frau kind kinder sohn tochter freundin freund familie mutter vater oma opa hause haus fahrt regen sturm haut foto fotos
  geld anfang ende grund meinung erfahrung gefühl eindruck seitdem ganz ehrlich einfach
  erfolg glück vergleich einsatz abzug sternchen gruß grüße lg mfg
  vorher nachher außerdem ausserdem zudem trotzdem deshalb deswegen dafür dabei damit danach sonst ansonsten inzwischen
  mittlerweile anfangs bisher endlich eigentlich natürlich allerdings
  winter sommer frühling herbst abend abends nacht nächte nachts mittag wochenende wochenenden weihnachten ostern geburtstag
  urlaub saison alltag feierabend sekunde sekunden
  wohnung schlafzimmer wohnzimmer kinderzimmer küche keller balkon terrasse garten büro homeoffice straße stadt supermarkt
  werkstatt
  schwester bruder eltern gast gäste nachbar nachbarn kunde kunden techniker bote paketbote hersteller baby kleinkind kleinkinder
  hand hände finger mund lippen kopf rücken knie rückenschmerzen kopfschmerzen
  hund hunde katze katzen
  grad meter zentimeter millimeter kilo gramm liter flasche flaschen packung paar hälfte
  fall unterschied tipp favorit wechsel kleinigkeit kleinigkeiten geschenk wäsche wäschen`
    .split(/\s+/)
    .filter(Boolean)
    .map(foldGerman),
);

/**
 * German nouns that name parts, properties or services of what is reviewed.
 * Used to split compounds ("Akkulaufzeit" = akku + laufzeit, head "laufzeit")
 * and to recognise aspects in text written in lower case.
 */
export const DE_ASPECT_VOCABULARY: readonly string[] = `akku batterie laufzeit ladezeit ladekabel kabel stecker display bildschirm kamera objektiv linse
  lautsprecher klang sound bass ton lautstärke mikrofon verbindung bluetooth reichweite empfang signal app software update
  bedienung bedienungsanleitung anleitung handbuch menü taste tasten tastatur maus knopf knöpfe schalter fernbedienung
  gehäuse deckel griff henkel rad räder motor leistung geschwindigkeit speicher prozessor netzteil ladegerät
  schuh stiefel hose jeans jacke kleid socke
  qualität verarbeitung material stoff leder kunstleder baumwolle wolle futter naht nähte reißverschluss verschluss
  schnalle riemen gurt gurte träger armband band sohle absatz ferse zehe schnürung schnürsenkel innensohle
  passform größe größen schnitt länge breite weite farbe farben muster design optik aussehen form gewicht geruch duft
  kragen ärmel kapuze tasche taschen fach fächer futter bund saum
  preis kosten versand lieferung lieferzeit verpackung paket zustellung rücksendung rückerstattung umtausch garantie
  kundenservice kundendienst service support händler verkäufer
  zimmer bett betten matratze kissen bad badezimmer dusche frühstück personal rezeption lage aussicht pool sauberkeit
  essen kellner bedienung getränke kaffee geschmack portion
  montage aufbau einrichtung installation reinigung pflege haltbarkeit stabilität
  druck druckqualität patrone patronen papier tinte
  licht lampe birne helligkeit wasser dichtung
  buch roman hörbuch hörspiel ebook taschenbuch sachbuch ratgeber kochbuch bildband lexikon krimi thriller comic
  ausgabe auflage fassung version übersetzung band teil fortsetzung reihe serie trilogie sammlung
  geschichte handlung story plot spannung spannungsbogen schreibstil stil erzählstil sprache wortwahl ausdrucksweise
  figur charakter dialog erzählung kurzgeschichte text inhalt thema humor witz ironie atmosphäre idee pointe szene
  kapitel schluss vorwort nachwort anhang einleitung kommentar anmerkung register glossar klappentext
  cover einband umschlag titel schrift schriftgröße illustration bild abbildung foto layout
  lektüre stück theaterstück drama komödie tragödie werk gedicht lyrik prosa vers reim
  sprecher sprecherin stimme vorleser vorleserin betonung aussprache cd dvd film musik lied lektorat druckfehler rechtschreibung
  klassiker passage textstelle metapher klischee skript script umsetzung aufführung inszenierung regie besetzung soundtrack zustand`
  .split(/\s+/)
  .filter(Boolean);

export const DE_VOCAB_FOLDED: ReadonlySet<string> = new Set(DE_ASPECT_VOCABULARY.map(foldGerman));
/** Folded vocabulary word -> as spelt ("band" -> "band", "grosse" -> "größe"). */
export const DE_VOCAB_SPELLING: ReadonlyMap<string, string> = new Map(DE_ASPECT_VOCABULARY.map((w) => [foldGerman(w), w]));

/** German plurals a stemmer cannot turn back into the word a shop would show. Folded keys. */
export const DE_SINGULAR: ReadonlyMap<string, string> = new Map(
  Object.entries({
    schuhe: "schuh", nähte: "naht", knöpfe: "knopf", fächer: "fach", gläser: "glas", füße: "fuß", tasten: "taste",
    patronen: "patrone", schrauben: "schraube", stangen: "stange", gurte: "gurt", löcher: "loch", teile: "teil", ecken: "ecke",
    figuren: "figur", bilder: "bild", wäschen: "wäsche", stiefel: "stiefel", betten: "bett", räder: "rad", kissen: "kissen",
    farben: "farbe", größen: "größe", taschen: "tasche", preise: "preis", zimmer: "zimmer", messer: "messer", kinder: "kind",
    socken: "socke", hosen: "hose", jacken: "jacke", kleider: "kleid", ärmel: "ärmel", träger: "träger", nähten: "naht",
    riemen: "riemen", sohlen: "sohle", kopfhörer: "kopfhörer", streifen: "streifen", schnürsenkel: "schnürsenkel",
    fotos: "foto", handys: "handy", bücher: "buch", romane: "roman", geschichten: "geschichte", charaktere: "charakter",
    seiten: "seite", szenen: "szene", texte: "text", dialoge: "dialog", erzählungen: "erzählung", kurzgeschichten: "kurzgeschichte",
    gedichte: "gedicht", stücke: "stück", theaterstücke: "theaterstück", illustrationen: "illustration", abbildungen: "abbildung",
    bände: "band", werke: "werk", themen: "thema", pointen: "pointe", verse: "vers", reime: "reim", ideen: "idee", cds: "cd",
    dvds: "dvd", filme: "film", lieder: "lied", anmerkungen: "anmerkung", fassungen: "fassung", ausgaben: "ausgabe", auflagen: "auflage", akkus: "akku", apps: "app", kabel: "kabel", geräte: "gerät", getränke: "getränk",
  }).map(([k, v]) => [foldGerman(k), v]),
);

/**
 * German aspects with an English counterpart share its key, so a shop with
 * reviews in both languages sees one "zipper" (and one emerging topic), not
 * "zipper" and "reißverschluss" apart. Folded German -> English key.
 */
export const DE_CONCEPTS: ReadonlyMap<string, string> = new Map(
  Object.entries({
    reißverschluss: "zipper", verschluss: "closure", akku: "battery", batterie: "battery", akkulaufzeit: "battery life", laufzeit: "battery life",
    qualität: "quality", verarbeitung: "workmanship", preis: "price", versand: "shipping", lieferung: "delivery", verpackung: "packaging",
    kundenservice: "customer service", kundendienst: "customer service", service: "service", support: "support", größe: "size",
    passform: "fit", farbe: "color", stoff: "fabric", material: "material", naht: "seam", sohle: "sole", leder: "leather", schuh: "shoe",
    zimmer: "room", personal: "staff", frühstück: "breakfast", lage: "location", bett: "bed", display: "screen", bildschirm: "screen",
    kamera: "camera", klang: "sound", lautsprecher: "speaker", ladekabel: "charging cable", kabel: "cable", armband: "strap", riemen: "strap",
    knopf: "button", tasche: "pocket", kapuze: "hood", ärmel: "sleeve", schnitt: "cut", länge: "length", gewicht: "weight", geruch: "smell",
    duft: "scent", essen: "food", rücksendung: "return", rückerstattung: "refund", garantie: "warranty", montage: "assembly", aufbau: "assembly",
    bedienungsanleitung: "instructions", anleitung: "instructions", app: "app", handy: "phone", uhr: "watch", jacke: "jacket", hose: "pants",
    kleid: "dress", stiefel: "boots", rucksack: "backpack", matratze: "mattress", kissen: "pillow", reinigung: "cleaning",
  }).map(([k, v]) => [foldGerman(k), v]),
);
