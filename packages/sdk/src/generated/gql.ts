/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment RatingFields on Rating {\n  count\n  effectiveCount\n  average\n  plainMean\n  rankingScore\n  credibleInterval {\n    low\n    high\n    level\n  }\n  histogram {\n    stars\n    count\n  }\n  prior {\n    mean\n    strength\n    reviewCount\n  }\n  period {\n    from\n    to\n  }\n  discounted {\n    count\n    reasons {\n      code\n      count\n      description\n    }\n  }\n}\n\nfragment ReviewFields on Review {\n  id\n  productId\n  rating\n  title\n  body\n  reviewer {\n    name\n  }\n  language\n  provenance\n  status\n  reply {\n    body\n    createdAt\n  }\n  createdAt\n}\n\nquery ProductRatings($ids: [ID!]!) {\n  shop {\n    id\n  }\n  products(ids: $ids) {\n    id\n    name\n    rating {\n      ...RatingFields\n    }\n  }\n}\n\nquery ProductReviews($id: ID!, $first: Int, $after: String, $orderBy: ReviewOrder, $stars: [Int!]) {\n  product(id: $id) {\n    id\n    reviews(first: $first, after: $after, orderBy: $orderBy, stars: $stars) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ReviewFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nmutation SubmitReview($input: SubmitReviewInput!) {\n  submitReview(input: $input) {\n    replayed\n    review {\n      ...ReviewFields\n    }\n    product {\n      id\n      name\n      rating {\n        ...RatingFields\n      }\n    }\n  }\n}": typeof types.RatingFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment RatingFields on Rating {\n  count\n  effectiveCount\n  average\n  plainMean\n  rankingScore\n  credibleInterval {\n    low\n    high\n    level\n  }\n  histogram {\n    stars\n    count\n  }\n  prior {\n    mean\n    strength\n    reviewCount\n  }\n  period {\n    from\n    to\n  }\n  discounted {\n    count\n    reasons {\n      code\n      count\n      description\n    }\n  }\n}\n\nfragment ReviewFields on Review {\n  id\n  productId\n  rating\n  title\n  body\n  reviewer {\n    name\n  }\n  language\n  provenance\n  status\n  reply {\n    body\n    createdAt\n  }\n  createdAt\n}\n\nquery ProductRatings($ids: [ID!]!) {\n  shop {\n    id\n  }\n  products(ids: $ids) {\n    id\n    name\n    rating {\n      ...RatingFields\n    }\n  }\n}\n\nquery ProductReviews($id: ID!, $first: Int, $after: String, $orderBy: ReviewOrder, $stars: [Int!]) {\n  product(id: $id) {\n    id\n    reviews(first: $first, after: $after, orderBy: $orderBy, stars: $stars) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ReviewFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nmutation SubmitReview($input: SubmitReviewInput!) {\n  submitReview(input: $input) {\n    replayed\n    review {\n      ...ReviewFields\n    }\n    product {\n      id\n      name\n      rating {\n        ...RatingFields\n      }\n    }\n  }\n}": types.RatingFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment RatingFields on Rating {\n  count\n  effectiveCount\n  average\n  plainMean\n  rankingScore\n  credibleInterval {\n    low\n    high\n    level\n  }\n  histogram {\n    stars\n    count\n  }\n  prior {\n    mean\n    strength\n    reviewCount\n  }\n  period {\n    from\n    to\n  }\n  discounted {\n    count\n    reasons {\n      code\n      count\n      description\n    }\n  }\n}\n\nfragment ReviewFields on Review {\n  id\n  productId\n  rating\n  title\n  body\n  reviewer {\n    name\n  }\n  language\n  provenance\n  status\n  reply {\n    body\n    createdAt\n  }\n  createdAt\n}\n\nquery ProductRatings($ids: [ID!]!) {\n  shop {\n    id\n  }\n  products(ids: $ids) {\n    id\n    name\n    rating {\n      ...RatingFields\n    }\n  }\n}\n\nquery ProductReviews($id: ID!, $first: Int, $after: String, $orderBy: ReviewOrder, $stars: [Int!]) {\n  product(id: $id) {\n    id\n    reviews(first: $first, after: $after, orderBy: $orderBy, stars: $stars) {\n      totalCount\n      edges {\n        cursor\n        node {\n          ...ReviewFields\n        }\n      }\n      pageInfo {\n        hasNextPage\n        endCursor\n      }\n    }\n  }\n}\n\nmutation SubmitReview($input: SubmitReviewInput!) {\n  submitReview(input: $input) {\n    replayed\n    review {\n      ...ReviewFields\n    }\n    product {\n      id\n      name\n      rating {\n        ...RatingFields\n      }\n    }\n  }\n}"): typeof import('./graphql').RatingFieldsFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
