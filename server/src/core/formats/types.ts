import type { Fix, ParsedFile, Severity, Span } from '../model.js';
import type { Report } from '../rule.js';

/**
 * How a native configuration plugs into the one lint path (ARCHITECTURE §17).
 *
 * An adapter parses the product's own file into a `ParsedFile` whose documents hold a
 * synthetic tree in the shape of the relay model (SPEC §1): `servers[].listeners[]…`. Every
 * node of that tree carries the span, in the native text, of the setting that produced it, so
 * the model rules of SPEC §3 run unchanged and their findings point into the native file. What
 * the model cannot say (Postfix restriction lists, IIS blobs) lives in the format's own parsed
 * data, which its product rules reach through a WeakMap keyed by the `ParsedFile`.
 */
export type FormatId = 'relay-model' | 'postfix' | 'iis' | 'exchange';

/** Files beside the linted one, read by the host (core never touches the file system). */
export interface Siblings {
  /** Text of the file `name` in the linted file's folder, or undefined when absent/unreadable. */
  read(name: string): string | undefined;
}

export const NO_SIBLINGS: Siblings = { read: () => undefined };

/** A question for `relay-lint explain` (SPEC §7.4). */
export interface ExplainQuestion {
  /** Client address, canonical text (IPv4 dotted or IPv6). */
  readonly client: string;
  /** Recipient address; default `user@relay-lint.invalid`. */
  readonly to: string;
  /** Sender address; default `probe@relay-lint.invalid`. */
  readonly from: string;
  /** The client authenticated (SMTP AUTH succeeded). */
  readonly auth: boolean;
  /**
   * The server's own interface addresses, when known (for Postfix `mynetworks_style`,
   * `inet_interfaces`); undefined = not known, so an answer that needs them is `unknown`.
   */
  readonly hostAddresses?: readonly string[];
}

export type ExplainOutcome = 'allow' | 'deny' | 'config-error' | 'service-down' | 'unknown';

export interface TraceStep {
  /** The setting or restriction consulted, as written (`permit_mynetworks`, `RelayIpList`). */
  readonly item: string;
  /** Where it is written; undefined for a default that is written nowhere. */
  readonly span?: Span;
  /**
   * The file the span lies in, relative to the linted file's folder, when it is not the linted
   * file itself (a Postfix `-o` override in `master.cf` while explaining `main.cf`).
   */
  readonly file?: string;
  /** What it answered (`no match`, `match 10.0.0.0/8: permit`, `DUNNO` …). */
  readonly result: string;
}

export interface ListenerAnswer {
  readonly server: string;
  readonly listener: string;
  readonly outcome: ExplainOutcome;
  /** SMTP reply code to RCPT: '250' | '454' | '554' | '451' | 'none' (no service), or null. */
  readonly reply: string | null;
  readonly reason: string;
  readonly trace: readonly TraceStep[];
}

/**
 * A finding a rule reported, as the format sees it before it becomes a `Finding`. The format
 * may keep it (returning it unchanged), adjust it (severity, message, fixes rendered as native
 * edits or remedies), or drop it (undefined) when the rule does not apply to the product.
 */
export type RefineReport = (
  ruleId: string,
  report: Report<string>,
  file: ParsedFile,
) => Report<string> | undefined;

export interface NativeFormat {
  readonly id: Exclude<FormatId, 'relay-model'>;
  /** The `ParsedFile.format` tag this format's files carry. */
  readonly fileFormat: ParsedFile['format'];
  /** True when the path names a file of this format (by name, case rules of the product). */
  matchesPath(path: string): boolean;
  /**
   * True when the text has this format's shape (for files named by `files` globs but not by
   * name, such as Exchange JSON exports under any name).
   */
  sniff?(text: string): boolean;
  /** Parses without throwing; syntax problems go to `problems` (RLY099). */
  parse(uri: string, text: string, siblings: Siblings): ParsedFile;
  /** Adjusts every report of every rule on a file of this format (see `RefineReport`). */
  readonly refine: RefineReport;
  /** Answers `explain` for every listener of the file. */
  explain(file: ParsedFile, question: ExplainQuestion): ListenerAnswer[];
}

/** A shell command (Exchange) that fixes a finding where no text edit can. */
export interface Remedy {
  readonly title: string;
  readonly command: string;
}

export type { Fix, Severity };
