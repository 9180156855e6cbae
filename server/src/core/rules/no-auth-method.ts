import { defineRule } from '../rule.js';

export default defineRule({
  meta: {
    id: 'RLY034',
    name: 'no-auth-method',
    title: 'No authentication method is enabled',
    category: 'correctness',
    severity: 'medium',
    messages: {
      none: 'Listener "{listener}" allows no authentication method (anonymous, basic and integratedWindows are all off), so it accepts no mail from anyone. Enable the method its clients use, or set enabled: false if the listener is no longer used.',
    },
    rationale:
      'With anonymous access, Basic and Integrated Windows authentication all cleared, no SMTP session can submit mail. The listener still accepts connections and advertises itself, which hides a broken mail flow behind a running service; usually a method was switched off by mistake.',
  },
  *check({ view }) {
    for (const l of view.listeners) {
      // A disabled listener accepting no mail is what the message would recommend anyway.
      if (!l.enabled || l.authNode === undefined || l.anonymous?.value !== false) continue;
      if (l.basic?.value === true || l.integratedWindows?.value === true) continue;
      yield {
        messageId: 'none',
        path: l.authNode.path,
        at: 'key',
        data: { listener: l.name },
      };
    }
  },
});
