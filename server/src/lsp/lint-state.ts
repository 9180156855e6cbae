import { lint } from '../core/engine.js';
import type { Finding, ParsedFile } from '../core/model.js';
import { parseConfig } from '../core/parse/index.js';
import type { Rule } from '../core/rule.js';
import type { ProjectContext } from './project.js';

/** The lint result of one version of an open document, kept for code actions and hover. */
export interface LintState {
  readonly uri: string;
  readonly version: number;
  readonly parsed: ParsedFile;
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
  const max = project.resolved.loaded.config.maxFileBytes;
  const parsed = parseConfig(uri, text, undefined, max !== undefined ? { maxFileSize: max } : {});
  const findings = lint(parsed, {
    config: project.lintConfig,
    fingerprintPath: project.fingerprintPath,
    ...(rules !== undefined ? { rules } : {}),
  });
  return { uri, version, parsed, findings, project, ...(rules !== undefined ? { rules } : {}) };
}

/** The finding a crash of the linter itself becomes, so that the user sees it in place. */
export function crashFinding(error: unknown): Finding {
  const message = error instanceof Error ? error.message : String(error);
  return internalFinding(
    `Relay Lint failed on this file (${message}); please report it. The output channel has details.`,
  );
}

/** The finding of a file that took longer to lint than the editor waits. */
export function timeoutFinding(ms: number): Finding {
  const seconds = ms >= 1000 ? `${(ms / 1000).toFixed(0)} s` : `${ms} ms`;
  return internalFinding(
    `Relay Lint stopped analysing this file after ${seconds}: it is too large or too complex to lint while editing, so its findings are unknown. Run relay-lint on it from a terminal, or split it.`,
  );
}

function internalFinding(message: string): Finding {
  return {
    ruleId: 'internal',
    rule: 'internal-error',
    severity: 'high',
    message,
    span: { start: 0, end: 0 },
    document: 0,
    path: [],
    related: [],
    fixes: [],
    tags: [],
    suppressed: false,
    fingerprint: 'internal',
  };
}
