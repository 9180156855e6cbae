import { defineRule } from '../rule.js';

/** Reported by the engine from parser problems; listed here for metadata, docs and SARIF. */
export default defineRule({
  meta: {
    id: 'RLY099',
    name: 'syntax',
    title: 'The file is not well-formed YAML or JSON',
    category: 'correctness',
    severity: 'critical',
    messages: { syntax: '{message}' },
    rationale:
      'A relay configuration that does not parse cannot be reviewed, and a deployment tool may apply part of it or a default instead. Nothing else is checked until the file parses.',
  },
  *check() {
    // The engine reports parser problems itself, before any rule runs.
  },
});
