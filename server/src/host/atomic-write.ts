import {
  accessSync,
  chmodSync,
  chownSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { BroadcastChannel, isMainThread } from 'node:worker_threads';
import { reasonOf } from './files.js';

/** What a file looked like when it was read: it is overwritten only if it still looks so. */
export interface ReadStamp {
  readonly size: number;
  readonly mtimeMs: number;
}

export function stampOf(file: string): ReadStamp {
  const st = statSync(file);
  return { size: st.size, mtimeMs: st.mtimeMs };
}

/** A file that was not written; the original is untouched. `message` is the reason alone. */
export class WriteError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(reason);
    this.name = 'WriteError';
  }
}

/** The file operations a write uses; tests inject failures (a short write, a full disk). */
export interface WriteOps {
  readonly writeSync: (fd: number, buffer: Buffer, offset: number, length: number) => number;
}

const REAL_OPS: WriteOps = {
  writeSync: (fd, buffer, offset, length) => writeSync(fd, buffer, offset, length),
};

export interface WriteOptions {
  /** The file as it was read; when it has changed since (size or mtime), it is not written. */
  readonly expect?: ReadStamp;
  readonly ops?: WriteOps;
}

/**
 * Replaces a file's content safely, or not at all (throwing WriteError, original untouched):
 *
 * - a symbolic link is written through: the real file is replaced, the link stays a link;
 * - a read-only file (no write bit, or no write access) is not rewritten, even though the
 *   rename would only need the folder;
 * - a file changed since it was read (`expect`: size and mtime) is not overwritten, checked
 *   before writing and again just before the rename;
 * - the new content goes to a temporary file in the same folder, written in a loop until every
 *   byte is out, fsynced, then checked (size and bytes read back) before the rename: a full disk
 *   or a short write never leaves a truncated file behind a "fixed" report;
 * - mode, owner and group are kept (a write that cannot keep the owner is refused);
 * - the temporary file is removed on any failure, and on SIGINT/SIGTERM (see
 *   `cleanTmpFilesOnSignals`).
 */
export function writeFileAtomic(file: string, text: string, options: WriteOptions = {}): void {
  const ops = options.ops ?? REAL_OPS;
  if (interrupted) throw new WriteError(file, 'the run was interrupted; not changed');
  const real = attempt(file, () => realpathSync(file));
  const before = attempt(file, () => statSync(real));
  if (!before.isFile()) throw new WriteError(file, 'not a regular file');
  if (options.expect !== undefined && changed(before, options.expect))
    throw new WriteError(file, 'it changed on disk since it was read; not overwritten');
  if ((before.mode & 0o222) === 0 || !writable(real))
    throw new WriteError(file, 'it is read-only; not changed');
  const data = Buffer.from(text, 'utf8');
  const tmp = path.join(
    path.dirname(real),
    `.${path.basename(real)}.relay-lint-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.tmp`,
  );
  track(tmp);
  try {
    writeTmp(tmp, data, before, ops);
    keepOwner(tmp, before);
    chmodSync(tmp, before.mode & 0o7777);
    const now = statSync(real);
    if (changed(now, before))
      throw new WriteError(file, 'it changed on disk while being fixed; not overwritten');
    renameSync(tmp, real);
    untrack(tmp);
    syncFolder(path.dirname(real));
  } catch (error) {
    removeQuietly(tmp);
    untrack(tmp);
    if (error instanceof WriteError) throw error;
    throw new WriteError(file, reasonOf(error));
  }
}

function writeTmp(tmp: string, data: Buffer, original: Stats, ops: WriteOps): void {
  const fd = openSync(tmp, 'wx', original.mode & 0o777);
  try {
    let offset = 0;
    while (offset < data.length) {
      const n = ops.writeSync(fd, data, offset, data.length - offset);
      if (n <= 0) throw new Error(`short write: ${offset} of ${data.length} bytes`);
      offset += n;
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  const size = statSync(tmp).size;
  if (size !== data.length)
    throw new Error(`the new file has ${size} bytes, not ${data.length}; the original is kept`);
  if (!readFileSync(tmp).equals(data))
    throw new Error('the new file does not read back as written; the original is kept');
}

/** chown to the original's owner and group; refused when they cannot be kept. */
function keepOwner(tmp: string, original: Stats): void {
  const st = statSync(tmp);
  if (st.uid === original.uid && st.gid === original.gid) return;
  try {
    chownSync(tmp, original.uid, original.gid);
  } catch (error) {
    throw new Error(`its owner and group cannot be kept (${reasonOf(error)})`);
  }
}

function changed(st: ReadStamp, expect: ReadStamp): boolean {
  return st.size !== expect.size || st.mtimeMs !== expect.mtimeMs;
}

function writable(file: string): boolean {
  try {
    accessSync(file, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function attempt<T>(file: string, body: () => T): T {
  try {
    return body();
  } catch (error) {
    throw new WriteError(file, reasonOf(error));
  }
}

/** The rename is durable once the folder is synced; not every platform can (Windows). */
function syncFolder(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: the data itself was synced before the rename.
  }
}

function removeQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone, or its folder went away.
  }
}

/**
 * Temporary files being written, by this thread; the main thread also learns those of the lint
 * workers, which announce theirs on a BroadcastChannel (signals reach only the main thread).
 */
const tmpFiles = new Set<string>();
const CHANNEL = 'relay-lint:atomic-write';
const announce = isMainThread ? undefined : new BroadcastChannel(CHANNEL);
announce?.unref();
/** Set once SIGINT or SIGTERM arrived: no new write starts (workers hear it on the channel). */
let interrupted = false;
if (announce !== undefined)
  announce.onmessage = (event: unknown) => {
    if ((event as { data?: { stop?: unknown } }).data?.stop === true) interrupted = true;
  };

/** Whether the run was interrupted by a signal: a loop over files stops at the next one. */
export function isInterrupted(): boolean {
  return interrupted;
}

function track(file: string): void {
  tmpFiles.add(file);
  announce?.postMessage({ add: file });
}

function untrack(file: string): void {
  tmpFiles.delete(file);
  announce?.postMessage({ remove: file });
}

/** Temporary files being written now (tests). */
export function pendingTmpFiles(): readonly string[] {
  return [...tmpFiles];
}

/**
 * On SIGINT or SIGTERM, removes the temporary files of writes in progress (this thread's and
 * the workers') before the process ends with the signal's exit code (130, 143): an interrupted
 * `--fix` leaves no hidden `.relay-lint-….tmp` file for `git add -A` to pick up. Call once, on
 * the main thread; returns a function that removes the handlers.
 */
export function cleanTmpFilesOnSignals(
  exit: (code: number) => void = (code) => {
    process.exit(code);
  },
): () => void {
  const listener = new BroadcastChannel(CHANNEL);
  listener.unref();
  let terminating = false;
  listener.onmessage = (event: unknown) => {
    const data = (event as { data?: { add?: unknown; remove?: unknown } }).data;
    if (typeof data?.add === 'string') {
      if (terminating) removeQuietly(data.add);
      else tmpFiles.add(data.add);
    }
    if (typeof data?.remove === 'string') tmpFiles.delete(data.remove);
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    terminating = true;
    interrupted = true;
    listener.postMessage({ stop: true });
    const clean = (): void => {
      for (const file of tmpFiles) removeQuietly(file);
      tmpFiles.clear();
    };
    clean();
    // Workers still writing announce their files a moment later; remove those too.
    setTimeout(() => {
      clean();
      listener.close();
      exit(signal === 'SIGINT' ? 130 : 143);
    }, 100);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    listener.close();
  };
}
