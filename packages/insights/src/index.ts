/// <reference path="./vendor.d.ts" />
// Everything that needs no language model (counts, summaries, emerging topics, the types)
export * from "./light.js";

// Per review
export { MAX_ANALYZED_CHARS, analyzeReview } from "./analyze.js";
export { detectLanguage } from "./language.js";

// Which reviews answer a question (product Q&A)
export {
  type SearchDoc,
  type SearchHit,
  BM25_B,
  BM25_K1,
  Bm25Index,
  MAX_INDEXED_CHARS,
  MIN_RELATED_SCORE,
  relatedTexts,
  searchTerms,
} from "./relevance.js";
