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
import ambiguousAddress from './ambiguous-address.js';
import domainEntry from './domain-entry.js';
import duplicateEntry from './duplicate-entry.js';
import hostBitsSet from './host-bits-set.js';
import invalidAddress from './invalid-address.js';
import ipv4Embedding from './ipv4-embedding.js';
import nonContiguousMask from './non-contiguous-mask.js';
import publicAddress from './public-address.js';
import redundantEntry from './redundant-entry.js';
import specialPurposeAddress from './special-purpose-address.js';
import unreachableEntry from './unreachable-entry.js';
import unspecifiedAddress from './unspecified-address.js';
import zoneId from './zone-id.js';
import duplicateParameter from '../formats/postfix/rules/duplicate-parameter.js';
import ignoredAfterPermit from '../formats/postfix/rules/ignored-after-permit.js';
import interfaceTrust from '../formats/postfix/rules/interface-trust.js';
import serviceDown from '../formats/postfix/rules/service-down.js';
import skippedTableRule from '../formats/postfix/rules/skipped-table-rule.js';
import spoofableRelayPermit from '../formats/postfix/rules/spoofable-relay-permit.js';
import unknownInput from '../formats/postfix/rules/unknown-input.js';
import unknownRestriction from '../formats/postfix/rules/unknown-restriction.js';

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
  publicAddress,
  domainEntry,
  hostBitsSet,
  nonContiguousMask,
  duplicateEntry,
  redundantEntry,
  unreachableEntry,
  invalidAddress,
  ambiguousAddress,
  zoneId,
  specialPurposeAddress,
  ipv4Embedding,
  unspecifiedAddress,
  // Postfix product rules (core/formats/postfix/rules/), RLY060–RLY067.
  serviceDown,
  unknownRestriction,
  ignoredAfterPermit,
  spoofableRelayPermit,
  interfaceTrust,
  unknownInput,
  skippedTableRule,
  duplicateParameter,
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
