import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { CompletionItem, Hover } from 'vscode-languageserver/node';
import { repoRoot } from '../support/repo-root.js';
import {
  positionOf,
  startTestClient,
  type TempWorkspace,
  tempWorkspace,
  type TestClient,
} from './harness.js';

const FIXTURES = path.join(repoRoot(), 'test', 'lsp', 'fixtures');
const EDGE = readFileSync(path.join(FIXTURES, 'edge.relay.yaml'), 'utf8');
const JSON_TEXT = readFileSync(path.join(FIXTURES, 'allexcept.relay.json'), 'utf8');

let ws: TempWorkspace;
let client: TestClient;
before(async () => {
  ws = tempWorkspace();
  client = await startTestClient({ workspaceFolders: [ws.uri] });
});
after(async () => {
  await client.dispose();
  ws.dispose();
});

function hoverText(h: Hover | null): string {
  assert.ok(h !== null, 'a hover');
  const c = h.contents;
  assert.ok(typeof c === 'object' && 'kind' in c, 'markup content');
  assert.equal(c.kind, 'markdown');
  return c.value;
}

async function opened(rel: string, text: string): Promise<string> {
  const uri = ws.write(rel, text);
  const next = client.nextDiagnostics(uri);
  client.open(uri, text);
  await next;
  return uri;
}

function labels(items: CompletionItem[]): string[] {
  return items.map((i) => i.label).sort();
}

describe('language server: hover', () => {
  test('an address entry: canonical form, address count and scope', async () => {
    const uri = await opened('hover.relay.yaml', EDGE);
    const text = hoverText(await client.hover(uri, positionOf(EDGE, '10.0.0.0/8', 3)));
    assert.match(text, /`10\.0\.0\.0\/8`\*\* — 16,777,216 addresses, private \(RFC 1918\)/);
    assert.match(text, /Allowed to relay/);
    const global = hoverText(await client.hover(uri, positionOf(EDGE, '81.2.0.0/16')));
    assert.match(global, /65,536 addresses, global \(public\)/);
    const hostBits = hoverText(await client.hover(uri, positionOf(EDGE, '192.168.1.10/24', 2)));
    assert.match(hostBits, /denotes the network `192\.168\.1\.0\/24`/);
    assert.match(hostBits, /256 addresses, private \(RFC 1918\)/);
  });

  test('a listener: who may relay without authenticating', async () => {
    const uri = await opened('listener.relay.yaml', EDGE);
    const text = hoverText(await client.hover(uri, positionOf(EDGE, 'relay:', 2)));
    assert.match(text, /Listener `Default SMTP Virtual Server`\*\* on server `SMTP-EDGE-01`/);
    assert.match(text, /Without authenticating, .* may relay/);
    assert.match(text, /private \(RFC 1918\)/);
    assert.match(text, /65,536 IPv4 addresses of them are untrusted/);
    // The relay key's own documentation comes with it.
    assert.match(text, /Relay restrictions/);
    const closed = EDGE.replace('anonymous: true', 'anonymous: false');
    const uri2 = await opened('closed.relay.yaml', closed);
    const name = hoverText(await client.hover(uri2, positionOf(closed, 'Default SMTP', 2)));
    assert.match(name, /Nobody may relay without authenticating: anonymous access is off/);
  });

  test('a key: its schema description', async () => {
    const uri = await opened('keys.relay.yaml', EDGE);
    const mode = hoverText(await client.hover(uri, positionOf(EDGE, 'mode:', 1)));
    assert.match(mode, /onlyList/);
    assert.match(mode, /allExcept/);
    const product = hoverText(await client.hover(uri, positionOf(EDGE, 'product', 1)));
    assert.match(product, /mail server software/);
    const h = await client.hover(uri, { line: 0, character: 3 });
    assert.equal(h, null, 'a comment has no hover');
    const jsonUri = await opened('keys.relay.json', JSON_TEXT);
    const anon = hoverText(await client.hover(jsonUri, positionOf(JSON_TEXT, '"anonymous"', 2)));
    assert.match(anon, /anonymous/i);
  });
});

describe('language server: completion', () => {
  test('keys from the schema, with documentation, without keys already present', async () => {
    const text = EDGE.replace('          allowAuthenticated: false\n', '          \n');
    const uri = await opened('complete-keys.relay.yaml', text);
    const pos = positionOf(text, '          \n', 10);
    const items = await client.completion(uri, pos);
    assert.deepEqual(labels(items), ['allowAuthenticated']);
    const item = items[0];
    assert.ok(item !== undefined);
    assert.ok(typeof item.documentation === 'object' && item.documentation.kind === 'markdown');
    assert.ok(item.textEdit !== undefined && 'range' in item.textEdit);
    assert.equal(item.textEdit.newText, 'allowAuthenticated: ');
    // A listener's keys, typed halfway.
    const partial = EDGE.replace('        bindings:', '        ex\n        bindings:');
    const uri2 = await opened('complete-partial.relay.yaml', partial);
    const keys = labels(await client.completion(uri2, positionOf(partial, '        ex\n', 10)));
    assert.ok(keys.includes('exposure') && keys.includes('enabled') && keys.includes('role'));
    assert.ok(!keys.includes('bindings') && !keys.includes('name'), keys.join(','));
  });

  test('enum values and booleans', async () => {
    const text = EDGE.replace('mode: onlyList', 'mode: ');
    const uri = await opened('complete-values.relay.yaml', text);
    const items = await client.completion(uri, positionOf(text, 'mode: ', 6));
    assert.deepEqual(labels(items), ['allExcept', 'onlyList']);
    const product = EDGE.replace('product: iis-smtp', 'product: ii');
    const uri2 = await opened('complete-product.relay.yaml', product);
    const products = await client.completion(uri2, positionOf(product, 'product: ii', 11));
    assert.ok(labels(products).includes('iis-smtp'));
    assert.equal(products.find((i) => i.label === 'other')?.detail, 'default');
    const bool = EDGE.replace('anonymous: true', 'anonymous: ');
    const uri3 = await opened('complete-bool.relay.yaml', bool);
    assert.deepEqual(labels(await client.completion(uri3, positionOf(bool, 'anonymous: ', 11))), [
      'false',
      'true',
    ]);
  });

  test('JSON: quoted keys and values', async () => {
    const text = JSON_TEXT.replace(
      '"relay": { "mode": "allExcept", "list": [] }',
      '"relay": { "mode": "", "" }',
    );
    const uri = await opened('complete.relay.json', text);
    const values = await client.completion(uri, positionOf(text, '"mode": ""', 9));
    assert.deepEqual(labels(values), ['allExcept', 'onlyList']);
    const only = values.find((i) => i.label === 'onlyList');
    assert.ok(only?.textEdit !== undefined && 'range' in only.textEdit);
    assert.equal(only.textEdit.newText, '"onlyList"');
    const keys = await client.completion(uri, positionOf(text, '"", ""', 5));
    assert.ok(labels(keys).includes('allowAuthenticated') && labels(keys).includes('list'));
    assert.ok(!labels(keys).includes('mode'));
    const list = keys.find((i) => i.label === 'list');
    assert.ok(list?.textEdit !== undefined && 'range' in list.textEdit);
    assert.equal(list.textEdit.newText, '"list": ');
  });
});
