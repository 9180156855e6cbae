import path from 'node:path';
import { errorMessage } from '../core/errors.js';
import type { CancellationToken, WorkDoneProgressReporter } from 'vscode-languageserver';
import { toMarkdown } from '../core/report/markdown.js';
import type { FileResult } from '../core/report/result.js';
import { toSarif } from '../core/report/sarif.js';
import type { Rule } from '../core/rule.js';
import { type Concurrency, runPool, workerCount } from '../host/pool.js';
import type { LintTask } from '../host/lint-task.js';
import { readTextFile } from '../host/siblings.js';
import { slim } from '../host/lint-file.js';
import { configResult, targetsIn, taskOf } from '../host/targets.js';
import {
  resolveConfigFor,
  type ResolvedConfig,
  toPosixRelative,
} from '../host/config-discovery.js';
import type {
  AuditExportParams,
  AuditExportResult,
  AuditParams,
  AuditResult,
  SeverityCounts,
} from '../protocol/index.js';
import { lintText } from './lint-state.js';
import type { OpenDocuments } from './linting.js';
import { pathToUri, uriToPath, type Workspace } from './project.js';
import type { Publisher } from './publisher.js';

export interface AuditDeps {
  readonly workspace: Workspace;
  readonly documents: OpenDocuments;
  readonly publisher: Publisher;
  /** Rules to run (default: the whole catalog), as for open documents. */
  readonly rules?: readonly Rule[];
  /** Rule documentation pages for the SARIF export (default: none, the rationale stands in). */
  readonly docs?: () => ReadonlyMap<string, string>;
  readonly log: (message: string) => void;
  readonly now?: () => number;
  /** Worker threads for large audits, as the CLI's `--concurrency` (default auto). */
  readonly concurrency?: Concurrency;
}

/** The state of one audit, shared by the in-thread and the worker paths. */
interface Run {
  readonly targets: readonly AuditTarget[];
  readonly multiRoot: boolean;
  /** Per target, in target order; undefined for files not linted. */
  readonly results: (FileResult | undefined)[];
  readonly configs: Map<string, FileResult>;
  done: number;
  reported: number;
  readonly progress: WorkDoneProgressReporter;
}

/** One relay configuration the audit found. */
interface AuditTarget {
  readonly file: string;
  readonly folder: string;
}

/** Longest stretch of linting before the event loop gets a turn (other requests, cancel). */
const SLICE_MS = 10;
const PROGRESS_MS = 100;

/**
 * The workspace audit: finds the relay configurations of the workspace folders, lints them as
 * the CLI does, and publishes diagnostics for files that are not open (an open buffer's own
 * lint wins). It yields to the event loop every few milliseconds, so the server keeps answering
 * and a cancellation is seen promptly; what was linted before it stays published.
 */
export class Auditor {
  /** URIs the audit linted (published from disk unless open at the time). */
  private readonly audited = new Set<string>();
  private last: { results: FileResult[]; srcRoot?: string } | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: AuditDeps) {
    this.now = deps.now ?? (() => performance.now());
  }

  async audit(
    params: AuditParams,
    token: CancellationToken,
    progress: WorkDoneProgressReporter,
  ): Promise<AuditResult> {
    const folders = this.folders(params);
    const targets = discover(folders, params.exclude ?? [], this.deps.log);
    progress.begin('Relay Lint: auditing the workspace', 0, `0/${targets.length} files`, true);
    const run: Run = {
      targets,
      multiRoot: folders.length > 1,
      results: new Array<FileResult | undefined>(targets.length),
      configs: new Map(),
      done: 0,
      reported: this.now(),
      progress,
    };
    let cancelled: boolean;
    try {
      // Worker threads run the whole catalog; a server given its own rules (tests) stays here.
      const workers =
        this.deps.rules === undefined
          ? workerCount(this.deps.concurrency ?? 'auto', targets.length)
          : 0;
      cancelled =
        workers > 0 ? await this.inWorkers(run, workers, token) : await this.here(run, token);
    } finally {
      progress.done();
    }
    const linted = run.results.filter((r) => r !== undefined);
    const results = [...linted, ...run.configs.values()];
    const srcRoot = folders.length === 1 && folders[0] !== undefined ? folders[0] : undefined;
    this.last = { results, ...(srcRoot !== undefined ? { srcRoot } : {}) };
    return {
      ...summarise(results),
      found: targets.length,
      files: linted.length,
      cancelled,
      report: markdownOf(results, srcRoot),
    };
  }

  /** Lints on this thread, giving the event loop a turn every few milliseconds. */
  private async here(run: Run, token: CancellationToken): Promise<boolean> {
    let slice = this.now();
    for (const [i, target] of run.targets.entries()) {
      if (this.now() - slice > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = this.now();
      }
      if (token.isCancellationRequested) return true;
      run.results[i] = this.lintOne(target, run.multiRoot, run.configs);
      this.step(run);
    }
    return false;
  }

  /**
   * Lints on worker threads (the CLI's pool), publishing each file as its outcome arrives; the
   * main thread only routes messages, so it stays free for the editor. Open files are linted
   * here, from their buffers. Cancelling stops sending batches; those in flight still land.
   */
  private async inWorkers(run: Run, workers: number, token: CancellationToken): Promise<boolean> {
    const remote: { index: number; uri: string; task: LintTask }[] = [];
    let slice = this.now();
    for (const [i, target] of run.targets.entries()) {
      // Resolving each file's configuration takes a while for thousands of files: keep answering.
      if (this.now() - slice > SLICE_MS) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = this.now();
        if (token.isCancellationRequested) return true;
      }
      const uri = pathToUri(target.file);
      const project = this.deps.workspace.contextFor(uri);
      if (project?.included !== true) {
        this.step(run);
        continue;
      }
      this.noteConfig(project.resolved, target, run);
      if (this.deps.documents.get(uri) !== undefined) {
        run.results[i] = this.lintOne(target, run.multiRoot, run.configs);
        this.step(run);
        continue;
      }
      remote.push({
        index: i,
        uri,
        task: taskOf({ file: target.file, resolved: project.resolved }, target.folder, false),
      });
    }
    await runPool(
      remote.map((r) => r.task),
      workers,
      {
        maxBatch: 16,
        stopped: () => token.isCancellationRequested,
        onOutcome: (k, outcome) => {
          const r = remote[k];
          if (r === undefined) return;
          const result = outcome.result;
          for (const m of outcome.messages) this.deps.log(`audit: ${m}`);
          if (result !== undefined) {
            this.audited.add(r.uri);
            // A buffer opened meanwhile wins.
            if (this.deps.documents.get(r.uri) === undefined)
              this.deps.publisher.publish(
                r.uri,
                undefined,
                result.file.lineStarts,
                result.findings,
              );
            const target = run.targets[r.index];
            run.results[r.index] =
              target !== undefined && run.multiRoot
                ? { ...result, path: display(target.folder, target.file, true) }
                : result;
          }
          this.step(run);
        },
      },
    );
    return token.isCancellationRequested && run.done < run.targets.length;
  }

  /** One more file done: report progress at most every 100 ms, and at the end. */
  private step(run: Run): void {
    run.done++;
    if (this.now() - run.reported < PROGRESS_MS && run.done !== run.targets.length) return;
    run.reported = this.now();
    const total = run.targets.length;
    run.progress.report(
      Math.floor((run.done / Math.max(total, 1)) * 100),
      `${run.done}/${total} files`,
    );
  }

  /** The last audit as a Markdown or SARIF report; undefined before any audit. */
  export(params: AuditExportParams): AuditExportResult | null {
    if (this.last === undefined) return null;
    const { results, srcRoot } = this.last;
    if (params.format === 'sarif') {
      const log = toSarif(results, {
        ...(this.deps.docs !== undefined ? { docs: this.deps.docs() } : {}),
        ...(srcRoot !== undefined ? { srcRootUri: pathToUri(srcRoot) } : {}),
      });
      return { text: `${JSON.stringify(log, null, 2)}\n` };
    }
    return { text: markdownOf(results, this.last.srcRoot) };
  }

  /**
   * An audited file was closed: its buffer's diagnostics are gone, so publish the file on disk
   * again (the linter clears them first), or nothing if it is no longer there.
   */
  closed(uri: string): void {
    if (!this.audited.has(uri) || this.deps.documents.get(uri) !== undefined) return;
    const file = uriToPath(uri);
    const folder = file !== undefined ? this.deps.workspace.folderOf(file) : undefined;
    if (file === undefined || folder === undefined) return;
    this.lintOne({ file, folder }, false, new Map());
  }

  /** A broken `.relay-lint.yaml` is published and reported once per audit, as the CLI does. */
  private noteConfig(
    config: ResolvedConfig,
    target: AuditTarget,
    run: Pick<Run, 'multiRoot' | 'configs'>,
  ): void {
    if (config.file === undefined || run.configs.has(config.file)) return;
    // Shown and fingerprinted by its path relative to the folder, as the CLI run there does.
    const result = configResult(config, display(target.folder, config.file, run.multiRoot));
    if (result === undefined) return;
    const lineStarts = config.loaded.parsed.lineStarts;
    this.deps.publisher.publish(pathToUri(config.file), undefined, lineStarts, result.findings);
    run.configs.set(config.file, result);
  }

  private folders(params: AuditParams): string[] {
    const given = params.folders?.flatMap((u) => uriToPath(u) ?? []);
    const list = given ?? [...this.deps.workspace.folderPaths];
    return [...new Set(list.map((f) => path.resolve(f)))].sort();
  }

  /** Lints one file (the open buffer if there is one), publishing it when it is not open. */
  private lintOne(
    target: AuditTarget,
    multiRoot: boolean,
    configs: Map<string, FileResult>,
  ): FileResult | undefined {
    const uri = pathToUri(target.file);
    const project = this.deps.workspace.contextFor(uri);
    if (project?.included !== true) return undefined;
    const open = this.deps.documents.get(uri);
    let text: string;
    try {
      // Synchronous: a relay file reads in microseconds, far less than a thread-pool round trip.
      text = open?.getText() ?? readTextFile(target.file);
    } catch (error) {
      this.deps.log(`audit: cannot read ${target.file}: ${errorMessage(error)}`);
      return undefined;
    }
    const state = lintText(uri, text, open?.version ?? 0, project, this.deps.rules);
    // Open files are remembered too: when they close, their file on disk is published.
    this.audited.add(uri);
    if (open === undefined)
      this.deps.publisher.publish(uri, undefined, state.parsed.lineStarts, state.findings);
    this.noteConfig(project.resolved, target, { multiRoot, configs });
    return slim({
      path: display(target.folder, target.file, multiRoot),
      file: state.parsed,
      findings: state.findings,
    });
  }
}

/**
 * Every relay configuration of the folders, found as the CLI finds them (`host/targets.ts`):
 * each folder's `.relay-lint.yaml` (the search never climbs out of the folder) gives `files` and
 * `ignore`, the client's excludes are added to `ignore`, nested configurations decide for their
 * files, and `walk` skips node_modules and .git and never follows a link out.
 */
export function discover(
  folders: readonly string[],
  exclude: readonly string[],
  log: (message: string) => void,
): AuditTarget[] {
  const seen = new Set<string>();
  const out: AuditTarget[] = [];
  for (const folder of folders) {
    const found = targetsIn(folder, (dir) => resolveConfigFor(dir, folder), exclude);
    for (const e of found.errors) log(`audit: cannot read ${e.path}: ${e.reason}`);
    for (const t of found.targets) {
      if (seen.has(t.file)) continue;
      seen.add(t.file);
      out.push({ file: t.file, folder });
    }
  }
  return out;
}

function display(folder: string, file: string, multiRoot: boolean): string {
  const rel = toPosixRelative(folder, file);
  return multiRoot ? `${path.basename(folder)}/${rel}` : rel;
}

function markdownOf(results: readonly FileResult[], srcRoot: string | undefined): string {
  return toMarkdown(results, {
    // The report opens as an untitled document: link to the files themselves.
    link: (p, line) =>
      srcRoot !== undefined ? `${pathToUri(path.join(srcRoot, p))}#L${line}` : undefined,
  });
}

function summarise(
  results: readonly FileResult[],
): Pick<AuditResult, 'counts' | 'suppressed' | 'openRelays'> {
  const counts: Record<keyof SeverityCounts, number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    info: 0,
  };
  let suppressed = 0;
  let openRelays = 0;
  for (const f of results.flatMap((r) => r.findings)) {
    if (f.suppressed) {
      suppressed++;
      continue;
    }
    counts[f.severity]++;
    if (f.ruleId === 'RLY001') openRelays++;
  }
  return { counts, suppressed, openRelays };
}
