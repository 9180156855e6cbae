import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, probe, refuses, sleep, type ProbeEnd } from './smtp.js';
import type { CaseResult, CaseSpec, ProbeResult, RealClass, RunnerKind } from './types.js';

/**
 * A private Postfix instance (POSTFIX-ORACLE §2.2): config, queue, data and maillog all in one
 * temp folder; master.cf with only the unix services a RCPT needs plus two smtpd listeners on
 * loopback; every transport `discard`; no reverse DNS. One foreground master per case, started
 * as its own session leader and stopped by PID, with the port checked closed in between.
 */

const MASTER = '/usr/lib/postfix/sbin/master';
const POSTFIX = '/usr/sbin/postfix';
const POSTCONF = '/usr/sbin/postconf';
export const SASL_USER = 'testuser';
export const SASL_PASSWORD = 'oracle-pw';
export const MYHOSTNAME = 'oracle.invalid';

export function postfixInstalled(): boolean {
  return fs.existsSync(MASTER) && fs.existsSync(POSTFIX);
}

export function masterCfText(port: number): string {
  return [
    '# relay-lint oracle: only what one RCPT needs; no smtp client, no pickup',
    'cleanup    unix  n - n -   0 cleanup',
    'qmgr       unix  n - n 300 1 qmgr',
    'rewrite    unix  - - n -   - trivial-rewrite',
    'bounce     unix  - - n -   0 bounce',
    'defer      unix  - - n -   0 bounce',
    'trace      unix  - - n -   0 bounce',
    'verify     unix  - - n -   1 verify',
    'proxymap   unix  - - n -   - proxymap',
    'anvil      unix  - - n -   1 anvil',
    'discard    unix  - - n -   - discard',
    'postlog    unix-dgram n - n - 1 postlogd',
    `127.0.0.1:${port} inet n - n - - smtpd`,
    `[::1]:${port}     inet n - n - - smtpd`,
    '',
  ].join('\n');
}

function headerText(base: string, caseId: string): string {
  return [
    '# relay-lint oracle harness header (POSTFIX-ORACLE §2.2)',
    `queue_directory = ${base}/spool`,
    `data_directory = ${base}/data`,
    'mail_owner = postfix',
    'setgid_group = postdrop',
    `myhostname = ${MYHOSTNAME}`,
    'mydomain = invalid',
    'myorigin = $myhostname',
    '# no PTR lookups: the resolver is off-box',
    'smtpd_peername_lookup = no',
    'smtp_dns_support_level = disabled',
    '# nothing can ever be delivered',
    'default_transport = discard',
    'relay_transport = discard',
    'local_transport = discard',
    'virtual_transport = discard',
    'relayhost =',
    'alias_maps =',
    'alias_database =',
    'local_recipient_maps =',
    `maillog_file = ${base}/maillog`,
    `maillog_file_prefixes = /var, /dev/stdout, ${base}`,
    'notify_classes =',
    'biff = no',
    `smtpd_banner = $myhostname ESMTP oracle-case=${caseId}`,
    '# ---- case under test ----',
    '',
  ].join('\n');
}

/** Interface addresses as `addr/len` (what mynetworks_style reads), without zone ids. */
export function interfaceAddresses(): string[] {
  const out: string[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      const len = a.cidr?.split('/')[1] ?? (a.family === 'IPv4' ? '32' : '128');
      out.push(`${a.address.replace(/%.*$/, '')}/${len}`);
    }
  }
  return out;
}

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, timeout: 30_000 });
  if (r.status !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  }
  return r.stdout;
}

function lookupIds(name: string): { uid: number; gid: number } {
  const out = run('id', [name]);
  const uid = /uid=(\d+)/.exec(out);
  const gid = /gid=(\d+)/.exec(out);
  if (!uid || !gid) throw new Error(`cannot read ids of ${name}`);
  return { uid: Number(uid[1]), gid: Number(gid[1]) };
}

/** The class of a RCPT reply (POSTFIX-ORACLE §2.3 step 5). */
export function classifyReply(code: string, text: string): RealClass {
  if (code.startsWith('2')) return 'allow';
  if (code === '451' && /\b4\.3\.[05]\b/.test(text)) return 'config-error';
  if (code.startsWith('4') || code.startsWith('5')) return 'deny';
  return 'other';
}

export class PostfixInstance {
  private master: ChildProcess | undefined;
  private masterExited = false;

  private constructor(
    readonly base: string,
    readonly port: number,
    readonly runner: RunnerKind,
    readonly hostAddresses: readonly string[],
  ) {}

  get etc(): string {
    return path.join(this.base, 'etc');
  }
  get maps(): string {
    return path.join(this.base, 'maps');
  }
  get maillog(): string {
    return path.join(this.base, 'maillog');
  }

  /** Builds the instance folder (2–3 s: `postfix check` creates the queue). */
  static async create(runner: RunnerKind): Promise<PostfixInstance> {
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'postfix-oracle-'));
    // Postfix daemons run as `postfix` and must traverse it.
    fs.chmodSync(base, 0o755);
    const port = await freePort();
    const inst = new PostfixInstance(base, port, runner, interfaceAddresses());
    try {
      inst.build();
    } catch (e) {
      inst.destroy();
      throw e;
    }
    return inst;
  }

  private build(): void {
    const pf = lookupIds('postfix');
    for (const d of ['etc', 'spool', 'data', 'maps', 'etc/sasl']) {
      fs.mkdirSync(path.join(this.base, d), { recursive: true, mode: 0o755 });
    }
    fs.chownSync(path.join(this.base, 'data'), pf.uid, pf.gid);
    fs.writeFileSync(path.join(this.etc, 'master.cf'), masterCfText(this.port));
    fs.writeFileSync(path.join(this.etc, 'main.cf'), headerText(this.base, 'setup'));
    // Debian's Postfix reads $config_directory/sasl/smtpd.conf (pitfall 9).
    const sasldb = path.join(this.etc, 'sasl', 'sasldb2');
    fs.writeFileSync(
      path.join(this.etc, 'sasl', 'smtpd.conf'),
      [
        'pwcheck_method: auxprop',
        'auxprop_plugin: sasldb',
        'mech_list: PLAIN LOGIN',
        `sasldb_path: ${sasldb}`,
        '',
      ].join('\n'),
    );
    run('saslpasswd2', ['-c', '-p', '-f', sasldb, '-u', MYHOSTNAME, SASL_USER], SASL_PASSWORD);
    fs.chownSync(sasldb, pf.uid, pf.gid);
    run(POSTFIX, ['-c', this.etc, 'check']);
  }

  /** Postfix's own version and how it resolves mynetworks_style here (recorded, not compared). */
  describe(): { mailVersion: string; hostStyle: string; subnetStyle: string } {
    const mailVersion = run(POSTCONF, ['-c', this.etc, '-dh', 'mail_version']).trim();
    const style = (s: string): string =>
      run(POSTCONF, ['-c', this.etc, '-o', `mynetworks_style=${s}`, '-h', 'mynetworks']).trim();
    return { mailVersion, hostStyle: style('host'), subnetStyle: style('subnet') };
  }

  mainCfFor(spec: CaseSpec): string {
    const params = spec.params.split('@MAPS@').join(this.maps);
    return headerText(this.base, spec.id) + params + (params.endsWith('\n') ? '' : '\n');
  }

  private readLogSince(offset: number): string {
    try {
      const fd = fs.openSync(this.maillog, 'r');
      try {
        const size = fs.fstatSync(fd).size;
        if (size <= offset) return '';
        const buf = Buffer.alloc(size - offset);
        fs.readSync(fd, buf, 0, buf.length, offset);
        return buf.toString('utf8');
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return '';
    }
  }

  private logSize(): number {
    try {
      return fs.statSync(this.maillog).size;
    } catch {
      return 0;
    }
  }

  private async waitRefused(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      if ((await refuses('127.0.0.1', this.port)) && (await refuses('::1', this.port))) return;
      await sleep(5);
    }
    throw new Error(`port ${this.port} still accepts connections`);
  }

  private async start(): Promise<'up' | 'master-died'> {
    await this.waitRefused();
    this.masterExited = false;
    // detached: the master becomes a session (and process group) leader, so its SIGTERM to its
    // own group reaches every child and nothing of ours (pitfall 2).
    const child = spawn(MASTER, ['-c', this.etc, '-d'], {
      detached: true,
      stdio: ['ignore', 'ignore', 'ignore'],
    });
    this.master = child;
    child.once('exit', () => {
      this.masterExited = true;
    });
    // The master binds every inet listener before it accepts on any, so one open port means
    // both are (each extra connect would also cost an smtpd start-up).
    for (let i = 0; i < 1000; i++) {
      if (this.masterExited) return 'master-died';
      if (!(await refuses('127.0.0.1', this.port))) return 'up';
      await sleep(5);
    }
    throw new Error('master did not open its port within 5 s');
  }

  /** Stops the master by PID and waits until the port refuses; safe to call twice. */
  async stop(): Promise<void> {
    const child = this.master;
    this.master = undefined;
    if (!child || child.pid === undefined) return;
    const pid = child.pid;
    if (!this.masterExited) {
      const exited = new Promise<void>((resolve) =>
        child.once('exit', () => {
          resolve();
        }),
      );
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      const ok = await Promise.race([exited.then(() => true), sleep(3000).then(() => false)]);
      if (!ok) killGroup(pid, 'SIGKILL');
    }
    // Anything of the master's group still alive (it kills its group itself; belt and braces).
    killGroup(pid, 'SIGKILL');
    await this.waitRefused();
  }

  /** Synchronous last-resort stop for exit handlers. */
  stopNow(): void {
    const child = this.master;
    this.master = undefined;
    if (child?.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      killGroup(child.pid, 'SIGKILL');
    }
  }

  destroy(): void {
    this.stopNow();
    fs.rmSync(this.base, { recursive: true, force: true });
  }

  async runCase(spec: CaseSpec): Promise<CaseResult> {
    const t0 = Date.now();
    const mainCf = this.mainCfFor(spec);
    const files: Record<string, string> = {};
    for (const t of spec.tables) {
      const p = path.join(this.maps, t.name);
      fs.writeFileSync(p, t.content, { mode: 0o644 });
      files[p] = t.content;
    }
    const mainPath = path.join(this.etc, 'main.cf');
    fs.writeFileSync(mainPath, mainCf);
    // A main.cf younger than ~1 s makes the master sleep 1.5 s at start-up (pitfall 3).
    const past = new Date(Date.now() - 10_000);
    fs.utimesSync(mainPath, past, past);
    const offset = this.logSize();
    let fatal = false;
    const fatalSeen = (): boolean => {
      // Only smtpd's own death counts: it is what keeps the banner from coming.
      if (!fatal) fatal = /postfix\/smtpd\[\d+\]: fatal: /.test(this.readLogSince(offset));
      return fatal;
    };

    const probes: ProbeResult[] = [];
    let tStarted = t0;
    let tProbed = t0;
    try {
      const state = await this.start();
      tStarted = Date.now();
      let down: string | undefined = state === 'master-died' ? 'master exited' : undefined;
      for (const p of spec.probes) {
        if (down !== undefined) {
          probes.push({ probe: p, real: 'service-down', reply: down, transcript: [] });
          continue;
        }
        const ask = (): ReturnType<typeof probe> =>
          probe({
            host: p.client.includes(':') ? '::1' : '127.0.0.1',
            port: this.port,
            localAddress: p.client,
            bannerTag: `oracle-case=${spec.id}`,
            from: p.from,
            to: p.to,
            ...(p.auth === 'none'
              ? {}
              : {
                  auth: {
                    user: SASL_USER,
                    password: p.auth === 'good' ? SASL_PASSWORD : 'wrong-pw',
                  },
                }),
            fatalSeen,
            timeoutMs: 4000,
          });
        // The master opens its listeners one after the other: the [::1] one may still refuse
        // for a moment after the 127.0.0.1 one accepts.
        let out = await ask();
        for (let i = 0; i < 200 && isRefused(out.end); i++) {
          await sleep(5);
          out = await ask();
        }
        const e = out.end;
        if (e.kind === 'rcpt') {
          const code = e.rcpt.slice(0, 3);
          const mailOk = e.mail.startsWith('2');
          probes.push({
            probe: p,
            real: mailOk ? classifyReply(code, e.rcpt) : 'other',
            reply: e.rcpt,
            transcript: out.transcript,
          });
        } else if (e.kind === 'fatal') {
          // smtpd died before its banner: it dies the same way for every client.
          down = 'no banner; smtpd fatal (see log)';
          probes.push({ probe: p, real: 'service-down', reply: down, transcript: out.transcript });
        } else if (e.kind === 'bind') {
          probes.push({
            probe: p,
            real: 'other',
            reply: `not asked: ${e.detail}`,
            transcript: out.transcript,
            skipped: `cannot bind ${p.client}: ${e.detail}`,
          });
        } else if (e.kind === 'stale') {
          throw new StaleServer(`stale server answered case ${spec.id}: ${e.banner}`);
        } else {
          probes.push({ probe: p, real: 'other', reply: e.detail, transcript: out.transcript });
        }
      }
    } finally {
      tProbed = Date.now();
      await this.stop();
    }
    const log = this.readLogSince(offset)
      .split('\n')
      .filter((l) => /\b(warning|fatal|error|panic):/.test(l))
      .map((l) => l.replace(/^\S+ \S+ \S+ \S+ /, ''));
    return {
      caseId: spec.id,
      runner: this.runner,
      mainCf,
      masterCf: masterCfText(this.port),
      files,
      hostAddresses: this.hostAddresses,
      listeners: { v4: `127.0.0.1:${this.port}`, v6: `[::1]:${this.port}` },
      probes,
      log,
      seconds: (Date.now() - t0) / 1000,
      phases: {
        start: (tStarted - t0) / 1000,
        probes: (tProbed - tStarted) / 1000,
        stop: (Date.now() - tProbed) / 1000,
      },
    };
  }
}

function isRefused(end: ProbeEnd): boolean {
  return end.kind === 'failed' && end.detail === 'ECONNREFUSED';
}

/** An smtpd of an earlier case answered (POSTFIX-ORACLE pitfall 4): the case is run again. */
export class StaleServer extends Error {}

function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is empty.
  }
}
