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

/**
 * Owns what is published per URI: the latest publish for a URI replaces the previous one, and
 * the totals over every URI go to the client as `relayLint/status` when they change. Open
 * documents, configuration files (and the workspace audit) all publish through it.
 */
export class Publisher {
  private readonly counts = new Map<string, SeverityCounts>();
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
    this.counts.set(uri, countShown(findings));
    this.sendStatus();
  }

  /** Clears a URI's diagnostics, if any were published. */
  clear(uri: string): void {
    if (!this.counts.delete(uri)) return;
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
    const counts = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    let files = 0;
    for (const c of this.counts.values()) {
      let any = false;
      for (const k of Object.keys(counts) as (keyof SeverityCounts)[]) {
        counts[k] += c[k];
        any ||= c[k] > 0;
      }
      if (any) files++;
    }
    return { counts, files };
  }

  private sendStatus(): void {
    const status = this.status();
    const key = JSON.stringify(status);
    if (key === this.lastStatus) return;
    this.lastStatus = key;
    this.sink.status(status);
  }
}
