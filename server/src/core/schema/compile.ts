import type { ErrorObject } from 'ajv';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';

/**
 * Compiles a JSON schema of this project (the relay model, `.relay-lint.yaml`) the one way both
 * are compiled: strict, every error (a user fixes a file in one pass), the VS Code
 * `markdownDescription` annotation allowed, and verbose, because only then does ajv fill an
 * error's `parentSchema`, which `knownKeys` needs (the `schemaPath` is relative to the `$ref`'d
 * definition, so it cannot be looked up in the root schema). Compilation is the expensive part:
 * callers keep the result.
 */
export function compileSchema(schema: object): ValidateFunction {
  const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true, verbose: true });
  ajv.addKeyword('markdownDescription');
  return ajv.compile(schema);
}

/** The keys an object accepts, for the "did you mean" of an `additionalProperties` error. */
export function knownKeys(error: ErrorObject): string[] {
  const parent: unknown = error.parentSchema;
  if (typeof parent !== 'object' || parent === null || !('properties' in parent)) return [];
  const properties: unknown = parent.properties;
  return typeof properties === 'object' && properties !== null ? Object.keys(properties) : [];
}
