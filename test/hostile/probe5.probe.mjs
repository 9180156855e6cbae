import { lintSource } from '../out/server/src/core/lint-source.js';
let nets = []; for (let j = 0; j < 6000; j++) nets.push(`10.${(j >> 8) & 255}.${j & 255}.0/24`);
const t0 = Date.now();
const r = lintSource({ uri: 'main.cf', text: `compatibility_level = 3.6\nmynetworks = ${nets.join(',\n    ')}, 0.0.0.0/0\n` });
console.log(Date.now() - t0, r.findings.length);
