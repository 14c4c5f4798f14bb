/**
 * A page of a keyset-paginated list, shaped as Relay's cursor connections: the
 * connection (edges, pageInfo), its edges (cursor, node) and its page info
 * (hasNextPage, endCursor). A product's reviews and its questions are such
 * lists; each names its types and says in its own words what they hold.
 */
import type { ObjectRef } from "@pothos/core";
import type { Builder, Types } from "./builder.js";

/** What a page read gives: its items with their cursors, and whether more follow. */
export interface ConnectionShape<N> {
  edges: { cursor: string; node: N }[];
  hasNextPage: boolean;
}

/** Each type's name and description, and each field's description. */
export interface ConnectionWords {
  connection: readonly [name: string, description: string];
  edges: string;
  edge: readonly [name: string, description: string];
  cursor: string;
  node: string;
  pageInfo: readonly [name: string, description: string];
  hasNextPage: string;
  endCursor: string;
}

/** The connection type of a list of `node`s (add fields of its own with builder.objectFields). */
export function connectionType<N, S extends ConnectionShape<N>>(
  builder: Builder,
  node: ObjectRef<Types, N>,
  words: ConnectionWords,
): ObjectRef<Types, S> {
  const Edge = builder.objectRef<{ cursor: string; node: N }>(words.edge[0]).implement({
    description: words.edge[1],
    fields: (t) => ({
      cursor: t.exposeString("cursor", { description: words.cursor }),
      // `as never`: Pothos cannot resolve its result type for a type parameter; the refs' own types tie node to N.
      node: t.field({ type: node, description: words.node, resolve: (e) => e.node as never }),
    }),
  });
  const PageInfo = builder.objectRef<S>(words.pageInfo[0]).implement({
    description: words.pageInfo[1],
    fields: (t) => ({
      hasNextPage: t.boolean({ description: words.hasNextPage, resolve: (c) => c.hasNextPage }),
      endCursor: t.string({ nullable: true, description: words.endCursor, resolve: (c) => c.edges.at(-1)?.cursor ?? null }),
    }),
  });
  return builder.objectRef<S>(words.connection[0]).implement({
    description: words.connection[1],
    fields: (t) => ({
      edges: t.field({ type: [Edge], description: words.edges, resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfo, description: "Pagination state.", resolve: (c) => c as never }),
    }),
  });
}
