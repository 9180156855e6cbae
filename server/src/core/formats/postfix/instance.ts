/**
 * An instance = main.cf + master.cf (or Postfix's stock master.cf): its smtpd listeners and the
 * effective value of any parameter for a listener (its `-o` overrides, then main.cf, then the
 * Postfix 3.7 default, which may depend on `compatibility_level`).
 *
 *   buildInstance(main, master | undefined, readFile?): PostfixInstance
 *   effectiveParam(instance, listener | undefined, name): EffectiveParam
 *   postfixDefault(name, level): string | undefined
 *   compatLevel(instance, listener?): CompatLevel
 *   defaultSpan(main): Span
 */
import type { Span } from '../../model.js';
import { compareLevels, expandValue, parseLevel, type PfValueSource } from './expand.js';
import { parseMasterCf, STOCK_MASTER_CF } from './master-cf.js';
import type {
  EffectiveParam,
  ListenerRole,
  MainCf,
  MasterCf,
  MasterService,
  PfListener,
  PfParamDef,
  PostfixInstance,
  TableReader,
} from './model.js';

/** Stands for text that depends on the machine (its host name), never known statically. */
export const HOST_CHAR = '\uE001';

/** `postconf -d` of Postfix 3.7.11 for the parameters the evaluator reads. */
const FIXED_DEFAULTS: Readonly<Record<string, string>> = {
  compatibility_level: '0',
  parent_domain_matches_subdomains:
    'debug_peer_list,fast_flush_domains,mynetworks,permit_mx_backup_networks,qmqpd_authorized_clients,relay_domains,smtpd_access_maps',
  mydestination: '$myhostname, localhost.$mydomain, localhost',
  myhostname: `${HOST_CHAR}myhostname`,
  myorigin: '$myhostname',
  inet_interfaces: 'all',
  inet_protocols: 'all',
  proxy_interfaces: '',
  smtpd_recipient_restrictions: '',
  smtpd_client_restrictions: '',
  smtpd_helo_restrictions: '',
  smtpd_sender_restrictions: '',
  smtpd_data_restrictions: '',
  smtpd_restriction_classes: '',
  smtpd_sasl_auth_enable: 'no',
  smtpd_tls_auth_only: 'no',
  smtpd_tls_security_level: '',
  smtpd_enforce_tls: 'no',
  smtpd_use_tls: 'no',
  smtpd_tls_wrappermode: 'no',
  smtpd_delay_reject: 'yes',
  smtpd_peername_lookup: 'yes',
  relay_domains_reject_code: '554',
  reject_code: '554',
  defer_code: '450',
  access_map_reject_code: '554',
  access_map_defer_code: '450',
  smtpd_null_access_lookup_key: '<>',
  virtual_alias_domains: '$virtual_alias_maps',
  virtual_alias_maps: '$virtual_maps',
  virtual_maps: '',
  virtual_mailbox_domains: '$virtual_mailbox_maps',
  virtual_mailbox_maps: '',
  local_recipient_maps: 'proxy:unix:passwd.byname $alias_maps',
  alias_maps: 'hash:/etc/aliases, nis:mail.aliases',
  relay_recipient_maps: '',
  recipient_canonical_maps: '',
  canonical_maps: '',
  double_bounce_sender: 'double-bounce',
  unknown_virtual_alias_reject_code: '550',
  unknown_virtual_mailbox_reject_code: '550',
  unknown_relay_recipient_reject_code: '550',
  unknown_local_recipient_reject_code: '550',
  resolve_numeric_domain: 'no',
  smtpd_reject_unlisted_recipient: 'yes',
  smtpd_reject_unlisted_sender: 'no',
  allow_percent_hack: 'yes',
  swap_bangpath: 'yes',
  allow_untrusted_routing: 'no',
  resolve_dequoted_address: 'yes',
  soft_bounce: 'no',
  smtpd_helo_required: 'no',
  permit_mx_backup_networks: '',
  smtpd_sasl_type: 'cyrus',
  smtpd_sasl_path: 'smtpd',
  smtpd_sasl_security_options: 'noanonymous',
  recipient_delimiter: '',
  mail_name: 'Postfix',
  mail_version: '3.7.11',
};

/** Postfix 3.7's default for `name` at a compatibility level; undefined when it has none. */
export function postfixDefault(name: string, level: string): string | undefined {
  const below = (v: string): boolean => (compareLevels(level, v) ?? 0) < 0;
  switch (name) {
    case 'smtpd_relay_restrictions':
      return below('1')
        ? ''
        : 'permit_mynetworks, permit_sasl_authenticated, defer_unauth_destination';
    case 'mynetworks_style':
      return below('2') ? 'subnet' : 'host';
    case 'relay_domains':
      return below('2') ? '$mydestination' : '';
    case 'smtpd_relay_before_recipient_restrictions':
      return below('3.6') ? 'no' : 'yes';
    case 'append_dot_mydomain':
      return below('1') ? 'yes' : 'no';
    case 'mydomain':
      return `${HOST_CHAR}mydomain`;
    default:
      // Own properties only: `$constructor` or a class named `__proto__` is just undefined.
      return Object.hasOwn(FIXED_DEFAULTS, name) ? FIXED_DEFAULTS[name] : undefined;
  }
}

export interface CompatLevel {
  /** The level as written (expanded), `0` when unset. */
  readonly text: string;
  /** Postfix cannot read it (`malformed compatibility level syntax`): it refuses to start. */
  readonly error?: string;
}

interface InstanceInternals {
  readonly cache: Map<string, EffectiveParam>;
}

const internals = new WeakMap<PostfixInstance, InstanceInternals>();

function cacheOf(instance: PostfixInstance): Map<string, EffectiveParam> {
  let i = internals.get(instance);
  if (i === undefined) {
    i = { cache: new Map() };
    internals.set(instance, i);
  }
  return i.cache;
}

/** Where findings about defaults go (SPEC §7.1): the compatibility_level line, else line 1. */
export function defaultSpan(main: MainCf): Span {
  const compat = main.params.get('compatibility_level');
  if (compat !== undefined) return { start: compat.nameSpan.start, end: compat.valueSpan.end };
  const text = main.text;
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let end = text.indexOf('\n', start);
  if (end < 0) end = text.length;
  if (end > start && text[end - 1] === '\r') end--;
  return { start, end };
}

/** Port of a service name (`/etc/services` names Postfix setups use). */
const SERVICE_PORTS: Readonly<Record<string, number>> = {
  smtp: 25,
  submission: 587,
  smtps: 465,
  submissions: 465,
  urd: 465,
  lmtp: 24,
};

function splitHostPort(name: string): { host?: string; port: string } {
  // host_port(): "[ipv6]:port", "host:port", or "port".
  const m = /^\[([^\]]*)\]:(.*)$/.exec(name);
  if (m !== null) return { host: m[1] ?? '', port: m[2] ?? '' };
  const colon = name.lastIndexOf(':');
  if (colon >= 0) return { host: name.slice(0, colon), port: name.slice(colon + 1) };
  return { port: name };
}

function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** True when every address of an inet_interfaces value is loopback. */
export function interfacesAreLoopback(value: string): boolean {
  const items = value
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) return false;
  return items.every((i) => i.toLowerCase() === 'loopback-only' || isLoopbackHost(i));
}

function commandBase(service: MasterService): string {
  const c = service.command.text;
  return c.slice(c.lastIndexOf('/') + 1);
}

function isSmtpd(service: MasterService): boolean {
  return commandBase(service) === 'smtpd';
}

export function buildInstance(
  main: MainCf,
  master: MasterCf | undefined,
  readFile?: TableReader,
): PostfixInstance {
  const stockMaster = master === undefined;
  const mc = master ?? parseMasterCf(STOCK_MASTER_CF, { template: false });
  const proto: PostfixInstance = {
    main,
    master: mc,
    stockMaster,
    listeners: [],
    ...(readFile !== undefined ? { readFile } : {}),
  };
  const listeners: PfListener[] = [];
  // postscreen hands each connection to the `smtpd` pass service, whose -o apply.
  const passSmtpd = mc.services.find(
    (s) => s.type.text === 'pass' && s.service.text === 'smtpd' && isSmtpd(s),
  );
  for (const front of mc.services) {
    if (front.type.text !== 'inet') continue;
    const isScreen = commandBase(front) === 'postscreen';
    if (!isSmtpd(front) && !(isScreen && passSmtpd !== undefined)) continue;
    const service = isScreen && passSmtpd !== undefined ? passSmtpd : front;
    const { host, port } = splitHostPort(front.service.text);
    const portKey = port.toLowerCase();
    const portNum = /^\d+$/.test(port)
      ? Number(port)
      : Object.hasOwn(SERVICE_PORTS, portKey)
        ? SERVICE_PORTS[portKey]
        : undefined;
    const role: ListenerRole =
      portNum === 25 ? 'inbound' : portNum === 587 || portNum === 465 ? 'submission' : 'relay';
    listeners.push({
      name: front.service.text,
      service,
      stock: stockMaster,
      ...(service !== front ? { frontEnd: front } : {}),
      ...(host !== undefined && host !== '' ? { host } : {}),
      ...(portNum !== undefined ? { port: portNum } : {}),
      role,
      reach: 'all',
    });
  }
  const instance: PostfixInstance = { ...proto, listeners };
  // Reach needs the effective inet_interfaces (main.cf only: the master reads it once).
  const ifaces = effectiveParam(instance, undefined, 'inet_interfaces').value;
  const withReach = listeners.map((l) => {
    const loop =
      l.host !== undefined && l.host !== ''
        ? isLoopbackHost(l.host)
        : interfacesAreLoopback(ifaces);
    return loop ? { ...l, reach: 'loopback' as const } : l;
  });
  const done: PostfixInstance = { ...proto, listeners: withReach };
  return done;
}

/** The `-o` override of `name` on a service (the last one wins), if any. */
function overrideOf(listener: PfListener | undefined, name: string): PfParamDef | undefined {
  if (listener === undefined) return undefined;
  let found: PfParamDef | undefined;
  for (const o of listener.service.overrides) if (o.name === name) found = o;
  return found;
}

/** The compatibility level in effect for a listener (`-o` may set it too). */
export function compatLevel(instance: PostfixInstance, listener?: PfListener): CompatLevel {
  const p = rawSource(instance, listener, 'compatibility_level', '0');
  if (p === undefined) return { text: '0' };
  const ex = expandValue(p.source, lookupFor(instance, listener, '0'));
  const text = ex.text.trim();
  if (ex.error !== undefined) return { text, error: ex.error };
  if (parseLevel(text) === undefined) {
    return { text, error: `malformed compatibility level syntax: "${text}"` };
  }
  return { text };
}

function rawSource(
  instance: PostfixInstance,
  listener: PfListener | undefined,
  name: string,
  level: string,
): { source: PfValueSource; def?: PfParamDef; origin: EffectiveParam['origin'] } | undefined {
  const o = overrideOf(listener, name);
  if (o !== undefined) {
    return {
      source: { text: o.value, segments: o.segments, file: 'master.cf' },
      def: o,
      origin: 'override',
    };
  }
  const m = instance.main.params.get(name);
  if (m !== undefined) {
    return {
      source: { text: m.value, segments: m.segments, file: 'main.cf' },
      def: m,
      origin: 'main',
    };
  }
  const d = postfixDefault(name, level);
  if (d === undefined) return undefined;
  return { source: { text: d, file: 'main.cf' }, origin: 'default' };
}

function lookupFor(
  instance: PostfixInstance,
  listener: PfListener | undefined,
  level: string,
): (name: string) => PfValueSource | undefined {
  return (name: string) => {
    if (name === 'mynetworks') {
      const r = rawSource(instance, listener, name, level);
      if (r !== undefined) return r.source;
      // The derived default is computed by tables.ts; for expansion it is not known here.
      return { text: `${HOST_CHAR}mynetworks`, file: 'main.cf' };
    }
    return rawSource(instance, listener, name, level)?.source;
  };
}

/**
 * The effective value of parameter `name` for a listener (undefined: main.cf alone), expanded,
 * with every item's span. `mynetworks` unset is not derived here (see tables.ts
 * mynetworksEntries): its EffectiveParam then has origin `default` and an `unknown` reason.
 */
export function effectiveParam(
  instance: PostfixInstance,
  listener: PfListener | undefined,
  name: string,
): EffectiveParam {
  const key = `${listener?.service.index ?? -1}\u0000${name}`;
  const cache = cacheOf(instance);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const level = name === 'compatibility_level' ? '0' : compatLevel(instance, listener);
  const levelText =
    typeof level === 'string' ? level : level.error !== undefined ? '0' : level.text;
  const raw = rawSource(instance, listener, name, levelText);
  let result: EffectiveParam;
  const fallback = defaultSpan(instance.main);
  if (raw === undefined) {
    if (name === 'mynetworks') {
      result = {
        name,
        origin: 'default',
        raw: '',
        value: '',
        items: [],
        unknown:
          'mynetworks is not set: Postfix derives it from mynetworks_style and the host interfaces',
      };
    } else {
      result = { name, origin: 'default', raw: '', value: '', items: [] };
    }
  } else {
    const ex = expandValue(raw.source, lookupFor(instance, listener, levelText), fallback);
    const hostDependent = ex.text.includes(HOST_CHAR);
    const unknown =
      ex.unknown !== undefined
        ? `${name} holds ${ex.unknown}`
        : hostDependent
          ? `${name} depends on the machine's host name (myhostname is not set)`
          : undefined;
    result = {
      name,
      origin: raw.origin,
      ...(raw.def !== undefined ? { def: raw.def } : {}),
      raw: raw.source.text,
      value: ex.text,
      items: ex.items.map((i) =>
        i.text.includes(HOST_CHAR) && i.unknown === undefined
          ? { ...i, unknown: "the machine's host name (myhostname is not set)" }
          : i,
      ),
      ...(unknown !== undefined ? { unknown } : {}),
      ...(ex.error !== undefined ? { error: ex.error } : {}),
    };
  }
  cache.set(key, result);
  return result;
}

/** Postfix boolean parameter: yes/true/1 (case-insensitive). */
export function isYes(p: EffectiveParam): boolean {
  return /^(yes|true|1)$/i.test(p.value.trim());
}
