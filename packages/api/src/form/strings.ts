/** The review form's words, in English and German. */
export const FORM_LANGS = ["en", "de"] as const;
export type FormLang = (typeof FORM_LANGS)[number];

export const FORM_STRINGS = {
  en: {
    title: "Write a review",
    product: "Your review of {name}",
    rating: "Your rating",
    star: "{n} of 5 stars",
    reviewTitle: "Title",
    body: "Your review",
    name: "Name shown with your review",
    trap: "Leave this field empty",
    submit: "Send review",
    sending: "Sending…",
    thanks: "Thank you! Your review is published.",
    another: "Write another review",
    notice:
      "Your review is published with your name and labelled “not verified” (it is not tied to an order). Reviews sent here count fully in the rating.",
    summary: "Please check: {fields}.",
    err_rating: "Choose from 1 to 5 stars.",
    err_title: "Give your review a title (up to 200 characters).",
    err_body: "Write a few words about the product (up to 10,000 characters).",
    "err_reviewer.name": "Enter the name to show with your review (up to 100 characters).",
    err_general: "Your review could not be sent. Please try again.",
    err_rate: "Too many reviews were sent from this connection. Please try again later.",
    err_setup: "This review form is not set up correctly (unknown shop key or product).",
  },
  de: {
    title: "Bewertung schreiben",
    product: "Ihre Bewertung von {name}",
    rating: "Ihre Bewertung",
    star: "{n} von 5 Sternen",
    reviewTitle: "Titel",
    body: "Ihre Bewertung",
    name: "Name, der mit Ihrer Bewertung erscheint",
    trap: "Dieses Feld leer lassen",
    submit: "Bewertung senden",
    sending: "Wird gesendet…",
    thanks: "Vielen Dank! Ihre Bewertung ist veröffentlicht.",
    another: "Weitere Bewertung schreiben",
    notice:
      "Ihre Bewertung erscheint mit Ihrem Namen und dem Hinweis „nicht verifiziert“ (sie ist an keine Bestellung gebunden). Hier gesendete Bewertungen zählen voll in der Gesamtbewertung.",
    summary: "Bitte prüfen: {fields}.",
    err_rating: "Wählen Sie 1 bis 5 Sterne.",
    err_title: "Geben Sie Ihrer Bewertung einen Titel (bis zu 200 Zeichen).",
    err_body: "Schreiben Sie ein paar Worte zum Produkt (bis zu 10.000 Zeichen).",
    "err_reviewer.name": "Geben Sie den Namen ein, der mit Ihrer Bewertung erscheint (bis zu 100 Zeichen).",
    err_general: "Ihre Bewertung konnte nicht gesendet werden. Bitte versuchen Sie es erneut.",
    err_rate: "Von dieser Verbindung wurden zu viele Bewertungen gesendet. Bitte versuchen Sie es später erneut.",
    err_setup: "Dieses Bewertungsformular ist nicht richtig eingerichtet (unbekannter Shop-Schlüssel oder Produkt).",
  },
} as const satisfies Record<FormLang, Record<string, string>>;
