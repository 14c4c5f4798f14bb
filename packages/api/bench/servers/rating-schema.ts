/**
 * The rating query every baseline server answers, from an in-memory Map: the
 * same shape and size as Starling's answer, with none of its work behind it.
 */
export const typeDefs = /* GraphQL */ `
  type CredibleInterval { low: Float! high: Float! }
  type Rating { count: Int! average: Float! plainMean: Float credibleInterval: CredibleInterval! }
  type Product { id: ID! name: String! rating: Rating! }
  type Query { product(id: ID!): Product }
`;

const products = new Map(
  Array.from({ length: 100 }, (_, i) => [
    `p-${i}`,
    {
      id: `p-${i}`,
      name: `Product ${i}`,
      rating: { count: 40 + i, average: 4.1234567 + i / 1000, plainMean: 4.2, credibleInterval: { low: 3.8765, high: 4.4321 } },
    },
  ]),
);

export const resolvers = {
  Query: { product: (_: unknown, args: { id: string }) => products.get(args.id) ?? null },
};

export const RATING_QUERY = `query Rating($id: ID!) { product(id: $id) { id name rating { count average plainMean credibleInterval { low high } } } }`;
