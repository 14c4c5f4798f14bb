import { describe, expect, it } from "vitest";
import { InsightsInputError, analyzeReview, detectLanguage } from "../src/index.js";

const aspect = (body: string, term: string) => {
  const found = analyzeReview({ body }).aspects.find((a) => a.term === term || a.key === term);
  if (!found) throw new Error(`no aspect ${term} in ${JSON.stringify(analyzeReview({ body }).aspects.map((a) => a.term))}`);
  return found;
};

describe("language", () => {
  it("tells English from German and gives und for other languages and for too little text", () => {
    expect(detectLanguage("The zipper broke after two weeks and the seller never answered.")).toBe("en");
    expect(detectLanguage("Der Reißverschluss ist nach zwei Wochen kaputt gegangen, der Händler antwortet nicht.")).toBe("de");
    expect(detectLanguage("La fermeture éclair s'est cassée après deux semaines, très déçue.")).toBe("und");
    expect(detectLanguage("Top!")).toBe("und");
  });

  it("takes the caller's language over detection", () => {
    expect(analyzeReview({ body: "Super Qualität, gerne wieder.", language: "de" }).language).toBe("de");
    expect(analyzeReview({ body: "Gift", language: "en" }).language).toBe("en");
  });
});

describe("polarity", () => {
  it("flips with negation, before the word and (German) after it", () => {
    expect(analyzeReview({ body: "The quality is good." }).polarity).toBeGreaterThan(0.3);
    expect(analyzeReview({ body: "The quality is not good." }).polarity).toBeLessThan(-0.3);
    expect(analyzeReview({ body: "Die Qualität ist gut." }).polarity).toBeGreaterThan(0.3);
    expect(analyzeReview({ body: "Die Qualität ist nicht gut." }).polarity).toBeLessThan(-0.3);
    expect(analyzeReview({ body: "Kein guter Kauf." }).polarity).toBeLessThan(-0.3);
    // Late negation: "gefällt mir nicht" negates the word before it.
    expect(analyzeReview({ body: "Die Jacke gefällt mir." }).polarity).toBeGreaterThan(0.3);
    expect(analyzeReview({ body: "Die Jacke gefällt mir nicht." }).polarity).toBeLessThan(-0.3);
    // "nicht schlecht" is faint praise, not a complaint.
    expect(analyzeReview({ body: "Die Tasche ist nicht schlecht." }).polarity).toBeGreaterThan(0);
  });

  it("calls slow delivery a complaint, but not a slow cooker", () => {
    expect(aspect("The delivery was slow.", "delivery").polarity).toBeLessThan(0);
    expect(analyzeReview({ body: "Slow shipping." }).polarity).toBeLessThan(0);
    expect(analyzeReview({ body: "A slow cooker for the family." }).polarity).toBe(0);
  });

  it("scales with intensifiers and diminishers", () => {
    const plain = analyzeReview({ body: "Die Sohle ist bequem." }).polarity;
    expect(analyzeReview({ body: "Die Sohle ist sehr bequem." }).polarity).toBeGreaterThan(plain);
    expect(analyzeReview({ body: "Die Sohle ist etwas bequem." }).polarity).toBeLessThan(plain);
    // "kaum" turns praise into a complaint.
    expect(analyzeReview({ body: "Das Essen war kaum genießbar." }).polarity).toBeLessThan(0);
    expect(analyzeReview({ body: "The strap is very comfortable." }).polarity).toBeGreaterThan(
      analyzeReview({ body: "The strap is comfortable." }).polarity,
    );
  });

  it("weighs the clause after 'aber' / 'but' over the clause before it", () => {
    expect(analyzeReview({ body: "Die Farbe ist schön, aber die Qualität ist schlecht." }).polarity).toBeLessThan(0);
    expect(analyzeReview({ body: "Die Qualität ist schlecht, aber die Farbe ist schön." }).polarity).toBeGreaterThan(0);
    expect(analyzeReview({ body: "The color is nice, but the quality is bad." }).polarity).toBeLessThan(0);
    expect(analyzeReview({ body: "The quality is bad, but the color is nice." }).polarity).toBeGreaterThan(0);
  });

  it("reads 'too' + a size word as a complaint", () => {
    expect(analyzeReview({ body: "The shoes are too small." }).polarity).toBeLessThan(-0.2);
    expect(analyzeReview({ body: "Die Hose ist viel zu eng." }).polarity).toBeLessThan(-0.2);
  });

  it("does not read German 'schon' (already) as 'schön', nor a 'druckt' (prints) as 'drückt'", () => {
    expect(analyzeReview({ body: "Das Buch habe ich schon zweimal gelesen.", language: "de" }).polarity).toBe(0);
    expect(analyzeReview({ body: "Der Drucker druckt zwanzig Seiten pro Minute.", language: "de" }).polarity).toBe(0);
    // Typed without umlauts, "schoen" is still "schön".
    expect(analyzeReview({ body: "Ein schoenes Buch.", language: "de" }).polarity).toBeGreaterThan(0.3);
  });

  it("takes German praise in the subjunctive as what the text could have been, recommending excepted", () => {
    expect(analyzeReview({ body: "Die Geschichte hätte spannend sein können.", language: "de" }).polarity).toBe(0);
    expect(analyzeReview({ body: "Ein gutes Ende wäre schön gewesen.", language: "de" }).polarity).toBe(0);
    expect(analyzeReview({ body: "Ich würde das Buch jedem empfehlen.", language: "de" }).polarity).toBeGreaterThan(0.3);
    expect(analyzeReview({ body: "Es könnte nicht besser sein.", language: "de" }).polarity).toBeGreaterThan(0.3);
  });

  it("lets a German verdict outweigh a retold plot full of dark nouns", () => {
    const plot = "Der Roman erzählt vom Krieg, vom Tod des Vaters, von Hass, Armut und Verrat. Die Mutter verliert alles.";
    expect(analyzeReview({ body: `${plot} Ein fesselndes Buch, lesenswert.`, language: "de" }).polarity).toBeGreaterThan(0.3);
    // The title is the verdict: one word of it outweighs mild praise in the body.
    expect(
      analyzeReview({
        title: "Langweilig",
        body: "Die Figuren sind sympathisch. Der Einband ist schön. Die Handlung dreht sich um einen Umzug.",
        language: "de",
      }).polarity,
    ).toBeLessThan(0);
    expect(
      analyzeReview({ body: "Nicht mein Fall. Zäh und vorhersehbar, reine Zeitverschwendung.", language: "de" }).polarity,
    ).toBeLessThan(-0.5);
  });

  describe("German rules for product, shop and service reviews", () => {
    const de = (body: string, title?: string) => analyzeReview({ body, title, language: "de" }).polarity;
    const en = (body: string) => analyzeReview({ body, language: "en" }).polarity;

    it('never gives "leider" a later "nicht" of its clause, and reads product idioms of wear', () => {
      expect(de("Leider ist der Kundendienst nicht erreichbar.")).toBeLessThan(-0.3);
      expect(de("Der Kundendienst ist gut erreichbar.")).toBeGreaterThan(0.3);
      expect(de("Der Akku hält kaum einen Tag.")).toBeLessThan(-0.3);
      expect(de("Akku ist nach einem Jahr hinüber.")).toBeLessThan(-0.3);
      expect(de("Funktioniert nur manchmal.")).toBeLessThan(-0.3);
      expect(de("Seit drei Wochen hat sich niemand gemeldet.")).toBeLessThan(-0.3);
    });

    it('reads "laut" before a noun as "according to", and a late "nicht" past "sich" and "überhaupt"', () => {
      expect(de("Der Akku hält laut Beschreibung zehn Stunden.")).toBe(0);
      expect(de("Die Reparatur lohnt sich laut Werkstatt nicht.")).toBeLessThan(-0.3);
      expect(de("Beim Brot stimmte die Wassermenge überhaupt nicht.")).toBeLessThan(-0.3);
      expect(de("Die Disc lässt sich nicht abspielen.")).toBeLessThan(-0.3);
      expect(de("Weich sind sie ja, aber so nicht brauchbar.")).toBeLessThan(-0.3);
    });

    it('shifts a negated strong praise word ("nicht perfekt") rather than flipping it', () => {
      // "Not perfect" is a small flaw, milder than "not good", which stays a complaint.
      expect(de("Perfekt ist er nicht.")).toBeGreaterThan(de("Gut ist er nicht."));
      expect(de("Gut ist er nicht.")).toBeLessThan(-0.3);
      expect(en("It is not perfect.")).toBeGreaterThan(en("It is not good."));
      expect(en("It is not good.")).toBeLessThan(-0.3);
    });

    it('gives a late "kein" to the noun after it, and a clause-final one to the word before', () => {
      expect(de("Dank dem Rahmen keine Blasen.")).toBeGreaterThanOrEqual(0);
      expect(de("Probleme hatte ich bisher keine.")).toBeGreaterThan(0);
    });

    it('lets a noun after its clause\'s article take the clause-final "nicht", and reads regret denied as praise', () => {
      expect(de("Das Problem habe ich hier nicht.")).toBeGreaterThan(0);
      expect(de("Den Umstieg bereue ich nicht.")).toBeGreaterThan(0);
    });

    it('reads "zu" before praise as too much of it, but not before a verb', () => {
      expect(de("Der Hüftgurt ist zu weich.")).toBeLessThan(-0.3);
      expect(de("Das Licht ist zu hell.")).toBeLessThan(-0.3);
      expect(de("Kann ich nur zu empfehlen.")).toBeGreaterThan(0.3);
    });

    it("reads common verdict phrases of product reviews", () => {
      expect(de("Macht was es soll.")).toBeGreaterThan(0.3);
      expect(de("Erfüllt seinen Zweck.")).toBeGreaterThan(0.3);
      expect(de("Nichts zu meckern.")).toBeGreaterThan(0);
      expect(de("Würde ich nicht nochmal kaufen.")).toBeLessThan(-0.3);
      expect(de("Hat nach einem Monat den Geist aufgegeben.")).toBeLessThan(-0.3);
      expect(de("Die Qualität lässt zu wünschen übrig.")).toBeLessThan(-0.3);
      expect(de("Spart euch das Geld.")).toBeLessThan(-0.3);
    });

    it('lets "ohne" negate up to its own noun only, and an adjective before a noun of the other sign only say how much', () => {
      expect(de("Lief ohne größere Probleme.")).toBeGreaterThan(0);
      expect(de("Große Probleme mit dem Akku.")).toBeLessThan(-0.3);
      // "gut" is past the noun of "ohne".
      expect(de("Ohne Werkzeug gut aufgebaut.")).toBeGreaterThan(0.3);
      expect(de("Kein guter Kauf.")).toBeLessThan(-0.3);
    });

    it('reads emoji, "nix" as a negation, and colloquial praise', () => {
      expect(de("Mega!! 😍😍")).toBeGreaterThan(0.3);
      expect(de("Hammer Teil 🔥🔥🔥")).toBeGreaterThan(0.3);
      expect(de("Naja 👎")).toBeLessThan(-0.3);
      expect(de("nix funktioniert, gar nix")).toBeLessThan(-0.3);
      expect(de("Kann man nicht besser machen.")).toBeGreaterThan(0.3);
      expect(de("Konnte es nicht mehr weglegen.")).toBeGreaterThan(0.3);
    });

    it("reads the broader review vocabulary: wear, faults, fit, service, hotels, verdict nouns and phrases", () => {
      // Each of these scored 0, or the wrong sign, before the words and phrases were in the tables.
      expect(de("Die Naht ist nach dem ersten Waschen durchgescheuert.")).toBeLessThan(-0.3);
      expect(de("Das Bild ruckelt und der Lüfter fiept.")).toBeLessThan(-0.3);
      expect(de("Das Zimmer war versifft und heruntergekommen.")).toBeLessThan(-0.3);
      expect(de("Der Kundendienst hat mich vertröstet und abgewimmelt.")).toBeLessThan(-0.3);
      expect(de("Die Hose kneift im Schritt.")).toBeLessThan(-0.3);
      expect(de("Das war ein Griff ins Klo.")).toBeLessThan(-0.3);
      expect(de("Geld zum Fenster rausgeworfen.")).toBeLessThan(-0.3);
      expect(de("Ein echter Volltreffer!")).toBeGreaterThan(0.3);
      expect(de("Das Kleid ist ein Traum.")).toBeGreaterThan(0.3);
      expect(de("Der Verkäufer war kulant und zuvorkommend.")).toBeGreaterThan(0.3);
      expect(de("Jeden Cent wert.")).toBeGreaterThan(0.3);
      expect(de("Alles tipptopp, wir kommen gerne wieder.")).toBeGreaterThan(0.3);
      expect(de("Keinerlei Probleme seit dem Kauf.")).toBeGreaterThan(0);
      // "Top" is praise, but "das Top" is a garment.
      expect(de("Qualität top.")).toBeGreaterThan(0.3);
      expect(de("Das Top ist leider durchsichtig.")).toBeLessThan(-0.3);
    });

    it("reads a rating stated in the text, denied or deducted", () => {
      expect(de("Nur 1 Stern.")).toBeLessThan(-0.5);
      expect(de("Volle 5 Sterne!")).toBeGreaterThan(0.5);
      expect(de("Die Farbe ist okay, 2 von 5 Sternen.")).toBeLessThan(-0.5);
      // "keinen" is the count here, not a negation of the rating.
      expect(de("Keinen Stern.")).toBeLessThan(-0.5);
      expect(de("Keine 5 Sterne.")).toBeLessThan(-0.5);
      expect(de("Nicht mal einen Stern wert.")).toBeLessThan(-0.5);
      // One star off is a mild complaint, not a one-star verdict.
      expect(de("Ein Stern Abzug wegen der Farbe.")).toBeGreaterThan(de("Nur 1 Stern."));
      expect(de("Ein Stern Abzug wegen der Farbe.")).toBeLessThan(0);
    });

    it("negates with 'niemandem', 'alles andere als', 'X ist etwas anderes' and a 'nicht' at the end of a topicalised clause", () => {
      expect(de("Kann ich niemandem empfehlen.")).toBeLessThan(-0.5);
      expect(de("Alles andere als gut.")).toBeLessThan(-0.5);
      expect(de("Weit entfernt von gut.")).toBeLessThan(-0.5);
      expect(de("Gut ist etwas anderes.")).toBeLessThan(-0.5);
      expect(de("Schön ist anders.")).toBeLessThan(-0.5);
      expect(de("Empfehlen kann ich es nicht.")).toBeLessThan(-0.5);
      expect(de("Zufrieden bin ich damit überhaupt nicht.")).toBeLessThan(-0.5);
    });

    it("reads an idiom past a comma but not past its sentence", () => {
      expect(de("Hält nicht, was es verspricht.")).toBeLessThan(-0.5);
      expect(de("Hält, was es verspricht.")).toBeGreaterThan(0.5);
      expect(de("Der Akku hält nicht lange.")).toBeLessThan(-0.5);
      expect(de("Der Akku hält ewig.")).toBeGreaterThan(0.5);
    });

    it("knows the words of product, hotel, restaurant and app reviews", () => {
      for (const bad of [
        "Klappert und wackelt.",
        "Hatte mir mehr erwartet.",
        "Bestellung kam nie an.",
        "Der Kundenservice reagiert nicht.",
        "Nicht kaufen!",
        "Das Zimmer war muffig und hellhörig.",
        "Das Essen war versalzen und verkocht.",
        "Die App hängt sich auf.",
        "Überteuert.",
        "Würde ich nicht wieder kaufen.",
        "Diese Lektürehilfe hat mir überhaupt nicht geholfen.",
      ])
        expect(de(bad), bad).toBeLessThan(-0.5);
      for (const good of [
        "Würde ich jederzeit wieder kaufen.",
        "Daumen hoch.",
        "Lässt sich leicht reinigen.",
        "Köstlich!",
        "Preislich unschlagbar.",
        "Genau wie beschrieben.",
      ])
        expect(de(good), good).toBeGreaterThan(0.5);
    });

    it("takes a letter's closing for no verdict, and a 'Fazit' wherever it stands for one", () => {
      expect(de("Beste Grüße, Andreas")).toBe(0);
      expect(
        de("Ich habe die Jacke im Mai bestellt. Fazit: enttäuschend. Sie kam in einem Karton. Er war grau. Sie ist blau."),
      ).toBeLessThan(de("Ich habe die Jacke im Mai bestellt. Es war enttäuschend. Sie kam in einem Karton. Er war grau. Sie ist blau."));
    });
  });

  it("stays in [-1, 1] and is deterministic", () => {
    const long = "Terrible awful horrible broken junk. ".repeat(200);
    const a = analyzeReview({ body: long });
    expect(a.polarity).toBeGreaterThanOrEqual(-1);
    expect(a.polarity).toBeLessThan(0);
    expect(analyzeReview({ body: long })).toEqual(a);
  });
});

describe("aspects", () => {
  it("finds English noun phrases with their own polarity and quote", () => {
    const r = analyzeReview({ body: "The zipper broke after two weeks, but the customer service was great." });
    const zipper = r.aspects.find((a) => a.term === "zipper")!;
    const service = r.aspects.find((a) => a.term === "customer service")!;
    expect(zipper.polarity).toBeLessThan(0);
    expect(service.polarity).toBeGreaterThan(0);
    expect(zipper.quote).toBe("The zipper broke after two weeks");
    expect(service.quote).toBe("but the customer service was great");
    const body = "The zipper broke after two weeks, but the customer service was great.";
    expect(body.slice(zipper.start, zipper.end)).toBe(zipper.quote);
    expect(body.slice(zipper.termStart, zipper.termEnd)).toBe("zipper");
  });

  it("singularises English heads and skips people and generic nouns", () => {
    const r = analyzeReview({ body: "My husband loves these shoes. The laces are too short." });
    expect(r.aspects.map((a) => a.term)).toEqual(["shoe", "lace"]);
    expect(r.aspects[1]!.polarity).toBeLessThan(0);
  });

  it('keeps "battery life" and "delivery time", though "life" and "time" alone are no aspect', () => {
    const r = analyzeReview({ body: "The battery life is great. The delivery time was far too long. It changed my life, every time." });
    expect(r.aspects.map((a) => a.term)).toEqual(["battery life", "delivery time"]);
    expect(r.aspects[0]!.polarity).toBeGreaterThan(0);
    expect(r.aspects[1]!.polarity).toBeLessThan(0);
  });

  it("skips pronouns that compromise tags as nouns and words about the review rather than the product", () => {
    const r = analyzeReview({
      body: "The shop answered my question about the zipper. My partner ordered one too after seeing mine.",
    });
    expect(r.aspects.map((a) => a.term)).toEqual(["shop", "zipper"]);
  });

  it('skips a particle after "a bit" and a comparative before "than", which compromise tags as nouns', () => {
    expect(analyzeReview({ body: "Fine, though the colour is a bit off." }).aspects.map((a) => a.term)).toEqual(["colour"]);
    expect(analyzeReview({ body: "The strap is lighter than my old one." }).aspects.map((a) => a.term)).toEqual(["strap"]);
    // A lighter that is one stays an aspect.
    expect(analyzeReview({ body: "The lighter broke after a week." }).aspects.map((a) => a.term)).toEqual(["lighter"]);
  });

  it("handles German compounds: the whole compound is the term, its last known part the head", () => {
    const a = aspect("Die Akkulaufzeit ist leider eine Katastrophe.", "akkulaufzeit");
    expect(a.head).toBe("laufzeit");
    expect(a.key).toBe("battery life");
    expect(a.polarity).toBeLessThan(0);
    expect(aspect("Die Bluetooth-Verbindung bricht ständig ab.", "bluetooth-verbindung").head).toBe("verbindung");
  });

  it("gives German and English mentions of the same thing one key, across spellings and plurals", () => {
    expect(aspect("Der Reißverschluss klemmt, sehr ärgerlich.", "reißverschluss").key).toBe("zipper");
    expect(aspect("Der Reissverschluss klemmt, sehr ärgerlich.", "reissverschluss").key).toBe("zipper");
    expect(aspect("The zipper gets stuck, very annoying.", "zipper").key).toBe("zipper");
    expect(aspect("Die Akkus halten nicht lange.", "akku").key).toBe("battery");
  });

  it("finds capitalised German nouns but not sentence-initial adjectives, and clause-level polarity after 'aber'", () => {
    const r = analyzeReview({ body: "Tolle Jacke, aber der Reißverschluss ist nach einer Woche kaputt." });
    expect(r.aspects.map((a) => a.term)).toEqual(["jacke", "reißverschluss"]);
    expect(r.aspects[0]!.polarity).toBeGreaterThan(0);
    expect(r.aspects[1]!.polarity).toBeLessThan(0);
    expect(r.aspects[1]!.quote).toBe("aber der Reißverschluss ist nach einer Woche kaputt");
  });

  it("finds German nouns in text written in lower case through the vocabulary", () => {
    expect(
      analyzeReview({ body: "die akkulaufzeit ist echt schlecht und das display zu dunkel", language: "de" }).aspects.map((a) => a.term),
    ).toEqual(["akkulaufzeit", "display"]);
  });

  describe("German rules for real reviews (Amazon.de books in bench/aspects.ts)", () => {
    const terms = (body: string) => analyzeReview({ body, language: "de" }).aspects.map((a) => a.term);

    it("in a review of a book or a play, takes the vocabulary's nouns, not the story's people and things", () => {
      expect(
        terms("Ein bewegender Roman. Harold erhält einen Brief von seiner Kollegin Queenie. Die Sprache ist schlicht, das Ende traurig."),
      ).toEqual(["roman", "sprache"]);
    });

    it("without a word of the story kind, keeps a product's nouns, in the vocabulary or not", () => {
      expect(terms("Der Mixer ist laut, aber der Motor hat viel Kraft.")).toEqual(["mixer", "motor", "kraft"]);
      expect(terms("Der Drucker druckt schnell.")).toEqual(["drucker"]);
    });

    it("splits no compound after a verb's prefix or before a modifier without a vowel", () => {
      expect(terms("Erniedrigung und Misshandlung ziehen sich durch das ganze Stück.")).toEqual(["stück"]);
      expect(terms("Die Jacke ist schlicht.")).toEqual(["jacke"]);
    });

    it("recognises vocabulary nouns under case endings, as their singular", () => {
      expect(terms("In den beiden Theaterstücken dieses Buches stören die holprigen Versen.")).toEqual(["theaterstück", "buch", "vers"]);
    });

    it("takes a two-letter vocabulary noun and an apostrophe plural", () => {
      expect(terms("Die sieben CD's klingen gut.")).toEqual(["cd"]);
    });

    it("keeps -nis words whole", () => {
      expect(terms("Das Preis-Leistungs-Verhältnis und das Ergebnis sind gut.")).toEqual(["preis-leistungs-verhältnis", "ergebnis"]);
    });

    it('keeps "Preis" whole, and takes "lange" for no "Länge"', () => {
      expect(terms("Der Preis ist gut, aber der Akku hält nicht lange.")).toEqual(["preis", "akku"]);
    });

    it("takes no name under a letter's closing, nor nouns that say how it went rather than what", () => {
      expect(terms("Den Kundenservice gefragt, leider ohne Erfolg. Beste Grüße, Andreas")).toEqual(["kundenservice"]);
      expect(terms("Im Vergleich zum Vorgänger ist das Display heller, nach einem Monat im Einsatz. Zum Glück passt die Hülle.")).toEqual([
        "vorgänger",
        "display",
        "hülle",
      ]);
    });

    it('takes no "Einfach" at a sentence\'s start for a noun', () => {
      expect(terms("Einfach, schnell und gut verarbeitet.")).toEqual([]);
    });
  });

  describe("German rules for shop reviews (the blind product set's tuning half in bench/aspects.ts)", () => {
    const terms = (body: string) => analyzeReview({ body, language: "de" }).aspects.map((a) => a.term);

    it("reads no lower-case word as a compound noun where the text capitalises its nouns", () => {
      expect(terms("Ich habe nachgemessen: Der Tisch ist einfacher aufzubauen als gedacht.")).toEqual(["tisch"]);
      expect(terms("hab nachgemessen, der tisch ist stabil und die akkulaufzeit vom schrauber top")).toContain("akkulaufzeit");
    });

    it("takes no time, place, person, body part, pet or unit around the product, nor an adverb opening a sentence", () => {
      expect(
        terms(
          "Die Lampe steht im Schlafzimmer, liegt gut in der Hand und hält auch im Winter bei zwei Grad. Meine Schwester und der Hund mögen sie auf jeden Fall.",
        ),
      ).toEqual(["lampe"]);
      expect(terms("Vorher hatte ich eine vom Discounter.")).toEqual(["discounter"]);
    });

    it("takes an opinion word opening a sentence before a comma or a verb for no noun", () => {
      expect(terms("Bequem, auch nach acht Stunden. Stabil ist er auch, der Bezug ebenso.")).toEqual(["bezug"]);
    });

    it('takes a verb after "beim" or "zum" for an activity, not a thing', () => {
      expect(terms("Beim Renovieren und zum Einstellen nutze ich den Laser, beim Händler gekauft.")).toEqual(["laser", "händler"]);
    });

    it('takes "Bücher" alone for books in general, not for a book review', () => {
      expect(terms("Die Böden biegen sich schon ohne Bücher durch, die Rückwand ist zu klein.")).toContain("rückwand");
      expect(terms("Das Buch ist spannend, die Rückwand des Hauses kommt vor.")).toEqual(["buch"]);
    });

    it("knows clothes in lower-case text and a book's Schluss", () => {
      expect(terms("die hose sitzt gut, die jacke auch")).toEqual(["hose", "jacke"]);
      expect(terms("Der Roman ist gut, der Schluss überrascht.")).toEqual(["roman", "schluss"]);
    });
  });

  it("takes aspects from the title too, with offsets into the title", () => {
    const r = analyzeReview({ title: "Zipper broke", body: "Otherwise a nice coat." });
    const z = r.aspects.find((a) => a.term === "zipper")!;
    expect(z.field).toBe("title");
    expect("Zipper broke".slice(z.start, z.end)).toBe(z.quote);
  });
});

describe("bad input", () => {
  it("throws a typed error for a missing body or an unknown language", () => {
    expect(() => analyzeReview({ body: undefined as unknown as string })).toThrow(InsightsInputError);
    expect(() => analyzeReview({ body: "ok", language: "fr" as "en" })).toThrow(/language "en", "de" or "und"/);
    try {
      analyzeReview({ body: 5 as unknown as string });
    } catch (e) {
      expect((e as InsightsInputError).code).toBe("INVALID_INPUT");
    }
  });

  it("returns und, no aspects and a neutral polarity for empty text", () => {
    expect(analyzeReview({ body: "" })).toEqual({ language: "und", polarity: 0, aspects: [] });
  });
});
