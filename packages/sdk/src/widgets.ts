/**
 * @starling/sdk/widgets — browser widgets: a rating badge, a review list with star filter and
 * pagination, and the review form (an iframe served by the API, so the shop's
 * page never handles the customer's input). Placed as `[data-starling]`
 * elements (`mountAll`) or as custom elements (`defineElements`).
 *
 * They never break the host page: each renders into its own shadow root (no
 * CSS in or out), keeps the size it reserved while loading, and on a failure
 * shows a quiet fallback and writes one `[starling]` warning per page, never
 * an exception.
 */

export { mountBadge, type WidgetOptions } from "./widget/badge.js";
export { renderBadgeContent, renderBadgeHtml, type BadgeOptions } from "./widget/badge-html.js";
export { warnOnce } from "./widget/dom.js";
export { defineElements } from "./widget/elements.js";
export { mountReviewForm } from "./widget/embed.js";
export { pickLang, type Lang } from "./widget/i18n.js";
export type { FormMessage } from "./widget/messages.js";
export { mountAll } from "./widget/mount-all.js";
export { mountReviewList } from "./widget/review-list.js";
export { mountQuestions } from "./widget/questions.js";
export { renderQuestionsContent, renderQuestionsHtml, type QuestionsHtmlOptions } from "./widget/questions-html.js";
export { mountInsights } from "./widget/insights.js";
export { renderInsightsContent, renderInsightsHtml, type InsightsWidgetOptions } from "./widget/insights-html.js";
