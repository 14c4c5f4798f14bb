/**
 * Types for the SDK's operations, generated from the API's printed schema
 * (packages/api/schema.graphql, committed). Run `pnpm --filter @starling/sdk codegen`
 * after the schema changes; test/generated-types.test.ts fails while either is stale.
 */
import type { CodegenConfig } from "@graphql-codegen/cli";

export const codegenConfig: CodegenConfig = {
  schema: "../api/schema.graphql",
  documents: ["src/operations.graphql"],
  generates: {
    "./src/generated/": {
      preset: "client",
      // Plain strings, no graphql-js AST at run time: the client keeps zero dependencies.
      presetConfig: { fragmentMasking: false, gqlTagName: "graphql" },
      config: {
        documentMode: "string",
        useTypeImports: true,
        enumsAsTypes: true,
        skipTypename: true,
        avoidOptionals: false,
        scalars: { DateTime: "string" },
      },
    },
  },
  silent: true,
};

export default codegenConfig;
