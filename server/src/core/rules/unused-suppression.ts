import { defineRule } from '../rule.js';

/** Reported by the engine from suppression comments (core/suppress.ts); listed for metadata. */
export default defineRule({
  meta: {
    id: 'RLY098',
    name: 'unused-suppression',
    title: 'A suppression comment that suppresses nothing',
    category: 'hygiene',
    severity: 'low',
    fixable: 'safe',
    tags: ['unnecessary'],
    messages: {
      noRule:
        'This relay-lint-disable-{kind} directive names no rule, so it suppresses nothing; name the rule ids it is for, or remove it.',
      unused: 'Nothing to suppress: {names} {verb} no finding {where}. Remove this suppression.',
      partlyUnused:
        'Part of this suppression does nothing: {names} {verb} no finding {where}. Remove {pronoun} from the list.',
    },
    rationale:
      'A suppression that matches no finding is left over from a fixed problem or names the wrong rule or line. It misleads reviewers and would silently hide a future finding at that place, so it should go.',
  },
  *check() {
    // The engine reads suppression comments after the rules have run.
  },
});
