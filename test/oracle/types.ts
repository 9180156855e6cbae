/** Data passed between the generator, the worker that talks to Postfix, and the comparison. */

export type RunnerKind = 'loopback' | 'netns';

/** What the client does about SMTP AUTH: nothing, the right password, or a wrong one. */
export type AuthMode = 'none' | 'good' | 'bad';

export interface ProbeSpec {
  /** Unique within its case. */
  readonly id: string;
  /** Client (source) address the socket binds to. */
  readonly client: string;
  readonly to: string;
  readonly from: string;
  readonly auth: AuthMode;
}

/** A table or pattern file a case needs, written under the instance's maps folder. */
export interface TableFile {
  /** File name inside the maps folder. */
  readonly name: string;
  readonly content: string;
}

export interface CaseSpec {
  readonly id: string;
  /** Short description of what the case is about (fixed cases; generated ones say "gen"). */
  readonly title: string;
  readonly runner: RunnerKind;
  /**
   * The case's main.cf lines, appended after the harness header. `@MAPS@` stands for the
   * instance's maps folder (an absolute path, known only at run time).
   */
  readonly params: string;
  readonly tables: readonly TableFile[];
  readonly probes: readonly ProbeSpec[];
  /**
   * Where a fixed case comes from when it is not a POSTFIX-ORACLE §4 row: a disagreement or a
   * finding of an earlier oracle run (recorded as `found-*` fixtures).
   */
  readonly origin?: string;
  /** The real reply class POSTFIX-ORACLE §4 recorded for a probe (fixed cases only). */
  readonly documented?: Readonly<Record<string, RealClass>>;
}

/** How the real Postfix answered one RCPT (POSTFIX-ORACLE §2.3 step 5). */
export type RealClass = 'allow' | 'deny' | 'config-error' | 'service-down' | 'other';

export interface ProbeResult {
  readonly probe: ProbeSpec;
  readonly real: RealClass;
  /** The RCPT reply (all lines), or a note saying why there is none. */
  readonly reply: string;
  /** The whole SMTP exchange, client lines prefixed `C: `, server lines `S: `. */
  readonly transcript: readonly string[];
  /** Set when the probe could not be asked (address not bindable here): not compared. */
  readonly skipped?: string;
}

export interface CaseResult {
  readonly caseId: string;
  readonly runner: RunnerKind;
  /** main.cf exactly as Postfix read it. */
  readonly mainCf: string;
  readonly masterCf: string;
  /** Absolute path → content of every table/pattern file the case wrote. */
  readonly files: Readonly<Record<string, string>>;
  /** Interface addresses of the machine (or namespace) Postfix ran on, `addr/len`. */
  readonly hostAddresses: readonly string[];
  /** The listener (master.cf service field) per family. */
  readonly listeners: { readonly v4: string; readonly v6: string };
  readonly probes: readonly ProbeResult[];
  /** `warning:` / `fatal:` / `error:` lines the maillog recorded during the case. */
  readonly log: readonly string[];
  readonly seconds: number;
  /** Where the time went: master start-up, the probes, stopping (seconds). */
  readonly phases: { readonly start: number; readonly probes: number; readonly stop: number };
}

export interface WorkerJob {
  readonly runner: RunnerKind;
  readonly cases: readonly CaseSpec[];
}

export interface WorkerHeader {
  readonly kind: 'header';
  readonly mailVersion: string;
  readonly hostAddresses: readonly string[];
  readonly port: number;
  /** `postconf mynetworks` with mynetworks_style host and subnet, as a sanity record. */
  readonly hostStyle: string;
  readonly subnetStyle: string;
}
