/**
 * The part of the package that loads no language model: counting, summing
 * and reading emerging topics from per-day counts, and the types of what the
 * analysis produces. The API's request path needs only this (subpath
 * `@starling/insights/light`); the language detector (eld's n-gram table),
 * compromise and the lexicons, about 170 MB of RSS in a Node process, load
 * only where reviews are analysed or searched (index.ts has everything).
 */
export type { AspectMention, ReviewInsight, ReviewText } from "./analyze.js";
export type { Language } from "./language.js";
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
