/**
 * The one runtime global the pure scoring code uses beyond ECMAScript: every
 * runtime Starling supports has it (Node 17+, browsers since 2022), but it is
 * declared by Node's and the DOM's types, which this package's own tsconfig leaves out.
 */
declare function structuredClone<T>(value: T): T;
