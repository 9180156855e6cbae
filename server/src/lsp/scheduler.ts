/** Timer functions, injectable so tests can decide when a debounce fires. */
export interface Timers {
  set(callback: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  clear: (handle) => {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};

/** One scheduled run. It is current until the same key is scheduled again or cancelled. */
export interface Ticket {
  readonly key: string;
  readonly generation: number;
  /** Set by opens, saves and configuration changes: lint even when the text did not change. */
  readonly force: boolean;
}

interface Pending {
  readonly handle: unknown;
  readonly force: boolean;
}

/**
 * Per-key debounce with a generation guard. Scheduling a key again restarts its timer and makes
 * every earlier ticket stale, so a run that awaited something (settings, the disk) checks
 * `isCurrent` before it publishes: a change arriving meanwhile supersedes it.
 */
export class Scheduler {
  private readonly pending = new Map<string, Pending>();
  private readonly latest = new Map<string, number>();
  private generation = 0;

  constructor(
    private readonly run: (ticket: Ticket) => Promise<void>,
    private readonly debounceMs: number,
    private readonly onError: (error: unknown) => void,
    private readonly timers: Timers = realTimers,
  ) {}

  schedule(key: string, options: { force?: boolean; delayMs?: number } = {}): void {
    const previous = this.pending.get(key);
    if (previous !== undefined) this.timers.clear(previous.handle);
    const generation = ++this.generation;
    this.latest.set(key, generation);
    // A forced run that has not started yet stays forced when a keystroke reschedules it.
    const force = (options.force ?? false) || (previous?.force ?? false);
    const handle = this.timers.set(() => {
      this.pending.delete(key);
      this.run({ key, generation, force }).catch(this.onError);
    }, options.delayMs ?? this.debounceMs);
    this.pending.set(key, { handle, force });
  }

  isCurrent(ticket: Ticket): boolean {
    return this.latest.get(ticket.key) === ticket.generation;
  }

  /** Drops a key: its pending run never fires and a run in flight is no longer current. */
  forget(key: string): void {
    const previous = this.pending.get(key);
    if (previous !== undefined) this.timers.clear(previous.handle);
    this.pending.delete(key);
    this.latest.delete(key);
  }

  get size(): { pending: number; keys: number } {
    return { pending: this.pending.size, keys: this.latest.size };
  }
}
