import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import relaySchema from '../../../../schemas/relay-config.schema.json';

let compiled: ValidateFunction | undefined;

/** Compiles the relay schema once per process (ajv compilation is the expensive part). */
export function relayValidator(): ValidateFunction {
  if (compiled === undefined) {
    const ajv = new Ajv2020({ strict: true, allErrors: true, allowUnionTypes: true });
    ajv.addKeyword('markdownDescription');
    compiled = ajv.compile(relaySchema);
  }
  return compiled;
}

export function validateValue(value: unknown): readonly ErrorObject[] {
  const v = relayValidator();
  return v(value) ? [] : (v.errors ?? []);
}

export { relaySchema };
