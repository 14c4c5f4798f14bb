/// <reference path="./vendor.d.ts" />
// Per review
export { type AspectMention, type ReviewInsight, type ReviewText, MAX_ANALYZED_CHARS, analyzeReview } from "./analyze.js";
export { type Language, detectLanguage } from "./language.js";

// Over many reviews
export {
  type AnalyzedReview,
  type AspectSummary,
  type Direction,
  type InsightSummary,
  type Period,
  type Quote,
  type SummaryOptions,
  DEFAULT_SUMMARY_OPTIONS,
  directionOf,
  summarizeInsights,
} from "./aggregate.js";
export { type EmergingOptions, type EmergingTopic, DEFAULT_EMERGING_OPTIONS, emergingTopics, replayEmergingTopics } from "./emerging.js";

export { InsightsInputError } from "./errors.js";

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
// The same from maintained per-day buckets (the API's read path at any number of reviews)
export {
  type AspectDayCount,
  type CountOptions,
  type DayBlock,
  type DayCounts,
  DAY_MS,
  MAX_BLOCK_LEVEL,
  DEFAULT_COUNT_OPTIONS,
  dayCountsOf,
  dayOf,
  emergingFromDayCounts,
  blockOf,
  childBlocks,
  mergeDayCounts,
  periodBlocks,
  rollUpDayCounts,
  summarizeDayCounts,
  trimDayCounts,
} from "./counts.js";
