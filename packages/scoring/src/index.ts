export {
  type BayesianRating,
  type RatingPrior,
  type StarHistogram,
  STAR_LEVELS,
  bayesianRating,
  emptyHistogram,
  histogramTotal,
  plainMean,
  priorFromHistogram,
} from "./rating.js";
