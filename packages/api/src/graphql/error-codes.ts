import { GraphQLError, getOperationAST, getVariableValues, type ExecutionResult } from "graphql";
import type { Plugin } from "graphql-yoga";

/**
 * Every error a client sees carries `extensions.code`. Two kinds come without one:
 *
 * - Variables that do not fit the schema (rating "5" or 2.5 for an Int) are
 *   refused before any resolver runs. They get the same INVALID_INPUT code
 *   and `field` our own validation uses, so a client (the review form) handles
 *   one kind of input error, not two. The field is read from graphql-js's
 *   message; graphql-jit (which executes) words them without the path, so on
 *   that failure the variables are coerced again by graphql-js for its words.
 * - Some validation rules from plugins (graphql-armor's alias limit) report
 *   without a code: they get GRAPHQL_VALIDATION_FAILED, like graphql-js's own.
 */
export function useErrorCodes(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      // Request-level errors (no path: nothing was executed) without a code
      // come from validation rules; errors with a path are execution errors
      // and are left to error masking.
      if (!isSingleResult(result) || !result.errors?.some((e) => !e.extensions?.code && !e.path)) return;
      setResult({
        ...result,
        errors: result.errors.map((e) => (e.extensions?.code || e.path ? e : withCode(e, "GRAPHQL_VALIDATION_FAILED"))),
      });
    },
    onExecute({ args }) {
      return {
        onExecuteDone({ result, setResult }) {
          if (!isSingleResult(result) || result.data !== undefined || !result.errors?.length) return;
          const operation = getOperationAST(args.document, args.operationName);
          const coerced = operation ? getVariableValues(args.schema, operation.variableDefinitions ?? [], args.variableValues ?? {}) : null;
          const errors = coerced?.errors?.length ? coerced.errors : result.errors;
          setResult({ ...result, errors: errors.map(withInputCode) });
        },
      };
    },
  };
}

function isSingleResult(result: unknown): result is ExecutionResult {
  return typeof result === "object" && result !== null && !(Symbol.asyncIterator in result);
}

// `Variable "$input" got invalid value 2.5 at "input.rating"; Int cannot …`
const VARIABLE_ERROR = /^Variable "\$(\w+)" (?:got invalid value .*? at "([^"]+)"|got invalid value|of required type|of non-null type)/s;

function withInputCode(error: GraphQLError): GraphQLError {
  if (error.extensions?.code) return error;
  const match = VARIABLE_ERROR.exec(error.message);
  if (!match) return error;
  const [, variable, at] = match;
  // "input.rating" names the field inside the variable the client sent; a
  // missing or unknown field is named after the path; a bare variable names itself.
  const inner = at ? at.split(".").slice(1) : [];
  const named = /; Field "(\w+)" (?:of required type|is not defined)/.exec(error.message);
  if (named) inner.push(named[1]!);
  const field = inner.join(".") || variable;
  return withCode(error, "INVALID_INPUT", { field });
}

function withCode(error: GraphQLError, code: string, extra: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code, ...extra },
  });
}
