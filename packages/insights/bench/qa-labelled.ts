/**
 * A small labelled set for "which reviews answer this question" (product
 * Q&A): four products, two English and two German, each with reviews and
 * questions we wrote ourselves (synthetic, Apache-2.0 like this package).
 *
 * How it was labelled: each review was written to speak about one or two
 * named topics of its product (the comment after it), each question asks
 * about one topic, and a review is relevant to a question when it says
 * something that answers it, whichever words it uses (we read each pair;
 * a review that only names the topic without answering is not relevant).
 * Questions were worded as a shopper would, often with other word forms or
 * words than the reviews (stemming and compounds matter), and a few have no
 * answer in the reviews at all (then any suggestion is a wrong one).
 */
export interface LabelledProduct {
  readonly name: string;
  readonly language: "en" | "de";
  readonly reviews: readonly { id: string; text: string }[];
  readonly questions: readonly { text: string; relevant: readonly string[] }[];
}

export const LABELLED: readonly LabelledProduct[] = [
  {
    name: "tent",
    language: "en",
    reviews: [
      { id: "t1", text: "Survived two nights of heavy rain on Dartmoor without a single drip inside. The seams are taped well." }, // waterproof
      { id: "t2", text: "Pitching takes about five minutes once you have done it once; the colour-coded poles help a lot." }, // setup
      { id: "t3", text: "At 2.1 kg it is light enough for backpacking trips, though not ultralight." }, // weight
      { id: "t4", text: "Two adults fit fine, but there is no room for the rucksacks inside, they go in the porch." }, // space
      { id: "t5", text: "Condensation was bad on cold mornings; the inner tent was wet on the inside." }, // condensation
      { id: "t6", text: "Stood up to strong gusts on a windy ridge, the guy lines kept it stable." }, // wind
      { id: "t7", text: "Nice green colour that blends into the forest. Delivery was quick." }, // colour, delivery
      { id: "t8", text: "The zipper on the door broke after three trips. Customer service sent a replacement." }, // zipper, service
      { id: "t9", text: "Packs down small and fits in the side pocket of my 40 litre pack." }, // pack size
      { id: "t10", text: "Waterproof fly, but the groundsheet let water through when we camped on wet grass." }, // waterproof
      { id: "t11", text: "Setting it up alone in the dark was easy, even in the wind." }, // setup, wind
      { id: "t12", text: "Great value for the price, I would buy it again." }, // value
    ],
    questions: [
      { text: "Is it waterproof in heavy rain?", relevant: ["t1", "t10"] },
      { text: "How long does it take to pitch?", relevant: ["t2", "t11"] },
      { text: "How much does the tent weigh?", relevant: ["t3"] },
      { text: "Is there space for two people and their bags?", relevant: ["t4"] },
      { text: "Does it handle windy conditions?", relevant: ["t6", "t11"] },
      { text: "Any problems with condensation?", relevant: ["t5"] },
      { text: "Is the zip durable?", relevant: ["t8"] },
      { text: "How small does it pack?", relevant: ["t9"] },
      { text: "Can I use it in snow at minus 20?", relevant: [] },
      { text: "Is the setup easy for one person?", relevant: ["t11", "t2"] },
    ],
  },
  {
    name: "headphones",
    language: "en",
    reviews: [
      { id: "h1", text: "Battery lasts around 30 hours for me, charging is quick over USB-C." }, // battery
      { id: "h2", text: "The noise cancelling blocks out the train completely; great for commuting." }, // ANC
      { id: "h3", text: "They get uncomfortable after two hours, the ear cushions press on my glasses." }, // comfort
      { id: "h4", text: "Pairing with my iPhone and laptop at the same time works; switching is automatic." }, // multipoint
      { id: "h5", text: "Bass is punchy but the treble is a bit harsh at high volume." }, // sound
      { id: "h6", text: "Microphone quality on calls is poor, people said I sounded far away." }, // mic
      { id: "h7", text: "Folded, they fit in the included hard case, which is sturdy." }, // case
      { id: "h8", text: "Battery life dropped after a year, now about 15 hours per charge." }, // battery
      { id: "h9", text: "Comfortable even on a long-haul flight, the headband is soft." }, // comfort, ANC-ish flight
      { id: "h10", text: "The app lets you adjust the equaliser, which fixed the harsh highs." }, // app, sound
      { id: "h11", text: "Arrived in two days, well packaged." }, // delivery
    ],
    questions: [
      { text: "How long does the battery last?", relevant: ["h1", "h8"] },
      { text: "Is the noise cancellation good on trains and planes?", relevant: ["h2"] },
      { text: "Are they comfortable with glasses?", relevant: ["h3"] },
      { text: "Can I connect two devices at once?", relevant: ["h4"] },
      { text: "How is the mic for phone calls?", relevant: ["h6"] },
      { text: "Do they come with a carrying case?", relevant: ["h7"] },
      { text: "Can you change the EQ settings?", relevant: ["h10"] },
      { text: "Are they comfortable for long flights?", relevant: ["h9"] },
      { text: "Do they work with a PlayStation?", relevant: [] },
    ],
  },
  {
    name: "Kaffeemaschine",
    language: "de",
    reviews: [
      { id: "k1", text: "Der Kaffee schmeckt kräftig und die Crema ist schön dick." }, // Geschmack
      { id: "k2", text: "Das Entkalken ist umständlich, man muss das Programm jedes Mal über das Menü starten." }, // Entkalkung
      { id: "k3", text: "Sehr laut beim Mahlen der Bohnen, morgens weckt sie die ganze Familie." }, // Lautstärke
      { id: "k4", text: "Der Milchaufschäumer macht perfekten Milchschaum für Cappuccino." }, // Milch
      { id: "k5", text: "Nach acht Monaten ist die Pumpe kaputt gegangen, der Kundendienst war langsam." }, // Haltbarkeit, Service
      { id: "k6", text: "Der Wassertank fasst 1,8 Liter und lässt sich leicht herausnehmen." }, // Wassertank
      { id: "k7", text: "Die Reinigung der Brüheinheit geht schnell unter dem Wasserhahn." }, // Reinigung
      { id: "k8", text: "Das Mahlwerk lässt sich in fünf Stufen einstellen, auch für Espresso fein genug." }, // Mahlgrad
      { id: "k9", text: "Optisch schick in Edelstahl, passt gut in unsere Küche." }, // Aussehen
      { id: "k10", text: "Die Milchschaumdüse verstopft schnell, wenn man sie nicht sofort reinigt." }, // Milch, Reinigung
      { id: "k11", text: "Die Lautstärke ist erträglich, leiser als unsere alte Maschine." }, // Lautstärke
    ],
    questions: [
      { text: "Wie laut ist die Maschine?", relevant: ["k3", "k11"] },
      { text: "Wie aufwendig ist die Entkalkung?", relevant: ["k2"] },
      { text: "Kann man damit Milch aufschäumen?", relevant: ["k4", "k10"] },
      { text: "Wie groß ist der Tank für das Wasser?", relevant: ["k6"] },
      { text: "Lässt sich der Mahlgrad verstellen?", relevant: ["k8"] },
      { text: "Ist die Reinigung einfach?", relevant: ["k7", "k10"] },
      { text: "Wie lange hält die Maschine?", relevant: ["k5"] },
      { text: "Gibt es eine App-Steuerung?", relevant: [] },
    ],
  },
  {
    name: "Wanderschuh",
    language: "de",
    reviews: [
      { id: "w1", text: "Die Schuhe sind wasserdicht, auch bei Regen den ganzen Tag blieben die Füße trocken." }, // Wasserdichtheit
      { id: "w2", text: "Fallen eine halbe Nummer kleiner aus, ich habe sie eine Größe größer bestellt." }, // Größe
      { id: "w3", text: "Die Sohle hat guten Grip auf nassen Felsen." }, // Sohle/Grip
      { id: "w4", text: "Nach 300 Kilometern ist die Sohle noch kaum abgelaufen." }, // Haltbarkeit Sohle
      { id: "w5", text: "Sehr bequem ab dem ersten Tag, keine Blasen auf der Alpenüberquerung." }, // Komfort
      { id: "w6", text: "Im Sommer wird es darin ziemlich warm, die Atmungsaktivität ist mäßig." }, // Atmung/Wärme
      { id: "w7", text: "Für breite Füße zu schmal im Vorfußbereich." }, // Passform breite Füße
      { id: "w8", text: "Die Schnürung hält gut, die Schnürsenkel gehen nicht von allein auf." }, // Schnürung
      { id: "w9", text: "Leicht für einen Wanderstiefel, ein Paar wiegt etwa 1,1 kg." }, // Gewicht
      { id: "w10", text: "Die Farbe ist schöner als auf den Fotos." }, // Farbe
      { id: "w11", text: "Nach einem Jahr ist die Membran undicht geworden, bei Nässe werden die Socken feucht." }, // Wasserdichtheit
    ],
    questions: [
      { text: "Sind die Schuhe wasserdicht?", relevant: ["w1", "w11"] },
      { text: "Fällt die Größe normal aus?", relevant: ["w2"] },
      { text: "Wie ist der Grip auf nassem Untergrund?", relevant: ["w3"] },
      { text: "Passen sie bei breiten Füßen?", relevant: ["w7"] },
      { text: "Wie schwer sind die Stiefel?", relevant: ["w9"] },
      { text: "Wird es im Sommer zu warm in den Schuhen?", relevant: ["w6"] },
      { text: "Wie haltbar ist die Sohle?", relevant: ["w4"] },
      { text: "Gibt es die auch in Kindergrößen?", relevant: [] },
    ],
  },
];
