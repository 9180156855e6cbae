import { spawnSync } from 'node:child_process';
import { NETNS_V4_ADDRESSES, NETNS_V4_ROUTES, NETNS_V6_ADDRESSES } from './generator.js';

/**
 * A network namespace with nothing but `lo` (POSTFIX-ORACLE §2.4): it carries the client
 * addresses outside 127/8 (10.1.2.3, 203.0.113.7, 2001:db8::7 …, plus AnyIP `local` routes for
 * 10.0.0.0/8 and 203.0.113.0/24 so any address there can be a source), has no other interface
 * and no route out, so no packet can leave it. Deleted by `remove()`.
 */
export class Netns {
  private removed = false;

  private constructor(readonly name: string) {}

  /** Creates it, or returns the reason it cannot be used here. */
  static create(name: string): Netns | string {
    const ip = (...args: string[]): { ok: boolean; out: string } => {
      const r = spawnSync('ip', args, { encoding: 'utf8', timeout: 10_000 });
      return { ok: r.status === 0, out: `${r.stdout}${r.stderr}`.trim() };
    };
    const add = ip('netns', 'add', name);
    if (!add.ok) return `ip netns add failed: ${add.out || 'no ip command'}`;
    const ns = new Netns(name);
    const steps: string[][] = [
      ['-n', name, 'link', 'set', 'lo', 'up'],
      ...NETNS_V4_ADDRESSES.map((a) => ['-n', name, 'addr', 'add', `${a}/32`, 'dev', 'lo']),
      ...NETNS_V6_ADDRESSES.map((a) => [
        '-n',
        name,
        'addr',
        'add',
        `${a}/128`,
        'dev',
        'lo',
        'nodad',
      ]),
      ...NETNS_V4_ROUTES.map((r) => ['-n', name, 'route', 'add', 'local', r, 'dev', 'lo']),
    ];
    for (const s of steps) {
      const r = ip(...s);
      if (!r.ok) {
        ns.remove();
        return `ip ${s.join(' ')} failed: ${r.out}`;
      }
    }
    const links = ip('-n', name, '-o', 'link');
    const names = links.out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => /^\d+:\s*([^:@]+)/.exec(l)?.[1]);
    if (!links.ok || names.length !== 1 || names[0] !== 'lo') {
      ns.remove();
      return `refusing to use namespace ${name}: links other than lo (${names.join(', ')})`;
    }
    const routes = ip('-n', name, 'route', 'show', 'table', 'main');
    if (!routes.ok || routes.out !== '') {
      ns.remove();
      return `refusing to use namespace ${name}: it has routes (${routes.out})`;
    }
    return ns;
  }

  /**
   * Deletes namespaces an earlier run of this harness left behind when it was killed: they are
   * named `pfo-<pid>` after the run that made them, and that process no longer exists.
   */
  static removeStale(): string[] {
    const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
    const removed: string[] = [];
    for (const line of (r.stdout || '').split('\n')) {
      const m = /^pfo-(\d+)\b/.exec(line.trim());
      if (!m?.[1]) continue;
      const pid = Number(m[1]);
      let alive = true;
      try {
        process.kill(pid, 0);
      } catch {
        alive = false;
      }
      if (!alive) {
        spawnSync('ip', ['netns', 'del', `pfo-${pid}`], { timeout: 10_000 });
        removed.push(`pfo-${pid}`);
      }
    }
    return removed;
  }

  remove(): void {
    if (this.removed) return;
    this.removed = true;
    spawnSync('ip', ['netns', 'del', this.name], { timeout: 10_000 });
  }
}
