import { parseArgs } from 'node:util';
import { errorMessage } from '../core/errors.js';
import { SEVERITIES, type Severity } from '../core/model.js';
import type { Concurrency } from '../host/pool.js';

export type OutputFormat = 'text' | 'json' | 'sarif' | 'markdown';
export type FailOn = Severity | 'never';

export interface CliOptions {
  readonly paths: readonly string[];
  /** False when no path was given and `paths` is the default `.`. */
  readonly pathsGiven: boolean;
  readonly format: OutputFormat;
  readonly output?: string;
  readonly config?: string;
  readonly failOn: FailOn;
  readonly fix: boolean;
  readonly color?: boolean;
  readonly help: boolean;
  readonly version: boolean;
  readonly quiet: boolean;
  readonly concurrency: Concurrency;
}

export class UsageError extends Error {}

const FORMATS: readonly OutputFormat[] = ['text', 'json', 'sarif', 'markdown'];

export const HELP = `Usage: relay-lint [options] [paths...]

Finds open relays and weak relay settings in relay configuration files
(*.relay.yaml, *.relay.yml, *.relay.json). Paths are files or folders (default: .).

Options:
  -f, --format <text|json|sarif|markdown>  output format (default: text)
  -o, --output <file>                      write the report to a file
  -c, --config <file>                      use this .relay-lint.yaml instead of discovery
      --fail-on <severity|never>           exit 1 when a finding is at or above it (default: high)
      --fix                                apply safe fixes in place (atomic writes)
      --color / --no-color                 force or disable colour (default: on a TTY)
      --concurrency <auto|off|n>           threads for large runs (default: auto, one per
                                           idle CPU from 200 files on; off: one thread)
  -q, --quiet                              print nothing for files without findings
  -h, --help                               show this help
  -v, --version                            show the version

An option that takes a value is given at most once: --format twice, or --color
with --no-color, is a usage error.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage,
configuration or internal error, or a path that could not be read or written.
`;

/** Options that take a value: given twice, which one was meant is a guess, so it is an error. */
const SINGLE = ['format', 'output', 'config', 'fail-on', 'concurrency'] as const;

export function parseCliArgs(argv: readonly string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      tokens: true,
      options: {
        format: { type: 'string', short: 'f' },
        output: { type: 'string', short: 'o' },
        config: { type: 'string', short: 'c' },
        'fail-on': { type: 'string' },
        fix: { type: 'boolean' },
        color: { type: 'boolean' },
        'no-color': { type: 'boolean' },
        quiet: { type: 'boolean', short: 'q' },
        concurrency: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(errorMessage(error).split('\n')[0] ?? '');
  }
  conflicts(parsed.tokens);
  const v = parsed.values;
  const format = (v.format ?? 'text') as OutputFormat;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, not "${v.format ?? ''}"`);
  const failOn = (v['fail-on'] ?? 'high') as FailOn;
  if (failOn !== 'never' && !SEVERITIES.includes(failOn)) {
    throw new UsageError(
      `--fail-on must be one of ${[...SEVERITIES, 'never'].join(', ')}, not "${v['fail-on'] ?? ''}"`,
    );
  }
  const color = v['no-color'] === true ? false : v.color;
  const concurrency = parseConcurrency(v.concurrency ?? 'auto');
  return {
    paths: parsed.positionals.length > 0 ? parsed.positionals : ['.'],
    pathsGiven: parsed.positionals.length > 0,
    format,
    ...(v.output !== undefined ? { output: v.output } : {}),
    ...(v.config !== undefined ? { config: v.config } : {}),
    failOn,
    fix: v.fix === true,
    ...(color !== undefined ? { color } : {}),
    help: v.help === true,
    version: v.version === true,
    quiet: v.quiet === true,
    concurrency,
  };
}

/** `-f json -f sarif`, `--color --no-color`: a usage error rather than a silent winner. */
function conflicts(
  tokens: readonly { kind: string; name?: string; rawName?: string; value?: string | undefined }[],
): void {
  const seen = new Map<string, string[]>();
  for (const t of tokens) {
    if (t.kind !== 'option' || t.name === undefined) continue;
    const list = seen.get(t.name) ?? [];
    list.push(t.value !== undefined ? `${t.rawName ?? t.name} ${t.value}` : (t.rawName ?? t.name));
    seen.set(t.name, list);
  }
  for (const name of SINGLE) {
    const given = seen.get(name) ?? [];
    if (given.length > 1)
      throw new UsageError(
        `--${name} is given ${given.length} times (${given.join(', ')}); give it once`,
      );
  }
  if (seen.has('color') && seen.has('no-color'))
    throw new UsageError('--color and --no-color contradict each other; give one');
}

function parseConcurrency(value: string): Concurrency {
  if (value === 'auto' || value === 'off') return value;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64)
    throw new UsageError(
      `--concurrency must be auto, off or a number from 1 to 64, not "${value}"`,
    );
  return n;
}
