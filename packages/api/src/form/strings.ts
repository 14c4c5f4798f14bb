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
    thanksPending: "Thank you! This shop checks reviews before they appear; yours will be shown once it is approved.",
    another: "Write another review",
    notice: "Your review is shown with your name and labelled “not verified” (it is not tied to an order).",
    noticeVerified:
      "You were invited to review this product after your purchase: your review is shown with your name and labelled “Verified purchase”.",
    thanksVerified: "It is labelled “Verified purchase”.",
    err_invitation_invalid:
      "This review link is not valid (it may have been copied incompletely). Please use the link from your e-mail as it is.",
    err_invitation_expired: "This review link has expired, so the review cannot be marked as a verified purchase.",
    err_invitation_used: "A review was already written with this link; each purchase can be reviewed once.",
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
    thanksPending: "Vielen Dank! Dieser Shop prüft Bewertungen vor der Veröffentlichung; Ihre erscheint, sobald sie freigegeben ist.",
    another: "Weitere Bewertung schreiben",
    notice: "Ihre Bewertung erscheint mit Ihrem Namen und dem Hinweis „nicht verifiziert“ (sie ist an keine Bestellung gebunden).",
    noticeVerified:
      "Sie wurden nach Ihrem Kauf zu dieser Bewertung eingeladen: Ihre Bewertung erscheint mit Ihrem Namen und dem Hinweis „Verifizierter Kauf“.",
    thanksVerified: "Sie ist als „Verifizierter Kauf“ gekennzeichnet.",
    err_invitation_invalid:
      "Dieser Bewertungslink ist ungültig (vielleicht wurde er unvollständig kopiert). Bitte verwenden Sie den Link aus Ihrer E-Mail unverändert.",
    err_invitation_expired:
      "Dieser Bewertungslink ist abgelaufen; die Bewertung kann nicht mehr als verifizierter Kauf gekennzeichnet werden.",
    err_invitation_used: "Mit diesem Link wurde bereits eine Bewertung geschrieben; jeder Kauf kann einmal bewertet werden.",
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
