import { lintSource } from '../../../server/src/core/lint-source.js';
import type { Finding, ParsedFile } from '../../../server/src/core/model.js';

export function lintMetabase(
  text: string,
  name = 'MetaBase.xml',
): { file: ParsedFile; findings: Finding[] } {
  return lintSource({ uri: name, text });
}

/** A metabase with the given SMTP elements (service and servers) inside the usual wrapper. */
export function metabase(...elements: string[]): string {
  return [
    '<?xml version ="1.0"?>',
    '<configuration xmlns="urn:microsoft-catalog:XML_Metabase_V64_0">',
    '<MBProperty>',
    ...elements,
    '</MBProperty>',
    '</configuration>',
    '',
  ].join('\n');
}

/** `<IIsSmtpServer Location="/LM/SmtpSvc/N" …>` with one attribute per line, as IIS writes. */
export function server(n: number | string, attrs: Record<string, string>, children = ''): string {
  return element('IIsSmtpServer', `/LM/SmtpSvc/${String(n)}`, attrs, children);
}

export function service(attrs: Record<string, string>, children = ''): string {
  return element('IIsSmtpService', '/LM/SmtpSvc', attrs, children);
}

function element(
  name: string,
  location: string,
  attrs: Record<string, string>,
  children: string,
): string {
  const lines = Object.entries(attrs).map(([k, v]) => `\t\t${k}="${v}"`);
  return [
    `<${name}\tLocation ="${location}"`,
    ...lines,
    '\t>',
    ...(children !== '' ? [children] : []),
    `</${name}>`,
  ].join('\n');
}

export function custom(name: string, id: number, value: string): string {
  return [
    '\t<Custom',
    `\t\tName="${name}"`,
    `\t\tID="${String(id)}"`,
    `\t\tValue="${value}"`,
    '\t\tType="DWORD"',
    '\t\tUserType="IIS_MD_UT_SERVER"',
    '\t\tAttributes="INHERIT"',
    '\t/>',
  ].join('\n');
}

/** The derived hex of salt's documented "allow 127.0.0.1" example (shared/EXCHANGE-IIS.md). */
export const SALT_127 =
  '18000080200000803c00008044000080010000004c00000000000000000000000100000001000000020000000200000004000000000000004c00008000000000000000000000000000000000ffffffff7f000001';

/** "Only the list below" with nobody listed: the placeholder grant 0.0.0.0/255.255.255.255. */
export const CLOSED =
  '18000080200000803c00008044000080010000004c00000000000000000000000100000001000000020000000200000004000000000000004c00008000000000000000000000000000000000ffffffff00000000';

export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId} ${f.severity}`);
}
