/**
 * A page of a keyset-paginated list, shaped as Relay's cursor connections: the
 * connection (edges, pageInfo), its edges (cursor, node) and its page info
 * (hasNextPage, endCursor). A product's reviews and its questions are such
 * lists; each says in its own words what a page holds, and the types' names and
 * the words that only name the item ("A review and its cursor.") come from the
 * node's type and the item's name.
 */
import type { ObjectRef } from "@pothos/core";
import type { Builder, Types } from "./builder.js";

/** What a page read gives: its items with their cursors, and whether more follow. */
export interface ConnectionShape<N> {
  edges: { cursor: string; node: N }[];
  hasNextPage: boolean;
}

/** What a page holds, in the list's own words: the rest is made of the item's name. */
export interface ConnectionWords {
  /** The item, one and many: "review", "reviews". */
  item: string;
  items: string;
  /** The connection type's description (its name: the node type's name and "Connection"). */
  connection: string;
  edges: string;
  /** The page info type's name ("PageInfo") and description. */
  pageInfoName: string;
  pageInfo: string;
  endCursor: string;
}

/** The connection type of a list of `node`s, `<Node>Connection` with `<Node>Edge`s (add fields of its own with builder.objectFields). */
export function connectionType<N, S extends ConnectionShape<N>>(
  builder: Builder,
  node: ObjectRef<Types, N>,
  words: ConnectionWords,
): ObjectRef<Types, S> {
  const { item: one, items: many } = words;
  const Edge = builder.objectRef<{ cursor: string; node: N }>(`${node.name}Edge`).implement({
    description: `A ${one} and its cursor.`,
    fields: (t) => ({
      cursor: t.exposeString("cursor", { description: `Pass as \`after\` to get the ${many} that follow this one.` }),
      // `as never`: Pothos cannot resolve its result type for a type parameter; the refs' own types tie node to N.
      node: t.field({ type: node, description: `The ${one}.`, resolve: (e) => e.node as never }),
    }),
  });
  const PageInfo = builder.objectRef<S>(words.pageInfoName).implement({
    description: words.pageInfo,
    fields: (t) => ({
      hasNextPage: t.boolean({ description: `Whether more ${many} follow this page.`, resolve: (c) => c.hasNextPage }),
      endCursor: t.string({ nullable: true, description: words.endCursor, resolve: (c) => c.edges.at(-1)?.cursor ?? null }),
    }),
  });
  return builder.objectRef<S>(`${node.name}Connection`).implement({
    description: words.connection,
    fields: (t) => ({
      edges: t.field({ type: [Edge], description: words.edges, resolve: (c) => c.edges }),
      pageInfo: t.field({ type: PageInfo, description: "Pagination state.", resolve: (c) => c as never }),
    }),
  });
}
