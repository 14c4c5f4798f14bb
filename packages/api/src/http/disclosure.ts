/**
 * The disclosure page a shop's rating badge links to: how its reviews are
 * collected, checked, moderated and turned into the displayed rating —
 * generated from the shop's actual settings and data, never from a template
 * of promises. EU consumer law (Omnibus directive, UCPD Annex I 23b) requires
 * a trader to say whether and how it checks that reviews come from real buyers.
 */
import { DEFAULT_SCORING_OPTIONS, FULL_WEIGHT_BP } from "@starling/scoring";
import type { Request, Response } from "express";
import type { ShopDoc } from "../features/shops/model.js";
import type { Deps } from "../features/deps.js";
import { REJECTION_REASONS, publicationReport, type PublicationRow } from "../features/moderation/moderation.js";
import { loadRatings, shopSummaryId } from "../features/ratings/ratings.js";
import { escapeHtml } from "../../../sdk/src/widget/escape-html.js";

const pct = (x: number | null) => (x === null ? "–" : `${(100 * x).toFixed(0)} %`);

/** What the page states, as read from the shop's settings and data and from the code's own constants. */
export interface DisclosureFacts {
  shopName: string;
  moderation: ShopDoc["moderation"];
  published: number;
  provenance: Record<string, number>;
  /** Reviews held back now (quarantined). */
  quarantined: number;
  report: PublicationRow[];
  priorMean: number;
  /** The strength the ratings use now: fitted by `recompute --rescore`, else the configured STARLING_PRIOR_STRENGTH. */
  priorStrength: number;
  priorFitted: boolean;
}

/** The constants behind the page's claims about the code: each sentence below is generated from one of them. */
export const DISCLOSURE_CONSTANTS = {
  /** Lowest weight a review counts with in the rating (@starling/scoring's floor), as a share of a normal review. */
  minWeight: DEFAULT_SCORING_OPTIONS.minWeightBp / FULL_WEIGHT_BP,
  /** The longest window the burst detector scans, in hours. */
  burstWindowHours: DEFAULT_SCORING_OPTIONS.windowMs / 3_600_000,
  rejectionReasons: Object.values(REJECTION_REASONS),
} as const;

/**
 * Every sentence of the page, by what makes it true (test/disclosure.test.ts
 * ties each one to that setting, constant or behaviour). Nothing is said
 * that is not generated from one of them.
 */
export function disclosureClaims(f: DisclosureFacts) {
  const c = DISCLOSURE_CONSTANTS;
  const verified = f.provenance.VERIFIED_PURCHASE ?? 0;
  const weight = String(c.minWeight);
  return {
    /** Provenance counts (data) and invitation tokens (features/invitations/invitations.ts: signed, single-use, per product, expiring). */
    verification:
      verified > 0
        ? `Reviews labelled <strong>Verified purchase</strong> (${verified} of ${f.published} published) were written through a single-use link that the shop made for an order line of that product; the link is signed, works once, only for that product, and expires. Other reviews are labelled with how they arrived (invited by the shop, written unprompted, or imported from another platform) and were <strong>not</strong> checked against orders.`
        : `This shop does <strong>not</strong> currently check reviews against orders: none of its ${f.published} published reviews is a verified purchase. Each review is labelled with how it arrived (invited by the shop, written unprompted, or imported from another platform).`,
    /** The shop's moderation setting (setModerationMode). */
    moderation:
      f.moderation === "pre"
        ? "New reviews are published after the shop approves them."
        : "New reviews are published at once; the shop may remove one later.",
    /** REJECTION_REASONS: moderateReview takes no other reason, and no setting acts on stars. */
    removalReasons:
      "No review is hidden or delayed because of its star rating: the shop can remove a review only for one of these reasons, and every removal is logged.",
    /** quarantineIfCopied (features/scoring/scoring.ts): the only automatic hold. */
    copiedText: `A review whose text copies another reviewer's is held back automatically, with its reasons, instead of being deleted (${f.quarantined} held back now).`,
    /** Bursts re-weight, never hold back (score-arrival.ts); the floor is DEFAULT_SCORING_OPTIONS.minWeightBp. */
    bursts: `Reviews that arrive in a sudden burst (many within up to ${c.burstWindowHours} hours, for example from first-time reviewers) are not held back: they are published, as are other reviews the fraud checks find suspicious (except copied text), but count in the rating with less weight, as little as ${weight} of a normal review and never nothing.`,
    /** reinstateReview. */
    appeal: "A held-back or removed review can be reinstated on appeal.",
    /** The shop's prior (loadRatings): its mean and the strength in force. */
    prior: `The rating shown is a Bayesian average, not a plain mean: every product starts from the shop's overall distribution of stars (currently an average of ${f.priorMean.toFixed(2)} ★), counted as if it were ${formatStrength(f.priorStrength)} reviews (${
      f.priorFitted ? "fitted to this shop's reviews" : "the configured default"
    }), and its own reviews then outweigh that more and more as they come in. So three lucky 5-star reviews do not show as 5.0, and a product with many reviews shows close to its plain average.`,
    /** ratingFrom: the summary's period and count. */
    basis: "Next to the rating you see how many reviews it is based on and the period they were written in. Only published reviews count.",
  };
}

function formatStrength(m: number): string {
  return Number.isInteger(m) ? String(m) : m.toFixed(1);
}

export async function disclosureFacts(deps: Deps, shop: ShopDoc): Promise<DisclosureFacts> {
  const shopId = shop._id;
  const [byProvenance, report, [shopRating], shopSummary] = await Promise.all([
    deps.models.Review.aggregate<{ _id: string; n: number }>([
      { $match: { shopId, status: "published" } },
      { $group: { _id: "$provenance", n: { $sum: 1 } } },
    ]),
    publicationReport(deps, shopId),
    // The shop's overall prior: a "product" nobody reviewed shows exactly it.
    loadRatings(deps, shopId, ["\u0000none"]),
    deps.models.RatingSummary.collection.findOne({ _id: shopSummaryId(shopId) } as never, { projection: { priorStrength: 1 } }),
  ]);
  return {
    shopName: shop.name,
    moderation: shop.moderation,
    published: report.reduce((n, r) => n + r.published, 0),
    provenance: Object.fromEntries(byProvenance.map((g) => [g._id, g.n])),
    quarantined: report.reduce((n, r) => n + r.quarantined, 0),
    report,
    priorMean: shopRating!.priorMean,
    priorStrength: shopRating!.priorStrength,
    priorFitted: typeof (shopSummary as { priorStrength?: unknown } | null)?.priorStrength === "number",
  };
}

export function renderDisclosurePage(f: DisclosureFacts): string {
  const claims = disclosureClaims(f);
  const name = escapeHtml(f.shopName);
  const rows = f.report
    .map(
      (r) =>
        `<tr><th scope="row">${r.stars} ★</th><td>${r.received}</td><td>${r.published}</td><td>${r.pending}</td><td>${r.rejected}</td><td>${r.quarantined}</td><td>${pct(r.received ? r.published / r.received : null)}</td></tr>`,
    )
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>How reviews work at ${name}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}h2{margin-top:2rem}</style></head>
<body>
<h1>How reviews work at ${name}</h1>
<p>This page is generated by Starling, the review service ${name} uses, from the shop's current settings and reviews.</p>

<h2>Do reviews come from real buyers?</h2>
<p>${claims.verification}</p>
<ul>
<li>Verified purchase: ${f.provenance.VERIFIED_PURCHASE ?? 0}</li>
<li>Invited by the shop: ${f.provenance.INVITED ?? 0}</li>
<li>Written unprompted: ${f.provenance.ORGANIC ?? 0}</li>
<li>Imported from another platform: ${f.provenance.IMPORTED ?? 0}</li>
</ul>

<h2>Moderation</h2>
<p>${claims.moderation} ${claims.removalReasons}</p>
<ul>${DISCLOSURE_CONSTANTS.rejectionReasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul>
<p>${claims.copiedText} ${claims.bursts} ${claims.appeal}</p>
<table><caption>Reviews received and published, per star rating</caption>
<thead><tr><th scope="col">Stars</th><th scope="col">Received</th><th scope="col">Published</th><th scope="col">Pending</th><th scope="col">Removed</th><th scope="col">Held back</th><th scope="col">Published share</th></tr></thead>
<tbody>${rows}</tbody></table>

<h2>How the rating is computed</h2>
<p>${claims.prior} ${claims.basis}</p>
</body></html>`;
}

export function disclosureHandler(deps: Deps) {
  return async (req: Request, res: Response) => {
    const shop = await deps.models.Shop.findById(String(req.params.shopId)).lean<ShopDoc>();
    if (!shop) {
      res.status(404).type("text/plain").send("No such shop.");
      return;
    }
    res
      .type("html")
      .setHeader("cache-control", "public, max-age=300")
      .send(renderDisclosurePage(await disclosureFacts(deps, shop)));
  };
}
