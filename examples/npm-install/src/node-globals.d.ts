// The two bits of Node this example uses, so that it installs with nothing but
// @starling/sdk (and its tests run offline). A real project has @types/node
// instead: delete this file when you add it.
declare const process: { argv: string[]; env: Record<string, string | undefined>; exitCode?: number };
