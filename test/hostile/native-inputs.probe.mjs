// scratch probe (deleted before the end)
import { lintSource } from '../out/server/src/core/lint-source.js';
const show = (name, text, siblings) => {
  const t0 = Date.now();
  let r;
  try {
    r = lintSource({ uri: name, text, ...(siblings ? { siblings } : {}) });
  } catch (e) {
    console.log(name, 'THROWS', e);
    return;
  }
  console.log(
    `== ${name} (${Date.now() - t0} ms) ${r.findings.length} findings`,
    r.findings.slice(0, 6).map((f) => `${f.ruleId} [${f.span.start},${f.span.end}] ${JSON.stringify(text.slice(f.span.start, Math.min(f.span.end, f.span.start + 40)))} ${f.message.slice(0, 200)}`),
  );
};
const cases = JSON.parse((await import("node:fs")).readFileSync(process.argv[2], "utf8"));
for (const [n, t, s] of cases) show(n, t, s ? { read: (x) => s[x] } : undefined);
