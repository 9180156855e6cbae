import { defineRule } from '../rule.js';

/** Reported by the engine from ajv errors (schema/to-report.ts); listed here for metadata. */
export default defineRule({
  meta: {
    id: 'RLY000',
    name: 'schema',
    title: 'The configuration does not match the relay configuration schema',
    category: 'correctness',
    severity: 'high',
    fixable: 'unsafe',
    messages: { schema: '{message}' },
    rationale:
      'A misspelt key or value is silently ignored by the tools that deploy the configuration, so the setting the reviewer reads is not the one the server gets. Unknown keys, wrong types, missing required keys and bad values are reported where they are.',
  },
  *check() {
    // The engine runs the schema itself, before the rules.
  },
});
