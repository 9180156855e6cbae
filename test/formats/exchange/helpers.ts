import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Siblings } from '../../../server/src/core/formats/types.js';
import { lintSource } from '../../../server/src/core/lint-source.js';
import type { Finding, ParsedFile } from '../../../server/src/core/model.js';
import { positionAt } from '../../../server/src/core/text.js';
import { repoRoot } from '../../support/repo-root.js';

export function siblingsOf(files: Readonly<Record<string, string>>): Siblings {
  return { read: (name) => files[name] };
}

export function diskSiblings(path: string): Siblings {
  return {
    read: (name) => {
      try {
        return readFileSync(join(dirname(path), name), 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}

export function lintExchange(
  name: string,
  text: string,
  siblings: Siblings = siblingsOf({}),
): { file: ParsedFile; findings: Finding[] } {
  return lintSource({ uri: name, text, siblings });
}

export const EXAMPLES = join(repoRoot(), 'examples', 'exchange');

/** A connector of the project's own export, with the fields a test does not care about filled in. */
export function connector(fields: Record<string, unknown>): Record<string, unknown> {
  const name = typeof fields['Name'] === 'string' ? fields['Name'] : 'Relay';
  return {
    Identity: `EX01\\${name}`,
    Name: name,
    Server: 'EX01',
    Enabled: true,
    Bindings: ['0.0.0.0:25'],
    RemoteIPRanges: ['10.1.2.0/24'],
    PermissionGroups: 'AnonymousUsers',
    AuthMechanism: 'Tls',
    RequireTLS: false,
    TransportRole: 'FrontendTransport',
    permissions: [],
    ...fields,
  };
}

export const ANON_RELAY = {
  User: 'NT AUTHORITY\\ANONYMOUS LOGON',
  UserSid: 'S-1-5-7',
  ExtendedRights: ['ms-Exch-SMTP-Accept-Any-Recipient'],
  Deny: false,
  IsInherited: false,
};

export function ownExport(
  connectors: readonly Record<string, unknown>[],
  acceptedDomains: readonly Record<string, unknown>[] = [],
): string {
  return `${JSON.stringify(
    {
      relayLintExport: 1,
      product: 'exchange',
      exportedAt: '2026-12-01T00:00:00Z',
      server: 'EX01',
      receiveConnectors: connectors,
      acceptedDomains,
    },
    null,
    2,
  )}\n`;
}

/** The text a finding underlines. */
export function under(file: ParsedFile, f: Finding): string {
  return file.text.slice(f.span.start, f.span.end);
}

export function byRule(findings: readonly Finding[], id: string): Finding[] {
  return findings.filter((f) => f.ruleId === id);
}

/** Findings as golden text: position, rule, severity, underlined text, message, remediation. */
export function renderFindings(file: ParsedFile, findings: readonly Finding[]): string {
  const out: string[] = [];
  for (const f of findings) {
    const p = positionAt(file.lineStarts, f.span.start);
    out.push(
      `${p.line}:${p.column} ${f.ruleId} ${f.rule} (${f.severity}) at ${JSON.stringify(under(file, f))}`,
    );
    out.push(`  ${f.message}`);
    for (const r of f.related) {
      const q = positionAt(file.lineStarts, r.span.start);
      out.push(
        `  related ${q.line}:${q.column} ${JSON.stringify(file.text.slice(r.span.start, r.span.end))}: ${r.message}`,
      );
    }
    out.push(`  remediation: ${f.remediation ?? '(none)'}`);
    out.push(`  fixes: ${f.fixes.length}`);
  }
  return `${out.join('\n')}\n`;
}
