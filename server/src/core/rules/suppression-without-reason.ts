import { defineRule } from '../rule.js';

/** Reported by the engine from suppression comments (core/suppress.ts); listed for metadata. */
export default defineRule({
  meta: {
    id: 'RLY097',
    name: 'suppression-without-reason',
    title: 'A suppression comment without a reason',
    category: 'hygiene',
    severity: 'medium',
    messages: {
      missing:
        'This suppression of {rules} gives no reason, so it suppresses nothing; add "-- <why this is acceptable>" after the rule ids.',
      missingNoRule:
        'This relay-lint-disable-{kind} directive names no rule and gives no reason, so it suppresses nothing; write "relay-lint-disable-{kind} <rule id> -- <why this is acceptable>".',
    },
    rationale:
      'A suppression hides a security finding from every later reviewer. Without a reason nobody can tell an approved exception from a silenced warning, so Relay Lint requires one ("-- billing subnet, approved in OPS-112") and ignores directives that lack it.',
  },
  *check() {
    // The engine reads suppression comments after the rules have run.
  },
});
