/** Runs shorter than this never show a progress line. */
const DELAY_MS = 1000;
const INTERVAL_MS = 100;

export interface Progress {
  update(done: number): void;
  /** Erases the line, if one was drawn. */
  clear(): void;
}

/**
 * A one-line progress indicator on stderr, redrawn in place with `\r`. It appears only on a
 * terminal and only once the run has lasted a second, so pipes, CI logs and quick runs stay clean.
 */
export function createProgress(options: {
  readonly total: number;
  readonly enabled: boolean;
  readonly write: (text: string) => void;
  readonly now?: () => number;
}): Progress {
  const now = options.now ?? (() => performance.now());
  const start = now();
  let last = -Infinity;
  let drawn = false;
  return {
    update(done: number): void {
      if (!options.enabled) return;
      const t = now();
      if (t - start < DELAY_MS || t - last < INTERVAL_MS) return;
      last = t;
      const pct = options.total === 0 ? 100 : Math.floor((done / options.total) * 100);
      options.write(
        `\r\u001b[Krelay-lint: ${done.toLocaleString('en-US')}/${options.total.toLocaleString('en-US')} files (${pct}%)`,
      );
      drawn = true;
    },
    clear(): void {
      if (drawn) options.write('\r\u001b[K');
      drawn = false;
    },
  };
}
