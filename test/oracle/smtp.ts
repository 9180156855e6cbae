import net from 'node:net';

/**
 * The oracle's SMTP client: EHLO, optional AUTH PLAIN, MAIL, RCPT, then RSET and QUIT. It never
 * sends DATA, so nothing is ever queued. It only ever connects to loopback (127/8, ::1): any
 * other destination is refused before a socket exists.
 */

export interface ProbeOptions {
  readonly host: '127.0.0.1' | '::1';
  readonly port: number;
  /** Source address to bind (the client address Postfix sees). */
  readonly localAddress: string;
  /** The banner must carry this text (`oracle-case=<id>`), or the server is a stale one. */
  readonly bannerTag: string;
  readonly from: string;
  readonly to: string;
  readonly auth?: { readonly user: string; readonly password: string };
  /** Polled while waiting for the banner: true when the maillog shows `fatal:`. */
  readonly fatalSeen: () => boolean;
  readonly timeoutMs: number;
}

export type ProbeEnd =
  | { readonly kind: 'rcpt'; readonly rcpt: string; readonly mail: string; readonly auth?: string }
  | { readonly kind: 'fatal' }
  | { readonly kind: 'bind'; readonly detail: string }
  | { readonly kind: 'stale'; readonly banner: string }
  | { readonly kind: 'failed'; readonly detail: string };

export interface ProbeOutcome {
  readonly end: ProbeEnd;
  readonly transcript: readonly string[];
}

function isLoopback(host: string): boolean {
  return host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A reply (possibly multi-line), or undefined when the connection ended first. */
type Reply = string | undefined;
const TICK = Symbol('tick');
const FATAL = Symbol('fatal');
const TIMEOUT = Symbol('timeout');

class ReplyReader {
  private buffer = '';
  private lines: string[] = [];
  private waiting: ((r: Reply) => void) | undefined;
  private closed = false;

  constructor(
    socket: net.Socket,
    private readonly transcript: string[],
  ) {
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl).replace(/\r$/, '');
        this.buffer = this.buffer.slice(nl + 1);
        this.transcript.push(`S: ${line}`);
        this.lines.push(line);
      }
      this.flush();
    });
    const end = (): void => {
      this.closed = true;
      this.flush();
    };
    socket.on('end', end);
    socket.on('close', end);
    socket.on('error', end);
  }

  /** The lines of one complete reply (`250-…` continuations up to `250 …`). */
  private takeReply(): Reply | null {
    for (let i = 0; i < this.lines.length; i++) {
      if (/^\d{3}(?: |$)/.test(this.lines[i] ?? '')) {
        const reply = this.lines.slice(0, i + 1).join('\n');
        this.lines = this.lines.slice(i + 1);
        return reply;
      }
    }
    return this.closed ? undefined : null;
  }

  private flush(): void {
    if (!this.waiting) return;
    const r = this.takeReply();
    if (r === null) return;
    const w = this.waiting;
    this.waiting = undefined;
    w(r);
  }

  next(): Promise<Reply> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.flush();
    });
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, onTimeout: T): Promise<T> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      resolve(onTimeout);
    }, ms);
    void p.then((v) => {
      clearTimeout(timer);
      resolve(v);
    });
  });
}

export async function probe(opts: ProbeOptions): Promise<ProbeOutcome> {
  if (!isLoopback(opts.host)) throw new Error(`refusing to connect to ${opts.host}`);
  const transcript: string[] = [];
  const socket = net.connect({
    host: opts.host,
    port: opts.port,
    localAddress: opts.localAddress,
  });
  const reader = new ReplyReader(socket, transcript);
  let connectError: string | undefined;
  const connected = await new Promise<boolean>((resolve) => {
    socket.once('connect', () => {
      resolve(true);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      connectError = e.code ?? e.message;
      resolve(false);
    });
  });
  const done = (end: ProbeEnd): ProbeOutcome => {
    socket.destroy();
    return { end, transcript };
  };
  if (!connected) {
    const detail = connectError ?? 'connect failed';
    return done(
      detail === 'EADDRNOTAVAIL' || detail === 'EINVAL'
        ? { kind: 'bind', detail }
        : { kind: 'failed', detail },
    );
  }
  // The kernel may substitute another source (127.255.255.255 → 127.0.0.1): then Postfix would
  // see a different client than the question names, so the probe is not asked.
  if (socket.localAddress !== opts.localAddress) {
    return done({ kind: 'bind', detail: `bound as ${socket.localAddress ?? '?'}` });
  }

  // Banner: wait for it while watching the maillog for smtpd's fatal error (pitfall 8).
  const bannerP = reader.next();
  let banner: Reply | typeof FATAL | typeof TIMEOUT | null = null;
  const deadline = Date.now() + opts.timeoutMs;
  // After the maillog shows smtpd's fatal error, a banner still gets a short grace period: on a
  // busy machine a healthy smtpd may just be slow, and one dying smtpd says nothing of the next.
  let graceUntil: number | undefined;
  while (banner === null) {
    const r = await withTimeout<Reply | typeof TICK>(bannerP, 15, TICK);
    if (r !== TICK) banner = r;
    else if (graceUntil === undefined && opts.fatalSeen()) graceUntil = Date.now() + 300;
    else if (graceUntil !== undefined && Date.now() > graceUntil) banner = FATAL;
    else if (Date.now() > deadline) banner = TIMEOUT;
  }
  if (banner === FATAL) return done({ kind: 'fatal' });
  if (banner === TIMEOUT) return done({ kind: 'failed', detail: 'no banner (timeout)' });
  if (banner === undefined) {
    // Closed without a banner: smtpd died; the maillog says why (give postlogd a moment).
    for (let i = 0; i < 20 && !opts.fatalSeen(); i++) await sleep(10);
    return done(
      opts.fatalSeen() ? { kind: 'fatal' } : { kind: 'failed', detail: 'closed without banner' },
    );
  }
  if (!banner.startsWith('220') || !banner.includes(opts.bannerTag)) {
    return done({ kind: 'stale', banner });
  }

  const command = async (line: string): Promise<string> => {
    transcript.push(`C: ${line}`);
    socket.write(`${line}\r\n`);
    const r = await withTimeout<Reply | typeof TIMEOUT>(reader.next(), opts.timeoutMs, TIMEOUT);
    if (r === TIMEOUT) throw new ProbeFailure(`no reply to ${line.split(' ')[0]}`);
    if (r === undefined) throw new ProbeFailure(`connection closed after ${line.split(' ')[0]}`);
    return r;
  };

  try {
    const ehlo = await command('EHLO probe.invalid');
    if (!ehlo.startsWith('250')) return done({ kind: 'failed', detail: `EHLO: ${ehlo}` });
    let authReply: string | undefined;
    if (opts.auth) {
      const token = Buffer.from(`\0${opts.auth.user}\0${opts.auth.password}`).toString('base64');
      authReply = await command(`AUTH PLAIN ${token}`);
    }
    const mail = await command(`MAIL FROM:<${opts.from}>`);
    const rcpt = await command(`RCPT TO:<${opts.to}>`);
    await command('RSET');
    transcript.push('C: QUIT');
    socket.write('QUIT\r\n');
    await withTimeout(reader.next(), 500, undefined);
    return done(
      authReply === undefined
        ? { kind: 'rcpt', rcpt, mail }
        : { kind: 'rcpt', rcpt, mail, auth: authReply },
    );
  } catch (e) {
    if (e instanceof ProbeFailure) {
      if (opts.fatalSeen()) return done({ kind: 'fatal' });
      return done({ kind: 'failed', detail: e.message });
    }
    throw e;
  }
}

class ProbeFailure extends Error {}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true when a TCP connect to host:port is refused (nothing listens any more). */
export function refuses(host: string, port: number): Promise<boolean> {
  if (!isLoopback(host)) throw new Error(`refusing to connect to ${host}`);
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', (e: NodeJS.ErrnoException) => {
      s.destroy();
      resolve(e.code === 'ECONNREFUSED');
    });
  });
}

/** A port free on both 127.0.0.1 and ::1 right now. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const a = s.address();
        const p = typeof a === 'object' && a ? a.port : 0;
        s.close(() => {
          resolve(p);
        });
      });
    });
    const v6ok = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => {
        resolve(false);
      });
      s.listen(port, '::1', () =>
        s.close(() => {
          resolve(true);
        }),
      );
    });
    if (port > 0 && v6ok) return port;
  }
  throw new Error('no free port on 127.0.0.1 and ::1');
}
