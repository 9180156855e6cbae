import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { open, revertAndCloseAll, until } from './helpers';

const REL = 'hover/networks.relay.yaml';

function hoverText(hovers: readonly vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (c instanceof vscode.MarkdownString ? c.value : JSON.stringify(c)))
    .join('\n');
}

describe('hover', () => {
  after(revertAndCloseAll);

  for (const entry of ['10.0.0.0/8', '192.168.10.0/24']) {
    it(`on the address entry ${entry} shows its address count`, async () => {
      const doc = (await open(REL)).document;
      const offset = doc.getText().indexOf(entry);
      assert.ok(offset >= 0, `${entry} is in ${REL}`);
      const position = doc.positionAt(offset + 2);
      const prefix = Number(entry.split('/')[1]);
      const count = `${(2n ** BigInt(32 - prefix)).toLocaleString('en-US')} addresses`;
      const text = await until(async () => {
        const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
          'vscode.executeHoverProvider',
          doc.uri,
          position,
        );
        const t = hoverText(hovers);
        return t.includes(count) ? t : undefined;
      }, `hover on ${entry} mentions "${count}"`);
      assert.ok(text.includes(count));
    });
  }
});
