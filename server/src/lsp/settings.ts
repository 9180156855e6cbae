import {
  DEFAULT_SETTINGS,
  type RunMode,
  type Settings,
  type TraceSetting,
} from '../protocol/index.js';

function record(raw: unknown): Record<string, unknown> {
  return typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>) : {};
}

/** Reads `relayLint.*` settings tolerantly: client input is untrusted, bad values get defaults. */
export function parseSettings(raw: unknown): Settings {
  const r = record(raw);
  const run: RunMode = r['run'] === 'onSave' ? 'onSave' : DEFAULT_SETTINGS.run;
  const traceRaw = record(r['trace'])['server'];
  const trace: TraceSetting =
    traceRaw === 'messages' || traceRaw === 'verbose' ? traceRaw : DEFAULT_SETTINGS.trace.server;
  return {
    enable: typeof r['enable'] === 'boolean' ? r['enable'] : DEFAULT_SETTINGS.enable,
    run,
    trace: { server: trace },
  };
}

/**
 * Settings per document URI, pulled once from the client and cached until the client says they
 * changed or the document closes. Concurrent asks for one URI share one request.
 */
export class SettingsCache {
  private readonly cache = new Map<string, Promise<Settings>>();

  constructor(private readonly fetch: (uri: string) => Promise<unknown>) {}

  get(uri: string): Promise<Settings> {
    let hit = this.cache.get(uri);
    if (hit === undefined) {
      hit = this.fetch(uri).then(parseSettings, () => DEFAULT_SETTINGS);
      this.cache.set(uri, hit);
    }
    return hit;
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  clear(): void {
    this.cache.clear();
  }

  get size(): number {
    return this.cache.size;
  }
}
