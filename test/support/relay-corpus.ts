import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A small relay configuration; `i` varies names, addresses and which rules fire. */
export function relayConfig(i: number): string {
  const anonymous = i % 3 === 0;
  const mode = i % 5 === 0 ? 'allExcept' : 'onlyList';
  const list = i % 7 === 0 ? ['10.0.0.0/8', '10.1.2.3', '81.2.0.0/16'] : [`192.168.${i % 256}.25`];
  return [
    'version: 1',
    'servers:',
    `  - name: SMTP-${i}`,
    '    listeners:',
    '      - name: Default',
    '        authentication:',
    `          anonymous: ${anonymous}`,
    ...(i % 4 === 0 ? ['          basic: true'] : []),
    '        relay:',
    `          mode: ${mode}`,
    '          list:',
    ...list.map((a) => `            - ${a}`),
    ...(i % 11 === 0 ? ['          allowAuthenticated: true'] : []),
    '',
  ].join('\n');
}

/** Writes `n` files in a few folders, with JSON twins, a broken file and a nested configuration. */
export function generateCorpus(dir: string, n: number): void {
  for (let i = 0; i < n; i++) {
    const sub = path.join(dir, `site-${i % 9}`);
    mkdirSync(sub, { recursive: true });
    if (i % 10 === 9) {
      writeFileSync(
        path.join(sub, `relay-${i}.relay.json`),
        JSON.stringify(
          {
            version: 1,
            servers: [
              {
                name: `J-${i}`,
                listeners: [
                  {
                    name: 'L',
                    authentication: { anonymous: true },
                    relay: { mode: 'allExcept', list: [] },
                  },
                ],
              },
            ],
          },
          null,
          2,
        ),
      );
    } else {
      writeFileSync(path.join(sub, `relay-${i}.relay.yaml`), relayConfig(i));
    }
  }
  writeFileSync(path.join(dir, 'site-0', 'broken.relay.yaml'), 'version: 1\nservers: [\n');
  writeFileSync(path.join(dir, 'site-1', '.relay-lint.yaml'), 'rules:\n  anonymous-auth: off\n');
}
