import { lintSource } from '../out/server/src/core/lint-source.js';
const time = (label, f) => { const t0 = Date.now(); const r = f(); console.log(label, Date.now() - t0, 'ms', r.findings.length, [...new Set(r.findings.map(f=>f.ruleId))].join(',')); return r; };
for (const n of [10000, 20000]) {
  let nets = []; for (let j = 0; j < n; j++) nets.push(`10.${(j >> 8) & 255}.${j & 255}.0/24`);
  time(`pf ${n}`, () => lintSource({ uri: 'main.cf', text: `compatibility_level = 3.6\nmynetworks = ${nets.join(',\n    ')}\n` }));
  if (n === 10000) time(`pf ${n} + open`, () => lintSource({ uri: 'main.cf', text: `compatibility_level = 3.6\nmynetworks = ${nets.join(',\n    ')}, 0.0.0.0/0\n` }));
  const y = `version: 1\nservers:\n  - name: S\n    listeners:\n      - name: L\n        role: relay\n        authentication: { anonymous: true }\n        relay:\n          mode: onlyList\n          list:\n${nets.map(x=>`            - ${x}`).join('\n')}\n            - 0.0.0.0/0\n`;

}
