import {
  AbstractMessageReader,
  type Connection,
  createConnection,
  type DataCallback,
  type Disposable,
  ErrorCodes,
  type Message,
  type MessageReader,
  type MessageWriter,
  ProposedFeatures,
} from 'vscode-languageserver/node';
import { errorMessage } from '../core/errors.js';

/** Bounds of the stdio framing: a header is a few dozen bytes, a message a few megabytes. */
export interface FramingLimits {
  /** Longest header block accepted (bytes, up to and including the blank line). */
  readonly maxHeaderBytes: number;
  /** Largest `Content-Length` accepted. */
  readonly maxContentBytes: number;
}

export const DEFAULT_LIMITS: FramingLimits = {
  maxHeaderBytes: 8 * 1024,
  maxContentBytes: 64 * 1024 * 1024,
};

const HEADER_END = Buffer.from('\r\n\r\n', 'ascii');
const PREFIX = 'content-';
const EMPTY = Buffer.alloc(0);

/**
 * Reads LSP messages (`Content-Length: n\r\n\r\n` + JSON) from a byte stream, and survives what
 * vscode-jsonrpc's StreamMessageReader does not: a negative or non-numeric length, a header line
 * without a colon (it stopped answering for good), and a megabytes-long junk header (scanned in
 * quadratic time). Every byte is looked at a bounded number of times; a header block longer than
 * the limit is dropped as it streams in; a bad header or body is reported through `log` in one
 * line and skipped, and reading goes on with the next message. The stream's end closes the
 * reader.
 */
export class GuardedStreamReader extends AbstractMessageReader {
  private buffer: Buffer = Buffer.alloc(0);
  /** Chunks of the body being read, and their total length. */
  private body: Buffer[] = [];
  private bodyBytes = 0;
  /** Length of the body being read; undefined while reading a header. */
  private expected: number | undefined;
  /** How much of `buffer` was searched for the end of the header. */
  private searched = 0;
  /** True while junk is being dropped (logged once per run). */
  private junk = false;
  private callback: DataCallback | undefined;

  constructor(
    private readonly input: NodeJS.ReadableStream,
    private readonly log: (message: string) => void,
    private readonly limits: FramingLimits = DEFAULT_LIMITS,
  ) {
    super();
  }

  listen(callback: DataCallback): Disposable {
    this.callback = callback;
    const onData = (chunk: Buffer | string): void => {
      this.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
    };
    const onEnd = (): void => {
      this.fireClose();
    };
    const onError = (error: unknown): void => {
      this.fireError(error);
    };
    this.input.on('data', onData);
    this.input.on('end', onEnd);
    this.input.on('close', onEnd);
    this.input.on('error', onError);
    return {
      dispose: () => {
        this.input.off('data', onData);
        this.input.off('end', onEnd);
        this.input.off('close', onEnd);
        this.input.off('error', onError);
        this.callback = undefined;
      },
    };
  }

  private push(chunk: Buffer): void {
    let data = chunk;
    while (data.length > 0) {
      if (this.expected !== undefined) data = this.pushBody(data);
      else data = this.pushHeader(data);
    }
  }

  /** Takes header bytes from `data`; returns what follows the header (the body and beyond). */
  private pushHeader(data: Buffer): Buffer {
    this.buffer = this.buffer.length === 0 ? data : Buffer.concat([this.buffer, data]);
    if (!this.align()) return EMPTY;
    // Bytes already searched for the blank line are not searched again (linear time).
    const end = this.buffer.indexOf(HEADER_END, Math.max(0, this.searched - 3));
    if (end < 0 || end + HEADER_END.length > this.limits.maxHeaderBytes) {
      if (end < 0 && this.buffer.length <= this.limits.maxHeaderBytes) {
        this.searched = this.buffer.length;
        return EMPTY;
      }
      this.log(`transport: a header longer than ${this.limits.maxHeaderBytes} bytes was dropped`);
      // Skip past "Content-" so that the next header is searched for.
      this.buffer = this.buffer.subarray(PREFIX.length);
      this.searched = 0;
      this.junk = true;
      return EMPTY;
    }
    const header = this.buffer.subarray(0, end).toString('latin1');
    const rest = this.buffer.subarray(end + HEADER_END.length);
    this.buffer = EMPTY;
    this.searched = 0;
    const length = this.contentLength(header);
    if (length !== undefined) {
      this.expected = length;
      this.body = [];
      this.bodyBytes = 0;
    }
    return rest;
  }

  /**
   * Whether the buffer starts with a header (`Content-`). Junk before one (a body whose header
   * was bad, garbage between messages) is dropped, with one log line per run of junk; a buffer
   * that may still become a header waits for more bytes.
   */
  private align(): boolean {
    const head = this.buffer.subarray(0, PREFIX.length).toString('latin1').toLowerCase();
    if (head === PREFIX) {
      this.junk = false;
      return true;
    }
    if (PREFIX.startsWith(head)) return false;
    const next = [
      this.buffer.indexOf('Content-Length', 1, 'latin1'),
      this.buffer.indexOf('content-length', 1, 'latin1'),
    ].filter((i) => i > 0);
    if (!this.junk) this.log('transport: bytes that are not a message header were dropped');
    this.junk = true;
    this.searched = 0;
    if (next.length === 0) {
      // Keep what could be the start of "Content-Length".
      this.buffer = this.buffer.subarray(Math.max(0, this.buffer.length - 13));
      return false;
    }
    this.buffer = this.buffer.subarray(Math.min(...next));
    this.junk = false;
    return true;
  }

  /** The Content-Length of a header block, or undefined (logged) when the block is bad. */
  private contentLength(header: string): number | undefined {
    let length: number | undefined;
    for (const line of header.split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon <= 0) {
        // The length, if given, still frames the message: only the line is ignored.
        this.log(`transport: a header line without a name and a colon was ignored: ${shown(line)}`);
        continue;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (name === 'content-length') {
        const n = /^\d{1,15}$/.test(value) ? Number(value) : NaN;
        if (!Number.isSafeInteger(n) || n > this.limits.maxContentBytes) {
          this.log(
            `transport: Content-Length ${shown(value)} is not a length from 0 to ${this.limits.maxContentBytes}; message dropped`,
          );
          return undefined;
        }
        length = n;
      } else if (name === 'content-type' && !/charset\s*=\s*"?utf-?8"?/i.test(value)) {
        if (/charset/i.test(value)) {
          this.log(`transport: only UTF-8 is read, not ${shown(value)}; message dropped`);
          return undefined;
        }
      }
    }
    if (length === undefined) this.log('transport: a header without Content-Length was dropped');
    return length;
  }

  /** Takes body bytes from `data`; returns what follows the body. */
  private pushBody(data: Buffer): Buffer {
    const expected = this.expected ?? 0;
    const take = Math.min(expected - this.bodyBytes, data.length);
    this.body.push(data.subarray(0, take));
    this.bodyBytes += take;
    if (this.bodyBytes < expected) return Buffer.alloc(0);
    const body = Buffer.concat(this.body, expected);
    this.body = [];
    this.bodyBytes = 0;
    this.expected = undefined;
    this.deliver(body);
    return data.subarray(take);
  }

  private deliver(body: Buffer): void {
    let message: unknown;
    try {
      message = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body));
    } catch (error) {
      this.log(`transport: a message that is not UTF-8 JSON was dropped: ${errorMessage(error)}`);
      return;
    }
    if (!isMessage(message)) {
      this.log('transport: a message that is not a JSON-RPC 2.0 object was dropped');
      return;
    }
    this.callback?.(message);
  }
}

function isMessage(value: unknown): value is Message {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    (value as { jsonrpc?: unknown }).jsonrpc === '2.0'
  );
}

/** A header value or line as a log shows it: bounded, control characters escaped. */
function shown(text: string): string {
  const cut = text.length > 80 ? `${text.slice(0, 80)}…` : text;
  return JSON.stringify(cut);
}

type Phase = 'new' | 'running' | 'shutdown';

interface IncomingRequest {
  readonly id: number | string | null;
  readonly method: string;
  readonly params?: unknown;
}

function requestOf(message: Message): IncomingRequest | undefined {
  const m = message as { id?: unknown; method?: unknown };
  if (typeof m.method !== 'string' || !('id' in m)) return undefined;
  const id = m.id;
  return typeof id === 'number' || typeof id === 'string' || id === null
    ? (message as unknown as IncomingRequest)
    : undefined;
}

/**
 * The LSP lifecycle, kept before any handler runs: a request before `initialize` is answered
 * with ServerNotInitialized (-32002), a second `initialize` and any request after `shutdown`
 * with InvalidRequest, an `initialize` without capabilities with InvalidParams; notifications
 * other than `exit` are dropped before `initialize` and after `shutdown`. Answers are written to
 * the connection's writer; everything else goes on to the connection.
 */
export class LifecycleReader implements MessageReader {
  private phase: Phase = 'new';

  constructor(
    private readonly inner: MessageReader,
    private readonly writer: MessageWriter,
    private readonly log: (message: string) => void,
  ) {}

  get onError(): MessageReader['onError'] {
    return this.inner.onError;
  }

  get onClose(): MessageReader['onClose'] {
    return this.inner.onClose;
  }

  get onPartialMessage(): MessageReader['onPartialMessage'] {
    return this.inner.onPartialMessage;
  }

  /** Whether `shutdown` was received (the exit code when the client goes away). */
  get shutdownReceived(): boolean {
    return this.phase === 'shutdown';
  }

  listen(callback: DataCallback): Disposable {
    return this.inner.listen((message) => {
      if (this.admit(message)) callback(message);
    });
  }

  dispose(): void {
    this.inner.dispose();
  }

  private admit(message: Message): boolean {
    const m = message as { method?: unknown; id?: unknown };
    if (typeof m.method !== 'string') return true; // a response to a request of the server
    const request = requestOf(message);
    if (request === undefined) {
      if ('id' in m) {
        this.log(`${m.method}: a request id must be a number or a string; dropped`);
        return false;
      }
      return m.method === 'exit' || this.phase === 'running';
    }
    const refuse = (code: number, text: string): false => {
      this.log(`${request.method}: ${text}`);
      void this.writer
        .write({ jsonrpc: '2.0', id: request.id, error: { code, message: text } } as Message)
        .catch(() => undefined);
      return false;
    };
    if (request.method === 'initialize') {
      if (this.phase !== 'new')
        return refuse(ErrorCodes.InvalidRequest, 'the server is already initialized');
      const params = request.params as { capabilities?: unknown } | null | undefined;
      if (typeof params !== 'object' || params === null || typeof params.capabilities !== 'object')
        return refuse(ErrorCodes.InvalidParams, 'initialize needs params with capabilities');
      this.phase = 'running';
      return true;
    }
    if (this.phase === 'new')
      return refuse(ErrorCodes.ServerNotInitialized, 'the server is not initialized yet');
    if (this.phase === 'shutdown')
      return refuse(ErrorCodes.InvalidRequest, 'the server is shutting down');
    if (request.method === 'shutdown') this.phase = 'shutdown';
    return true;
  }
}

/** What the process glue needs besides the connection. */
export interface GuardedConnection {
  readonly connection: Connection;
  /** Whether `shutdown` was received, for the exit code when input ends. */
  shutdownReceived(): boolean;
}

/**
 * A language-server connection whose every incoming message passes the lifecycle gate; `log`
 * lines go to the client's log (window/logMessage) through the same writer.
 */
export function createGuardedConnection(
  reader: MessageReader,
  writer: MessageWriter,
): GuardedConnection {
  const gate = new LifecycleReader(reader, writer, (message) => {
    logTo(writer, message);
  });
  return {
    connection: createConnection(ProposedFeatures.all, gate, writer),
    shutdownReceived: () => gate.shutdownReceived,
  };
}

/** One error line in the client's log, written straight to the transport. */
export function logTo(writer: MessageWriter, message: string): void {
  void writer
    .write({
      jsonrpc: '2.0',
      method: 'window/logMessage',
      params: { type: 1, message },
    } as Message)
    .catch(() => undefined);
}
