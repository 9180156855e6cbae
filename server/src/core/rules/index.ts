import type { Rule } from '../rule.js';
import allExceptEmpty from './all-except-empty.js';
import anonymousAuth from './anonymous-auth.js';
import anyAddress from './any-address.js';
import broadCidr from './broad-cidr.js';
import openRelay from './open-relay.js';
import schema from './schema.js';
import syntax from './syntax.js';

/** The catalog: an explicit list, sorted by id (a meta-test keeps it in step with the folder). */
export const catalog: readonly Rule[] = [
  schema,
  openRelay,
  allExceptEmpty,
  anonymousAuth,
  broadCidr,
  anyAddress,
  syntax,
].sort((a, b) => a.meta.id.localeCompare(b.meta.id));

const byToken = new Map<string, Rule>();
for (const r of catalog) {
  byToken.set(r.meta.id.toUpperCase(), r);
  byToken.set(r.meta.name.toUpperCase(), r);
}

/** A rule by id (`RLY010`) or name (`broad-cidr`), case-insensitively. */
export function ruleByToken(token: string): Rule | undefined {
  return byToken.get(token.trim().toUpperCase());
}
