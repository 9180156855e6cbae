import { errorMessage } from '../core/errors.js';
import { internalFinding } from '../core/finding.js';
import { lintSource, parseSource } from '../core/lint-source.js';
import type { Finding, ParsedFile } from '../core/model.js';
import type { Rule } from '../core/rule.js';
import { type ProjectContext, sourceInput } from './project.js';

/** The lint result of one version of an open document, kept for code actions and hover. */
export interface LintState {
  readonly uri: string;
  readonly version: number;
  /** The parsed text; for a lint done on the worker, parsed here on first use (see below). */
  readonly parsed: ParsedFile;
  /** Line starts of the text, for converting findings to diagnostics without `parsed`. */
  readonly lineStarts: readonly number[];
  readonly findings: readonly Finding[];
  readonly project: ProjectContext;
  /** The rules it ran, when not the whole catalog (tests). */
  readonly rules?: readonly Rule[];
}

/** Parses and lints a document text exactly as the CLI does (`host/lint-file.ts`). */
export function lintText(
  uri: string,
  text: string,
  version: number,
  project: ProjectContext,
  rules?: readonly Rule[],
): LintState {
  const { file: parsed, findings } = lintSource(sourceInput(project, uri, text, rules));
  return {
    uri,
    version,
    parsed,
    lineStarts: parsed.lineStarts,
    findings,
    project,
    ...(rules !== undefined ? { rules } : {}),
  };
}

/**
 * The state of a lint done on the worker thread. The worker sends back findings and line starts
 * only: posting the whole tree of a large file cost more than linting it. Hover and code actions
 * get the tree from `parseSource` on this thread, once per version, the first time they ask —
 * the same function on the same text, so the same tree (and native formats' data attached to it).
 */
export function workerState(
  uri: string,
  text: string,
  version: number,
  project: ProjectContext,
  findings: readonly Finding[],
  lineStarts: readonly number[],
): LintState {
  let parsed: ParsedFile | undefined;
  return {
    uri,
    version,
    get parsed(): ParsedFile {
      parsed ??= parseSource(sourceInput(project, uri, text));
      return parsed;
    },
    lineStarts,
    findings,
    project,
  };
}

/** The finding a crash of the linter itself becomes, so that the user sees it in place. */
export function crashFinding(error: unknown, fingerprintPath: string): Finding {
  return internalFinding(
    `Relay Lint failed on this file (${errorMessage(error)}); please report it. The output channel has details.`,
    { start: 0, end: 0 },
    fingerprintPath,
  );
}

/** The finding of a file that took longer to lint than the editor waits. */
export function timeoutFinding(ms: number, fingerprintPath: string): Finding {
  const seconds = ms >= 1000 ? `${(ms / 1000).toFixed(0)} s` : `${ms} ms`;
  return internalFinding(
    `Relay Lint stopped analysing this file after ${seconds}: it is too large or too complex to lint while editing, so its findings are unknown. Run relay-lint on it from a terminal, or split it.`,
    { start: 0, end: 0 },
    fingerprintPath,
  );
}
