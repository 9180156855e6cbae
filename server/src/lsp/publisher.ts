import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import type { Finding } from '../core/model.js';
import type { SeverityCounts, StatusParams } from '../protocol/index.js';
import { toDiagnostics } from './diagnostics.js';

export interface PublishSink {
  diagnostics(params: PublishDiagnosticsParams): void;
  status(params: StatusParams): void;
}

function countShown(findings: readonly Finding[]): SeverityCounts {
  const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of findings) if (!f.suppressed) counts[f.severity]++;
  return counts;
}

const KEYS = ['critical', 'high', 'medium', 'low', 'info'] as const;

function anyShown(c: SeverityCounts): boolean {
  return KEYS.some((k) => c[k] > 0);
}

/**
 * Owns what is published per URI: the latest publish for a URI replaces the previous one, and
 * the totals over every URI go to the client as `relayLint/status` when they change. Open
 * documents, configuration files (and the workspace audit) all publish through it. The totals
 * are kept as running sums, so a publish costs the same with 10 or 10,000 files published.
 */
export class Publisher {
  private readonly counts = new Map<string, SeverityCounts>();
  private readonly totals: Record<keyof SeverityCounts, number> = {
    critical: 0,
    high: 0,
    medium: 0,
    low: 0,
    info: 0,
  };
  private filesShown = 0;
  private lastStatus = '';

  constructor(private readonly sink: PublishSink) {}

  publish(
    uri: string,
    version: number | undefined,
    lineStarts: readonly number[],
    findings: readonly Finding[],
  ): void {
    const diagnostics = toDiagnostics({ uri, version, lineStarts }, findings);
    this.sink.diagnostics({ uri, ...(version !== undefined ? { version } : {}), diagnostics });
    this.account(uri, countShown(findings));
    this.sendStatus();
  }

  /** Clears a URI's diagnostics, if any were published. */
  clear(uri: string): void {
    if (!this.counts.has(uri)) return;
    this.account(uri, undefined);
    this.sink.diagnostics({ uri, diagnostics: [] });
    this.sendStatus();
  }

  has(uri: string): boolean {
    return this.counts.has(uri);
  }

  get size(): number {
    return this.counts.size;
  }

  status(): StatusParams {
    return { counts: { ...this.totals }, files: this.filesShown };
  }

  /** Replaces a URI's counts in the running totals (undefined: forget the URI). */
  private account(uri: string, next: SeverityCounts | undefined): void {
    const prev = this.counts.get(uri);
    if (prev !== undefined) {
      for (const k of KEYS) this.totals[k] -= prev[k];
      if (anyShown(prev)) this.filesShown--;
    }
    if (next === undefined) {
      this.counts.delete(uri);
      return;
    }
    for (const k of KEYS) this.totals[k] += next[k];
    if (anyShown(next)) this.filesShown++;
    this.counts.set(uri, next);
  }

  private sendStatus(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.sink.status(status);
  }
}
