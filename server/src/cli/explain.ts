import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RECIPIENT, DEFAULT_SENDER, explainFile } from '../core/explain/index.js';
import type { ExplainQuestion, ListenerAnswer, TraceStep } from '../core/formats/types.js';
import { parseSource } from '../core/lint-source.js';
import { parseAddress } from '../core/net/ip.js';
import { escapeControl } from '../core/report/control.js';
import { computeLineStarts, spanToRange } from '../core/text.js';
import { resolveConfigFor, toPosixRelative } from '../host/config-discovery.js';
import { sourceInputFor } from '../host/lint-file.js';
import { readTextFile, siblingsOf } from '../host/siblings.js';
import { targetsIn } from '../host/targets.js';
import { UsageError } from './args.js';
import { errorMessage } from '../core/errors.js';

export const EXPLAIN_HELP = `Usage: relay-lint explain PATH... --client ADDR [options]

Answers "may this client relay here, and why?" for every listener of the configurations in
PATH (files or folders, any format), with the settings and restrictions that decided it.

Options:
  --client ADDR          the client's IP address (required)
  --to ADDRESS           recipient (default ${DEFAULT_RECIPIENT}, an external domain)
  --from ADDRESS         sender (default ${DEFAULT_SENDER})
  --auth                 the client has authenticated (SMTP AUTH)
  --host-addresses LIST  the server's own interface addresses, comma-separated, each with its
                         prefix length where known (10.1.2.3/24); Postfix's mynetworks_style
                         and inet_interfaces need them (without: "unknown")
  --format text|json     output (default text)
  -h, --help             this help

Exit codes: 0 no listener allows; 1 some listener allows; 2 usage or read error.
`;

export interface ExplainIo {
  readonly cwd: string;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface ExplainOptions {
  readonly paths: readonly string[];
  readonly question: ExplainQuestion;
  readonly format: 'text' | 'json';
  readonly help: boolean;
}

/** One listener's answer, with where it is (paths relative to the working directory). */
interface Located {
  readonly path: string;
  readonly answer: ListenerAnswer;
  /** Resolves a trace step's span to 1-based positions in the file it lies in. */
  readonly rangeOf: (
    step: TraceStep,
  ) => { path: string; range: ReturnType<typeof spanToRange> } | undefined;
}

export function parseExplainArgs(argv: readonly string[]): ExplainOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        client: { type: 'string' },
        to: { type: 'string' },
        from: { type: 'string' },
        auth: { type: 'boolean' },
        'host-addresses': { type: 'string' },
        format: { type: 'string', short: 'f' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(errorMessage(error));
  }
  const v = parsed.values;
  if (v.help === true)
    return { paths: [], question: question('0.0.0.0', v), format: 'text', help: true };
  if (v.client === undefined) throw new UsageError('explain needs --client ADDR');
  const client = parseAddress(v.client);
  if (client.kind !== 'ok')
    throw new UsageError(`--client must be an IPv4 or IPv6 address, not "${v.client}"`);
  const format = v.format ?? 'text';
  if (format !== 'text' && format !== 'json')
    throw new UsageError(`--format must be text or json, not "${format}"`);
  if (parsed.positionals.length === 0) throw new UsageError('explain needs at least one PATH');
  for (const a of hostAddresses(v)) {
    // `addr/len`: mynetworks_style = subnet trusts the interface's whole network.
    const [addr = '', len] = a.split('/');
    if (parseAddress(addr).kind !== 'ok' || (len !== undefined && !/^\d{1,3}$/.test(len)))
      throw new UsageError(`--host-addresses: "${a}" is not an IP address or address/length`);
  }
  return { paths: parsed.positionals, question: question(v.client, v), format, help: false };
}

function question(
  client: string,
  v: { to?: string; from?: string; auth?: boolean; 'host-addresses'?: string },
): ExplainQuestion {
  const hosts = v['host-addresses'] !== undefined ? hostAddresses(v) : undefined;
  return {
    client,
    to: v.to ?? DEFAULT_RECIPIENT,
    from: v.from ?? DEFAULT_SENDER,
    auth: v.auth === true,
    ...(hosts !== undefined ? { hostAddresses: hosts } : {}),
  };
}

function hostAddresses(v: { 'host-addresses'?: string }): string[] {
  return (v['host-addresses'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/** `relay-lint explain …`: 0 nothing allowed, 1 some listener allows, 2 error. */
export function runExplain(argv: readonly string[], io: ExplainIo): 0 | 1 | 2 {
  const options = parseExplainArgs(argv);
  if (options.help) {
    io.stdout(EXPLAIN_HELP);
    return 0;
  }
  const located: Located[] = [];
  let failed = false;
  for (const p of options.paths) {
    const abs = path.resolve(io.cwd, p);
    if (!existsSync(abs)) {
      io.stderr(`relay-lint: no such file or folder: ${p}\n`);
      failed = true;
      continue;
    }
    const files = statSync(abs).isDirectory()
      ? targetsIn(abs, (dir) => resolveConfigFor(dir)).targets.map((t) => t.file)
      : [abs];
    const named = new Set(files);
    for (const file of files) {
      // A Postfix instance is main.cf plus master.cf: main.cf's answer covers every listener of
      // the instance, so its master.cf is not asked again.
      if (
        path.basename(file) === 'master.cf' &&
        named.has(path.join(path.dirname(file), 'main.cf'))
      )
        continue;
      try {
        located.push(...explainOne(file, io.cwd, options.question));
      } catch (error) {
        io.stderr(
          `relay-lint: cannot read ${toPosixRelative(io.cwd, file)}: ${errorMessage(error)}\n`,
        );
        failed = true;
      }
    }
  }
  io.stdout(options.format === 'json' ? json(options.question, located) : text(options, located));
  if (failed) return 2;
  return located.some((l) => l.answer.outcome === 'allow') ? 1 : 0;
}

function explainOne(file: string, cwd: string, q: ExplainQuestion): Located[] {
  // A FIFO, socket or device would block the read for ever (as lint-task.ts refuses them too).
  if (!statSync(file).isFile()) throw new Error('not a regular file');
  const resolved = resolveConfigFor(path.dirname(file));
  const input = sourceInputFor(file, cwd, resolved, readTextFile(file));
  const parsed = parseSource(input);
  const siblings = siblingsOf(file);
  const rel = toPosixRelative(cwd, file);
  const rangeOf: Located['rangeOf'] = (step) => {
    if (step.span === undefined) return undefined;
    if (step.file === undefined)
      return { path: rel, range: spanToRange(parsed.lineStarts, step.span) };
    const other = siblings.read(step.file);
    if (other === undefined) return undefined;
    return {
      path: toPosixRelative(cwd, path.resolve(path.dirname(file), step.file)),
      range: spanToRange(computeLineStarts(other), step.span),
    };
  };
  return explainFile(parsed, q).map((answer) => ({ path: rel, answer, rangeOf }));
}

function json(q: ExplainQuestion, located: readonly Located[]): string {
  const out = {
    version: 1,
    question: q,
    listeners: located.map(({ path: p, answer, rangeOf }) => ({
      path: p,
      server: answer.server,
      listener: answer.listener,
      outcome: answer.outcome,
      reply: answer.reply,
      reason: answer.reason,
      trace: answer.trace.map((s) => {
        const where = rangeOf(s);
        return {
          item: s.item,
          range: where?.range ?? null,
          ...(where !== undefined && where.path !== p ? { path: where.path } : {}),
          result: s.result,
        };
      }),
    })),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}

function text(options: ExplainOptions, located: readonly Located[]): string {
  const q = options.question;
  const lines = [
    `Client ${q.client}${q.auth ? ' (authenticated)' : ''}, MAIL FROM:<${q.from}>, RCPT TO:<${q.to}>`,
  ];
  if (located.length === 0) lines.push('', 'No listeners found in the given paths.');
  for (const { path: p, answer, rangeOf } of located) {
    const reply = answer.reply !== null ? ` ${answer.reply}` : '';
    lines.push(
      '',
      escapeControl(`${p}: ${answer.server} / ${answer.listener}`),
      escapeControl(`  ${answer.outcome.toUpperCase()}${reply}: ${answer.reason}`),
    );
    answer.trace.forEach((s, i) => {
      const where = rangeOf(s);
      const at =
        where !== undefined
          ? ` (${where.path !== p ? `${where.path}:` : ''}${where.range.start.line}:${where.range.start.column})`
          : ' (default)';
      lines.push(escapeControl(`    ${i + 1}. ${s.item}${at}: ${s.result}`));
    });
  }
  return `${lines.join('\n')}\n`;
}
