import type { ErrorObject, ValidateFunction } from 'ajv';
import relaySchema from '../../../../schemas/relay-config.schema.json';
import { compileSchema } from './compile.js';

let compiled: ValidateFunction | undefined;

/** Compiles the relay schema once per process (ajv compilation is the expensive part). */
export function relayValidator(): ValidateFunction {
  compiled ??= compileSchema(relaySchema);
  return compiled;
}

export function validateValue(value: unknown): readonly ErrorObject[] {
  const v = relayValidator();
  return v(value) ? [] : (v.errors ?? []);
}

export { relaySchema };
