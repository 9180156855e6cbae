import type { ParsedFile } from '../../model.js';
import { iisDataOf } from './format.js';
import type { FlatEntry } from './ipsec-blob.js';
import { entryText, type IisBlob, type IisServer } from './view.js';

/**
 * Hover text (Markdown) for a `RelayIpList` or `IPSecurity` value of a metabase: the mode in the
 * words of the IIS dialog, the decoded entries with their address counts, and where the value is
 * inherited from. Undefined when the offset is not on such a value.
 */
export function iisBlobHover(file: ParsedFile, offset: number): string | undefined {
  const data = iisDataOf(file);
  if (data === undefined) return undefined;
  for (const server of data.servers) {
    for (const [blob, kind] of [
      [server.relay, 'relay'],
      [server.connection, 'connection'],
    ] as const) {
      if (blob === undefined) continue;
      const s = blob.property.span;
      if (offset >= s.start && offset <= s.end) return describeBlob(server, blob, kind);
    }
  }
  return undefined;
}

const SHOWN = 50;

function addressCount(e: FlatEntry): string {
  if (e.kind === 'name') return 'by reverse DNS';
  let zeros = 0;
  for (let m = ~e.mask >>> 0; m !== 0; m >>>= 1) zeros += m & 1;
  return (2 ** zeros).toLocaleString('en-US');
}

function describeBlob(server: IisServer, blob: IisBlob, kind: 'relay' | 'connection'): string {
  const p = blob.property;
  const title =
    kind === 'relay' ? 'Relay restrictions (RelayIpList)' : 'Connection control (IPSecurity)';
  const verb = kind === 'relay' ? 'relay' : 'connect';
  const only = blob.meaning.mode === 'onlyList';
  const mode = only ? 'Only the list below' : 'All except the list below';
  const n = blob.entries.length;
  const effect = only
    ? n === 0
      ? `nobody is listed: no computer may ${verb} by address`
      : `only the ${String(n)} listed ${n === 1 ? 'entry may' : 'entries may'} ${verb}`
    : n === 0
      ? `nobody is listed: **every computer may ${verb}**`
      : `every computer except the ${String(n)} listed may ${verb}`;
  const lines = [
    `**${title}** of ${server.name === server.location ? server.location : `"${server.name}" (${server.location})`}`,
    '',
    `**${mode}**: ${effect}.`,
  ];
  if (p.raw.trim() === '')
    lines.push('', 'The value is empty, which IIS reads as "All except the list below".');
  if (blob.meaning.placeholder)
    lines.push(
      '',
      'The lone grant 0.0.0.0 / 255.255.255.255 is the placeholder IIS writes for an empty "Only the list below".',
    );
  if (n > 0) {
    lines.push('', '| Entry | Addresses |', '|---|---|');
    for (const e of blob.entries.slice(0, SHOWN))
      lines.push(`| \`${entryText(e)}\` | ${addressCount(e)} |`);
    if (n > SHOWN) lines.push(`| … ${String(n - SHOWN)} more | |`);
  }
  if (p.inherited)
    lines.push(
      '',
      'Inherited from `/LM/SmtpSvc` (IIsSmtpService): changing it changes every virtual server that does not set its own.',
    );
  return lines.join('\n');
}
