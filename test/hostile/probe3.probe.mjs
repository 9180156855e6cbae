import { lintSource } from '../out/server/src/core/lint-source.js';
import { DEFAULT_CONFIG } from '../out/server/src/core/config/project-config.js';
const time = (label, f) => { const t0 = Date.now(); const r = f(); console.log(label, Date.now() - t0, 'ms', r.findings.length, r.findings.slice(0,3).map(f=>`${f.ruleId} ${f.span.start} ${f.message.slice(0,150)}`)); return r; };
// exchange 100k
const list = ['{"Identity":"EX01\\\\Default","Bindings":["0.0.0.0:25"],"RemoteIPRanges":["0.0.0.0-255.255.255.255"],"PermissionGroups":"AnonymousUsers","AuthMechanism":"Tls"}'];
for (let i = 0; i < 100000; i++) list.push(`{"Identity":"EX01\\\\C${i}","Bindings":["0.0.0.0:25"],"RemoteIPRanges":["10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}"],"PermissionGroups":"AnonymousUsers","AuthMechanism":"Tls"}`);
const ex = `{"relayLintExport":1,"server":"EX01","receiveConnectors":[${list.join(',\n')}]}`;
console.log('exchange size', ex.length);
time('exchange100k', () => lintSource({ uri: 'big.exchange.json', text: ex, project: { ...DEFAULT_CONFIG, maxFileBytes: 64e6 } }));
time('exchange100k default limit', () => lintSource({ uri: 'big.exchange.json', text: ex }));
// main.cf 10MB
let parts = ['compatibility_level = 3.6\n']; let size = 0; let i = 0;
while (size < 10e6) { const s = `# comment line ${i} about nothing\nparam_${i} = value${i}, other${i}\n    continued${i} more${i}\n`; parts.push(s); size += s.length; i++; }
parts.push('mynetworks = 127.0.0.0/8, 0.0.0.0/0\n');
const mc = parts.join('');
console.log('main size', mc.length);
time('main10MB', () => lintSource({ uri: 'main.cf', text: mc, project: { ...DEFAULT_CONFIG, maxFileBytes: 64e6 } }));
time('main10MB default', () => lintSource({ uri: 'main.cf', text: mc }));
// mynetworks 20000
let nets = []; for (let j = 0; j < 20000; j++) nets.push(`10.${(j >> 8) & 255}.${j & 255}.0/24`);
nets.push('0.0.0.0/0');
time('mynetworks20k', () => lintSource({ uri: 'main.cf', text: `compatibility_level = 3.6\nmynetworks = ${nets.join(',\n    ')}\n` }));
// metabase 20MB
const srv = `<IIsSmtpServer\tLocation ="/LM/SmtpSvc/1"\n\t\tAuthFlags="1"\n\t\tRelayIpList=""\n\t\tServerBindings=":25:"\n\t>\n</IIsSmtpServer>`;
let mb = ['<?xml version ="1.0"?>\n<configuration xmlns="urn:microsoft-catalog:XML_Metabase_V64_0">\n<MBProperty>\n', srv, '\n']; size = 0; i = 0;
while (size < 20e6) { const s = `<IIsWebVirtualDir\tLocation ="/LM/W3SVC/1/ROOT/v${i}"\n\t\tAccessFlags="AccessRead | AccessScript"\n\t\tPath="C:\\inetpub\\wwwroot\\v${i}"\n\t>\n</IIsWebVirtualDir>\n`; mb.push(s); size += s.length; i++; }
mb.push('</MBProperty>\n</configuration>\n');
const mbt = mb.join('');
console.log('metabase size', mbt.length);
time('metabase20MB', () => lintSource({ uri: 'MetaBase.xml', text: mbt, project: { ...DEFAULT_CONFIG, maxFileBytes: 64e6 } }));
