import type { FixValue } from '../fix/edits.js';

/**
 * The value inserted for a missing required key: the one that grants least (no anonymous
 * access, relay only for a list that starts empty). Keys with no safe guess have no fix.
 */
export const SAFEST_VALUES: Readonly<Record<string, FixValue>> = {
  version: 1,
  servers: [],
  listeners: [],
  anonymous: false,
  mode: 'onlyList',
  authentication: { anonymous: false },
  relay: { mode: 'onlyList', list: [] },
  type: 'authoritative',
};
