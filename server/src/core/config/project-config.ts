import type { ErrorObject } from 'ajv';
import type { ValidateFunction } from 'ajv';
import picomatch from 'picomatch';
import configSchema from '../../../../schemas/relay-lint-config.schema.json';
import type { LintConfig, RuleSetting } from '../lint-config.js';
import { makeFinding } from '../finding.js';
import type { Finding, JsonPath, ParsedFile, Severity, Span, SyntaxNode } from '../model.js';
import { SEVERITIES } from '../model.js';
import { parseEntry } from '../net/entry.js';
import type { IntervalSet } from '../net/interval-set.js';
import { parseConfig } from '../parse/index.js';
import { catalog, ruleByToken } from '../rules/index.js';
import schemaRule from '../rules/schema.js';
import syntaxRule from '../rules/syntax.js';
import { compileSchema, knownKeys } from '../schema/compile.js';
import { closest } from '../schema/did-you-mean.js';
import { pointerToPath } from '../schema/to-report.js';
import { nearest, samePath, toValue } from '../tree.js';
import { globProblem } from './globs.js';
import type { Thresholds } from './thresholds.js';

export const CONFIG_FILE_NAME = '.relay-lint.yaml';
export const DEFAULT_FILES: readonly string[] = [
  '**/*.relay.yaml',
  '**/*.relay.yml',
  '**/*.relay.json',
  // Native configurations (SPEC §7): Postfix, IIS 6 metabase (any case, as on Windows), Exchange.
  '**/main.cf',
  '**/master.cf',
  '**/*.main.cf',
  '**/*.master.cf',
  '**/main.cf.j2',
  '**/master.cf.j2',
  '**/{MetaBase,metabase,Metabase,METABASE}.xml',
  '**/*.{metabase,MetaBase,Metabase,METABASE}.xml',
  '**/*.exchange.json',
];

export interface Override {
  readonly files: readonly string[];
  readonly rules: ReadonlyMap<string, RuleSetting>;
  readonly trustedNetworks: readonly IntervalSet[];
  readonly reason: string;
}

/** A `.relay-lint.yaml`, validated. Globs are relative to `baseDir` (the file's folder). */
export interface ProjectConfig {
  readonly root: boolean;
  readonly files: readonly string[];
  readonly ignore: readonly string[];
  readonly trustedNetworks: readonly IntervalSet[];
  readonly rules: ReadonlyMap<string, RuleSetting>;
  readonly thresholds: Thresholds;
  readonly maxFileBytes?: number;
  readonly overrides: readonly Override[];
}

export const DEFAULT_CONFIG: ProjectConfig = {
  root: false,
  files: DEFAULT_FILES,
  ignore: [],
  trustedNetworks: [],
  rules: new Map(),
  thresholds: {},
  overrides: [],
};

export interface ConfigProblem {
  /** The syntax rule's id (the file is not YAML) or the schema rule's (it is, but wrong). */
  readonly ruleId: string;
  readonly message: string;
  readonly span: Span;
  /** JSON path of the offending node in the configuration file (for the fingerprint). */
  readonly path?: JsonPath;
}

const DEFAULTS_USED = 'the default configuration is used instead';

export interface LoadedConfig {
  readonly config: ProjectConfig;
  /** Problems of the configuration file itself; when any, `config` is the defaults. */
  readonly problems: readonly ConfigProblem[];
  readonly parsed: ParsedFile;
}

let validator: ValidateFunction | undefined;
function validate(): ValidateFunction {
  validator ??= compileSchema(configSchema);
  return validator;
}

/**
 * Reads a `.relay-lint.yaml` text. A broken file yields problems with positions and the
 * default configuration, so linting goes on and never silently stops.
 */
export function loadProjectConfig(uri: string, text: string): LoadedConfig {
  const parsed = parseConfig(uri, text, 'yaml');
  const fail = (problems: ConfigProblem[]): LoadedConfig => ({
    config: DEFAULT_CONFIG,
    problems,
    parsed,
  });
  if (parsed.problems.length > 0) {
    return fail(
      parsed.problems.map((p) => ({
        ruleId: syntaxRule.meta.id,
        message: `${CONFIG_FILE_NAME}: ${p.message.replace(/\.$/, '')}; ${DEFAULTS_USED}.`,
        span: p.span,
      })),
    );
  }
  const root = parsed.documents[0]?.root;
  if (root === undefined) return { config: DEFAULT_CONFIG, problems: [], parsed };
  const value = toValue(root);
  const v = validate();
  if (!v(value)) return fail(dedupeProblems(schemaProblems(v.errors ?? [], root)));
  const raw = value as RawConfig;
  const problems: ConfigProblem[] = [...globProblems(raw, root)];
  const rules = readRules(raw.rules ?? {}, problems, root, ['rules']);
  const trusted = readNetworks(raw.trustedNetworks ?? [], problems, root, ['trustedNetworks']);
  const overrides = (raw.overrides ?? []).map((o, i): Override => ({
    files: o.files,
    rules: readRules(o.rules ?? {}, problems, root, ['overrides', i, 'rules']),
    trustedNetworks: readNetworks(o.trustedNetworks ?? [], problems, root, [
      'overrides',
      i,
      'trustedNetworks',
    ]),
    reason: o.reason.trim(),
  }));
  if (problems.length > 0) return fail(problems);
  return {
    config: {
      root: raw.root === true,
      files: raw.files ?? DEFAULT_FILES,
      ignore: raw.ignore ?? [],
      trustedNetworks: trusted,
      rules,
      thresholds: raw.thresholds?.broadCidr ?? {},
      ...(raw.maxFileBytes !== undefined ? { maxFileBytes: raw.maxFileBytes } : {}),
      overrides,
    },
    problems: [],
    parsed,
  };
}

/** Globs that can select no file (see globs.ts), at the offending list item. */
function globProblems(raw: RawConfig, root: SyntaxNode): ConfigProblem[] {
  const lists: [JsonPath, readonly string[]][] = [
    [['files'], raw.files ?? []],
    [['ignore'], raw.ignore ?? []],
    ...(raw.overrides ?? []).map((o, i): [JsonPath, readonly string[]] => [
      ['overrides', i, 'files'],
      o.files,
    ]),
  ];
  const out: ConfigProblem[] = [];
  for (const [at, globs] of lists) {
    for (const [i, glob] of globs.entries()) {
      const why = globProblem(glob);
      if (why === undefined) continue;
      const path = [...at, i];
      out.push({
        ruleId: schemaRule.meta.id,
        message: `${CONFIG_FILE_NAME}: ${showPath(path)} "${glob}" is not a usable glob: ${why}; ${DEFAULTS_USED}.`,
        span: nearest(root, path)?.span ?? { start: 0, end: 0 },
        path,
      });
    }
  }
  return out;
}

interface RawConfig {
  root?: boolean;
  files?: string[];
  ignore?: string[];
  trustedNetworks?: string[];
  rules?: Record<string, string | { severity: string }>;
  thresholds?: { broadCidr?: Thresholds };
  maxFileBytes?: number;
  overrides?: {
    files: string[];
    rules?: Record<string, string | { severity: string }>;
    trustedNetworks?: string[];
    reason: string;
  }[];
}

function dedupeProblems(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => (seen.has(p.message) ? false : (seen.add(p.message), true)));
}

function readRules(
  raw: Record<string, string | { severity: string }>,
  problems: ConfigProblem[],
  root: ParsedFile['documents'][number]['root'],
  path: (string | number)[],
): Map<string, RuleSetting> {
  const out = new Map<string, RuleSetting>();
  for (const [token, setting] of Object.entries(raw)) {
    const rule = ruleByToken(token);
    const severity = typeof setting === 'string' ? setting : setting.severity;
    if (rule === undefined) {
      problems.push({
        ruleId: schemaRule.meta.id,
        message: `${CONFIG_FILE_NAME}: "${token}" is not a Relay Lint rule id or name${didYouMean(token, ruleTokens())}; ${DEFAULTS_USED}.`,
        span: keySpan(root, [...path, token]),
        path: [...path, token],
      });
      continue;
    }
    if (severity === 'off' || (SEVERITIES as readonly string[]).includes(severity))
      out.set(rule.meta.id, severity as Severity | 'off');
  }
  return out;
}

function keySpan(root: ParsedFile['documents'][number]['root'], path: (string | number)[]) {
  const parent = nearest(root, path.slice(0, -1));
  if (parent?.kind === 'object') {
    const e = parent.entries.find((x) => x.key === path[path.length - 1]);
    if (e !== undefined) return e.keySpan;
  }
  return nearest(root, path)?.span ?? { start: 0, end: 0 };
}

function readNetworks(
  raw: string[],
  problems: ConfigProblem[],
  root: ParsedFile['documents'][number]['root'],
  path: (string | number)[],
): IntervalSet[] {
  const out: IntervalSet[] = [];
  raw.forEach((text, i) => {
    const e = parseEntry(text);
    if (e.kind === 'ok') out.push(e.set);
    else {
      const why =
        e.kind === 'invalid'
          ? e.why
          : `it is ambiguous (${e.why}); write ${e.readings.join(' or ')}`;
      problems.push({
        ruleId: schemaRule.meta.id,
        message: `${CONFIG_FILE_NAME}: trusted network "${text}" is not usable: ${why}; ${DEFAULTS_USED}.`,
        span: nearest(root, [...path, i])?.span ?? { start: 0, end: 0 },
        path: [...path, i],
      });
    }
  });
  return out;
}

/** Whether `relPath` (relative to the config's folder, with `/`) is a relay file for this config. */
export function isIncluded(config: ProjectConfig, relPath: string): boolean {
  const opts = { dot: true };
  return picomatch.isMatch(relPath, [...config.files], opts) && !isIgnored(config, relPath);
}

export function isIgnored(config: ProjectConfig, relPath: string): boolean {
  return config.ignore.length > 0 && picomatch.isMatch(relPath, [...config.ignore], { dot: true });
}

/** The engine configuration for one file: base rules, then every matching override in order. */
export function lintConfigFor(config: ProjectConfig, relPath: string): LintConfig {
  const rules = new Map(config.rules);
  const suppressed = new Map<string, string>();
  const trusted = [...config.trustedNetworks];
  for (const o of config.overrides) {
    if (!picomatch.isMatch(relPath, [...o.files], { dot: true })) continue;
    trusted.push(...o.trustedNetworks);
    for (const [id, setting] of o.rules) {
      // An override turning a rule off is a suppression with a reason: findings stay, marked.
      if (setting === 'off') suppressed.set(id, o.reason);
      else {
        rules.set(id, setting);
        suppressed.delete(id);
      }
    }
  }
  return { rules, suppressed, trustedNetworks: trusted, thresholds: config.thresholds };
}

/**
 * Config problems as findings of the configuration file (reported like any other file).
 * `fingerprintPath` is the file's path as reports show it (relative, with `/`).
 */
export function configFindings(
  loaded: LoadedConfig,
  fingerprintPath: string = loaded.parsed.uri,
): Finding[] {
  return loaded.problems.flatMap((p) => {
    const rule = ruleByToken(p.ruleId);
    if (rule === undefined) return [];
    const finding = makeFinding({
      rule: rule.meta,
      message: p.message,
      span: p.span,
      fingerprintPath,
      fingerprintValue:
        p.path !== undefined ? loaded.parsed.text.slice(p.span.start, p.span.end) : p.message,
      // A broken configuration cannot turn off the findings that say it is broken.
      path: p.path ?? [],
    });
    return finding !== undefined ? [finding] : [];
  });
}

/** Rule ids and names, for "did you mean". */
function ruleTokens(): string[] {
  return catalog.flatMap((r) => [r.meta.id, r.meta.name]);
}

function didYouMean(value: string, candidates: readonly string[]): string {
  const c = closest(value, candidates);
  return c !== undefined ? ` (did you mean "${c}"?)` : '';
}

/** `overrides[0].rules.RLY010` */
function showPath(path: JsonPath): string {
  if (path.length === 0) return 'the file';
  return path
    .map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`))
    .join('');
}

/** The key span of the entry whose value is at `path`, or the node's own span. */
function keyOrNodeSpan(root: SyntaxNode, path: JsonPath): Span {
  const node = nearest(root, path);
  if (node !== undefined && samePath(node.path, path) && typeof path[path.length - 1] === 'string')
    return keySpan(root, [...path]);
  return node?.span ?? { start: 0, end: 0 };
}

/**
 * ajv errors as problems that name the value, the key and what is allowed, at the offending key
 * (unknown key), value (wrong type or value) or, for a missing key, the key of the object that
 * lacks it, as RLY000 does for relay configurations.
 */
function schemaProblems(errors: readonly ErrorObject[], root: SyntaxNode): ConfigProblem[] {
  const out: ConfigProblem[] = [];
  // if/then/else wrap the real error (enum or additionalProperties) of a rule setting.
  for (const e of errors.filter((x) => x.keyword !== 'if')) {
    const path = pointerToPath(e.instancePath);
    const where = showPath(path);
    const params = e.params as Record<string, unknown>;
    const problem = (message: string, span: Span, at: JsonPath): void => {
      out.push({
        ruleId: schemaRule.meta.id,
        message: `${CONFIG_FILE_NAME}: ${message}; ${DEFAULTS_USED}.`,
        span,
        path: at,
      });
    };
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String(params['additionalProperty']);
        const at = [...path, key];
        const isRules = path[path.length - 1] === 'rules';
        const known = isRules ? ruleTokens() : knownKeys(e);
        const what = isRules
          ? `"${key}" is not a Relay Lint rule id (RLY010) or name (broad-cidr)`
          : `${where === 'the file' ? 'unknown key' : `${where} has an unknown key`} "${key}"`;
        problem(`${what}${didYouMean(key, known)}`, keySpan(root, at), at);
        break;
      }
      case 'enum': {
        const allowed = ((params['allowedValues'] as unknown[] | undefined) ?? []).map(String);
        const actual = toValue(nearest(root, path));
        const shown = typeof actual === 'string' ? `"${actual}"` : JSON.stringify(actual);
        problem(
          `${where} is ${shown}, not one of ${allowed.join(', ')}${typeof actual === 'string' ? didYouMean(actual, allowed) : ''}`,
          nearest(root, path)?.span ?? { start: 0, end: 0 },
          path,
        );
        break;
      }
      case 'required': {
        const missing = String(params['missingProperty']);
        problem(`${where} lacks the required key "${missing}"`, keyOrNodeSpan(root, path), path);
        break;
      }
      case 'type':
        problem(
          `${where} must be ${typeName(String(params['type']))}, not ${describeType(toValue(nearest(root, path)))}`,
          nearest(root, path)?.span ?? { start: 0, end: 0 },
          path,
        );
        break;
      default:
        problem(
          `${where} ${e.message ?? 'is invalid'}`,
          nearest(root, path)?.span ?? { start: 0, end: 0 },
          path,
        );
    }
  }
  return out;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  string: 'a string',
};

function typeName(types: string): string {
  return types
    .split(',')
    .map((t) => TYPE_NAMES[t] ?? t)
    .join(' or ');
}

function describeType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v === 'string' ? 'the string' : `the ${typeof v}`} ${JSON.stringify(v)}`;
}
