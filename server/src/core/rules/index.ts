import type { Rule } from '../rule.js';
import allExceptEmpty from './all-except-empty.js';
import anonymousAuth from './anonymous-auth.js';
import anyAddress from './any-address.js';
import broadCidr from './broad-cidr.js';
import openRelay from './open-relay.js';
import schema from './schema.js';
import syntax from './syntax.js';
import denyListRelay from './deny-list-relay.js';
import invertedDenyList from './inverted-deny-list.js';
import authRelayCleartext from './auth-relay-cleartext.js';
import authRelayAnyAddress from './auth-relay-any-address.js';
import cleartextAuth from './cleartext-auth.js';
import missingDefaultDomain from './missing-default-domain.js';
import noAuthMethod from './no-auth-method.js';
import relayToAnyDomain from './relay-to-any-domain.js';
import publicSuffixDomain from './public-suffix-domain.js';
import suppressionWithoutReason from './suppression-without-reason.js';
import unusedSuppression from './unused-suppression.js';

/** The catalog: an explicit list, sorted by id (a meta-test keeps it in step with the folder). */
export const catalog: readonly Rule[] = [
  schema,
  openRelay,
  allExceptEmpty,
  anonymousAuth,
  broadCidr,
  anyAddress,
  syntax,
  denyListRelay,
  invertedDenyList,
  authRelayCleartext,
  authRelayAnyAddress,
  cleartextAuth,
  missingDefaultDomain,
  noAuthMethod,
  relayToAnyDomain,
  publicSuffixDomain,
  suppressionWithoutReason,
  unusedSuppression,
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
