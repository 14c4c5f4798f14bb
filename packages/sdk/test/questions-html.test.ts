import { describe, expect, it } from "vitest";
import { jsonLdScript, questionsJsonLd, renderQuestionsHtml, type Question } from "../src/index.js";

const votes = { helpful: 3, notHelpful: 1, score: 0.3 };
const question: Question = {
  id: "q_1",
  productId: "tent",
  body: `Fits <script>alert(1)</script> & "two"?`,
  author: { name: "<b>Kim</b>" },
  language: "en",
  status: "PUBLISHED",
  createdAt: "2026-03-04T10:00:00.000Z",
  answers: [
    {
      id: "a_1",
      questionId: "q_1",
      body: "Yes </script><script>alert(2)</script>",
      author: { name: "Support", role: "SHOP" },
      language: null,
      status: "PUBLISHED",
      createdAt: "2026-03-05T10:00:00.000Z",
      helpfulVotes: votes,
    },
    {
      id: "a_2",
      questionId: "q_1",
      body: "Mine does.",
      author: { name: "Bo", role: "VERIFIED_BUYER" },
      language: null,
      status: "PUBLISHED",
      createdAt: "2026-03-06T10:00:00.000Z",
      helpfulVotes: { helpful: 0, notHelpful: 0, score: 0 },
    },
  ],
  relatedReviews: [{ id: "rev_1", title: "Roomy <i>tent</i>", rating: 5, reviewer: { name: "Al" } }],
};

describe("renderQuestionsHtml", () => {
  it("escapes every customer text and marks who answered, in a declarative shadow root, without vote buttons", () => {
    const html = renderQuestionsHtml([question], { productName: "Tent" });
    expect(html).toContain('<template shadowrootmode="open">');
    expect(html).not.toMatch(/<script>alert|<b>Kim|<i>tent/);
    expect(html).toContain("Fits &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;two&quot;?");
    expect(html).toContain('<span class="role">Answer from the shop</span>');
    expect(html).toContain('<span class="role">Verified buyer</span>');
    expect(html).toContain("3 found this helpful, 1 did not");
    expect(html).not.toContain("<button");
    // The JSON-LD beside it cannot end its script element early either.
    const ld = html.slice(html.indexOf('<script type="application/ld+json">'));
    expect(ld.match(/<\/script>/g)).toHaveLength(1);
  });

  it("speaks German", () => {
    const html = renderQuestionsHtml([question], { lang: "de", jsonLd: false });
    expect(html).toContain("Fragen und Antworten");
    expect(html).toContain("Antwort des Shops");
    expect(html).not.toContain("application/ld+json");
  });
});

describe("questionsJsonLd", () => {
  it("is a QAPage for one question, with the answers as suggested answers and their helpful votes", () => {
    const ld = questionsJsonLd({ questions: [question], productName: "Tent" }) as any;
    expect(ld["@type"]).toBe("QAPage");
    expect(ld.mainEntity).toMatchObject({
      "@type": "Question",
      name: question.body,
      answerCount: 2,
      about: { "@type": "Product", name: "Tent" },
    });
    expect(ld.mainEntity.suggestedAnswer[0]).toMatchObject({
      "@type": "Answer",
      upvoteCount: 3,
      author: { "@type": "Organization", name: "Support" },
    });
    expect(ld.mainEntity.suggestedAnswer[1].author).toEqual({ "@type": "Person", name: "Bo" });
    expect(jsonLdScript(ld)).not.toContain("</script><script>");
  });

  it("is a graph of Questions for a product page with several", () => {
    const ld = questionsJsonLd({ questions: [question, { ...question, id: "q_2", answers: [] }] }) as any;
    expect(ld["@graph"]).toHaveLength(2);
    expect(ld["@graph"][1]).not.toHaveProperty("suggestedAnswer");
  });
});
