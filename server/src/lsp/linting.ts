import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { CONFIG_FILE_NAME, configFindings } from '../core/config/project-config.js';
import { lintSource, parseSource } from '../core/lint-source.js';
import type { Finding, ParsedFile } from '../core/model.js';
import { computeLineStarts } from '../core/text.js';
import type { Rule } from '../core/rule.js';
import { type ResolvedConfig, toPosixRelative } from '../host/config-discovery.js';
import type { Settings } from '../protocol/index.js';
import {
  crashFinding,
  lintText,
  type LintState,
  timeoutFinding,
  workerState,
} from './lint-state.js';
import type { WorkerLintRunner } from './lint-runner.js';
import { pathToUri, type ProjectContext, sourceInput, type Workspace } from './project.js';
import type { Publisher } from './publisher.js';
import { Scheduler, type Ticket, type Timers } from './scheduler.js';
import type { SettingsCache } from './settings.js';

export interface OpenDocuments {
  get(uri: string): TextDocument | undefined;
  keys(): string[];
}

export interface LinterDeps {
  readonly documents: OpenDocuments;
  readonly settings: SettingsCache;
  readonly workspace: Workspace;
  readonly publisher: Publisher;
  readonly debounceMs: number;
  readonly timers?: Timers;
  /** Rules to run (default: the whole catalog). */
  readonly rules?: readonly Rule[];
  /** Lints on a worker thread with a time budget; without it, lints on this thread. */
  readonly runner?: WorkerLintRunner;
  readonly log: (message: string) => void;
}

/** What hover, completion and code actions work on: an open relay file, enabled. */
export interface Snapshot {
  readonly document: TextDocument;
  readonly settings: Settings;
  readonly project: ProjectContext;
  /** The lint of the current version, when one is cached (onSave mode may lag behind). */
  readonly state: LintState | undefined;
  readonly parsed: ParsedFile;
}

/**
 * Lints open documents: debounced on type (or on save), once per version, publishing only
 * results computed from the current text. Keeps the last lint of each document for code
 * actions and hover, and forgets everything about a document when it closes.
 */
export class DocumentLinter {
  private readonly states = new Map<string, LintState>();
  /** Documents just opened: TextDocuments reports their content as a change too. */
  private readonly opening = new Set<string>();
  private readonly scheduler: Scheduler;

  constructor(private readonly deps: LinterDeps) {
    this.scheduler = new Scheduler(
      (ticket) => this.run(ticket),
      deps.debounceMs,
      (error) => {
        deps.log(`lint failed: ${errorMessage(error)}`);
      },
      deps.timers,
    );
  }

  opened(uri: string): void {
    this.opening.add(uri);
    this.scheduler.schedule(uri, { force: true, delayMs: 0 });
  }

  changed(uri: string): void {
    if (this.opening.delete(uri)) return;
    // onSave mode does not lint on a keystroke; the settings are cached after the first ask.
    void this.deps.settings.get(uri).then((s) => {
      if (s.run === 'onType' && this.deps.documents.get(uri) !== undefined)
        this.scheduler.schedule(uri);
    });
  }

  saved(uri: string): void {
    this.scheduler.schedule(uri, { force: true, delayMs: 0 });
  }

  closed(uri: string): void {
    this.opening.delete(uri);
    this.scheduler.forget(uri);
    this.states.delete(uri);
    this.deps.settings.forget(uri);
    this.deps.publisher.clear(uri);
  }

  /** Re-lints every open document (settings or configuration changed). */
  relintAll(): void {
    for (const uri of this.deps.documents.keys())
      this.scheduler.schedule(uri, { force: true, delayMs: 0 });
  }

  /** Publishes (or clears) the problems of a configuration file read from disk. */
  publishConfig(resolved: ResolvedConfig): void {
    if (resolved.file === undefined) return;
    const uri = pathToUri(resolved.file);
    const loaded = resolved.loaded;
    if (loaded.problems.length > 0)
      this.deps.publisher.publish(uri, undefined, loaded.parsed.lineStarts, configFindings(loaded));
    else this.deps.publisher.clear(uri);
  }

  /**
   * Lints a tiny document once, so that the one-time costs (compiling the schema validator)
   * are paid while the editor is still opening files rather than on the first keystroke.
   */
  warmUp(): void {
    if (this.deps.runner !== undefined) {
      this.deps.runner.warmUp();
      return;
    }
    try {
      lintSource({ uri: 'warm-up.relay.yaml', text: 'version: 1\nservers: []\n' });
    } catch (error) {
      this.deps.log(`warm-up failed: ${errorMessage(error)}`);
    }
  }

  /** The document with its settings and configuration, if Relay Lint handles it now. */
  async snapshot(uri: string): Promise<Snapshot | undefined> {
    if (this.deps.documents.get(uri) === undefined) return undefined;
    const settings = await this.deps.settings.get(uri);
    const document = this.deps.documents.get(uri);
    if (document === undefined || !settings.enable) return undefined;
    const cached = this.states.get(uri);
    const state = cached?.version === document.version ? cached : undefined;
    const project = state?.project ?? this.projectOf(uri);
    if (project?.included !== true) return undefined;
    const parsed = state?.parsed ?? parseSource(sourceInput(project, uri, document.getText()));
    return { document, settings, project, state, parsed };
  }

  get stats(): { states: number; scheduled: number; keys: number } {
    const { pending, keys } = this.scheduler.size;
    return { states: this.states.size, scheduled: pending, keys };
  }

  private projectOf(uri: string): ProjectContext | undefined {
    const project = this.deps.workspace.contextFor(uri);
    if (project === undefined) return undefined;
    // The configuration file is never a relay configuration, whatever the globs say.
    if (path.basename(project.file) === CONFIG_FILE_NAME) return { ...project, included: false };
    return project;
  }

  private async run(ticket: Ticket): Promise<void> {
    const uri = ticket.key;
    const settings = await this.deps.settings.get(uri);
    if (!this.scheduler.isCurrent(ticket)) return;
    const document = this.deps.documents.get(uri);
    if (document === undefined) return;
    if (!ticket.force && this.states.get(uri)?.version === document.version) return;
    const project = settings.enable ? this.projectOf(uri) : undefined;
    if (project?.included !== true) {
      this.states.delete(uri);
      this.deps.publisher.clear(uri);
      return;
    }
    const version = document.version;
    const state = await this.lint(uri, document.getText(), version, project);
    // Publish only what was computed from the current text, and only if no newer lint is due.
    if (state === undefined || !this.scheduler.isCurrent(ticket)) return;
    if (this.deps.documents.get(uri)?.version !== version) return;
    this.states.set(uri, state);
    this.deps.publisher.publish(uri, version, state.lineStarts, state.findings);
    this.publishConfig(project.resolved);
  }

  /** Lints on the worker when there is one, else on this thread; undefined when superseded. */
  private async lint(
    uri: string,
    text: string,
    version: number,
    project: ProjectContext,
  ): Promise<LintState | undefined> {
    const runner = this.deps.runner;
    // A small document is linted here: the worker's round trip (posting the text, the findings
    // back) costs more than its lint. The worker is there so that a huge or hostile file cannot
    // freeze the server; below this size the lint takes a few milliseconds.
    if (runner === undefined || this.deps.rules !== undefined || text.length <= MAIN_THREAD_MAX) {
      try {
        return lintText(uri, text, version, project, this.deps.rules);
      } catch (error) {
        this.deps.log(`linting ${uri} failed: ${errorMessage(error)}`);
        return failedState(
          uri,
          text,
          version,
          project,
          crashFinding(error, project.fingerprintPath),
        );
      }
    }
    const result = await runner.lint({
      uri,
      text,
      rel: toPosixRelative(project.resolved.baseDir, project.file),
      fingerprintPath: project.fingerprintPath,
      file: project.file,
      ...(project.resolved.file !== undefined ? { configFile: project.resolved.file } : {}),
    });
    switch (result.kind) {
      case 'done':
        return workerState(uri, text, version, project, result.findings, result.lineStarts);
      case 'superseded':
        return undefined;
      case 'timeout':
        return failedState(
          uri,
          text,
          version,
          project,
          timeoutFinding(result.ms, project.fingerprintPath),
        );
      case 'failed':
        return failedState(
          uri,
          text,
          version,
          project,
          crashFinding(new Error(result.message), project.fingerprintPath),
        );
    }
  }
}

/**
 * Documents up to this many characters are linted on the server's thread (see `lint`). Measured
 * (bench/RESULTS.md): a 1,000-line relay file (31 KB) lints in about 10 ms, under the worker's
 * round trip for it.
 */
export const MAIN_THREAD_MAX = 48 * 1024;

/** The state of a document whose lint failed: the parser itself may be what failed. */
function failedState(
  uri: string,
  text: string,
  version: number,
  project: ProjectContext,
  finding: Finding,
): LintState {
  // Not parsed: the parser itself may be what failed. The tag only says how to show the text.
  const parsed: ParsedFile = {
    uri,
    format: /\.json$/i.test(uri) ? 'json' : 'yaml',
    text,
    documents: [],
    problems: [],
    comments: [],
    lineStarts: computeLineStarts(text),
  };
  return { uri, version, parsed, lineStarts: parsed.lineStarts, findings: [finding], project };
}
