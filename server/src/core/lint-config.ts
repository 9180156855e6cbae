import type { Thresholds } from './config/thresholds.js';
import type { Severity } from './model.js';
import type { IntervalSet } from './net/interval-set.js';
import type { Rule } from './rule.js';

export type RuleSetting = Severity | 'off';

/** What the project configuration says for one file, resolved (overrides applied). */
export interface LintConfig {
  /** Severity or off per rule id (names are resolved to ids by the config loader). */
  readonly rules?: ReadonlyMap<string, RuleSetting>;
  /** Rules suppressed for this file by an override, with the override's reason. */
  readonly suppressed?: ReadonlyMap<string, string>;
  readonly trustedNetworks?: readonly IntervalSet[];
  readonly thresholds?: Thresholds;
}

export interface LintOptions {
  readonly config?: LintConfig;
  /** Path used in fingerprints (relative, with `/`); defaults to the file's uri. */
  readonly fingerprintPath?: string;
  /** Rules to run; defaults to the whole catalog. */
  readonly rules?: readonly Rule[];
}
