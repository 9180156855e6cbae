/** Optional tightening of RLY010 from `.relay-lint.yaml` (`thresholds.broadCidr`). */
export interface Thresholds {
  /** IPv4 allow entries broader than this prefix are at least high. */
  readonly minPrefixIpv4?: number;
  /** IPv6 allow entries broader than this prefix are at least high. */
  readonly minPrefixIpv6?: number;
}
