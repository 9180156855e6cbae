import { DEFAULT_CONFIG, lintConfigFor, type ProjectConfig } from './config/project-config.js';
import { lintParsed } from './engine.js';
import { nativeFormatFor } from './formats/index.js';
import { NO_SIBLINGS, type Siblings } from './formats/types.js';
import { errorMessage } from './errors.js';
import type { Finding, ParsedFile, Problem } from './model.js';

import { parseConfig, refuse } from './parse/index.js';
import type { Rule } from './rule.js';
import { computeLineStarts } from './text.js';

/** Everything that decides a file's findings. */
export interface SourceInput {
  /** The file's path or uri: it decides the format (`main.cf`, `*.relay.yaml` …). */
  readonly uri: string;
  readonly text: string;
  /** The `.relay-lint.yaml` in force; the defaults when absent. */
  readonly project?: ProjectConfig;
  /** The path relative to the configuration's folder, for its overrides; default `uri`. */
  readonly relPath?: string;
  /** The path reports show (relative, with `/`), for fingerprints; default `uri`. */
  readonly fingerprintPath?: string;
  /** Files beside this one (a Postfix `master.cf` beside `main.cf`, tables, exports). */
  readonly siblings?: Siblings;
  /** Rules to run (tests); default the whole catalog. */
  readonly rules?: readonly Rule[];
}

export interface LintedSource {
  readonly file: ParsedFile;
  readonly findings: Finding[];
}

/**
 * The one way from a file's text to its findings. The CLI, the language server, the audit,
 * fix-all and `--fix` all come through here, so a format, a limit or a setting applies
 * everywhere at once.
 */
export function lintSource(input: SourceInput): LintedSource {
  const project = input.project ?? DEFAULT_CONFIG;
  const file = parseSource(input);
  const findings = lintParsed(file, {
    config: lintConfigFor(project, input.relPath ?? input.uri),
    fingerprintPath: input.fingerprintPath ?? input.uri,
    ...(input.rules !== undefined ? { rules: input.rules } : {}),
  });
  return { file, findings };
}

/**
 * Parses a file in its format (the project's size limit applies to every format), for the
 * faces that need the tree without the findings (hover, completion).
 */
export function parseSource(input: SourceInput): ParsedFile {
  const project = input.project ?? DEFAULT_CONFIG;
  const limit = project.maxFileBytes !== undefined ? { maxFileSize: project.maxFileBytes } : {};
  const native = nativeFormatFor(input.uri, input.text);
  if (native === undefined) return parseConfig(input.uri, input.text, undefined, limit);
  const refusal = refuse(input.text, limit.maxFileSize);
  if (refusal !== undefined) return unparsed(input, native.fileFormat, refusal);
  try {
    return native.parse(input.uri, input.text, input.siblings ?? NO_SIBLINGS);
  } catch (error) {
    // A reader must not throw; if one does, the user sees where and why instead of nothing.
    return unparsed(input, native.fileFormat, {
      message: `Relay Lint could not read this file (${errorMessage(error)}); please report it.`,
      span: { start: 0, end: 0 },
    });
  }
}

function unparsed(input: SourceInput, format: ParsedFile['format'], problem: Problem): ParsedFile {
  return {
    uri: input.uri,
    format,
    text: input.text,
    documents: [],
    problems: [problem],
    comments: [],
    lineStarts: computeLineStarts(input.text),
  };
}
