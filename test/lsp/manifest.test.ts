import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { statusView } from '../../server/src/protocol/status-text.js';
import { COMMANDS, DEFAULT_SETTINGS } from '../../server/src/protocol/index.js';
import { repoRoot } from '../support/repo-root.js';

const ROOT = repoRoot();
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean } };
  contributes: {
    commands: { command: string }[];
    configuration: { properties: Record<string, { default: unknown }> };
    grammars: { path: string; injectTo: string[] }[];
    yamlValidation: { fileMatch: string }[];
    jsonValidation: { fileMatch: string }[];
  };
};

interface Grammar {
  injectionSelector: string;
  repository: Record<string, { match?: string; patterns?: { match: string; name: string }[] }>;
}

describe('extension manifest and client', () => {
  test('commands, settings, activation and validation match the client and server', () => {
    assert.deepEqual(
      pkg.contributes.commands.map((c) => c.command).sort(),
      Object.values(COMMANDS).sort(),
    );
    const props = pkg.contributes.configuration.properties;
    assert.deepEqual(Object.keys(props).sort(), [
      'relayLint.enable',
      'relayLint.run',
      'relayLint.trace.server',
    ]);
    assert.equal(props['relayLint.enable']?.default, DEFAULT_SETTINGS.enable);
    assert.equal(props['relayLint.run']?.default, DEFAULT_SETTINGS.run);
    assert.equal(props['relayLint.trace.server']?.default, DEFAULT_SETTINGS.trace.server);
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/*.relay.{yaml,yml,json}'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    // Schemas are contributed for the configuration file only, never for relay files.
    for (const v of [...pkg.contributes.yamlValidation, ...pkg.contributes.jsonValidation])
      assert.equal(v.fileMatch, '.relay-lint.yaml');
  });

  test('the injection grammar highlights directives, rule ids and the reason', () => {
    const [entry] = pkg.contributes.grammars;
    assert.ok(entry !== undefined);
    assert.deepEqual(entry.injectTo, ['source.yaml']);
    const grammar = JSON.parse(readFileSync(path.join(ROOT, entry.path), 'utf8')) as Grammar;
    assert.equal(grammar.injectionSelector, 'L:comment.line.number-sign.yaml');
    const directive = new RegExp(grammar.repository['directive']?.match ?? '');
    const m = directive.exec(
      ' relay-lint-disable-next-line RLY010, broad-cidr -- billing subnet, OPS-112',
    );
    assert.ok(m !== null);
    assert.equal(m[1], 'relay-lint-disable-next-line');
    assert.equal(m[2], ' RLY010, broad-cidr ');
    assert.equal(m[3], '--');
    assert.equal(m[4], ' billing subnet, OPS-112');
    assert.equal(directive.exec(' relay-lint-disable-file RLY013')?.[4], undefined);
    const rule = grammar.repository['rule']?.patterns ?? [];
    assert.ok(rule.some((p) => new RegExp(p.match).test('RLY010')));
    assert.ok(rule.some((p) => new RegExp(p.match).test('broad-cidr')));
  });

  test('status bar text: state and counts', () => {
    assert.equal(statusView('starting').text, '$(sync~spin) Relay Lint');
    assert.equal(statusView('stopped').text, '$(circle-slash) Relay Lint');
    assert.equal(statusView('error').text, '$(error) Relay Lint');
    const none = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
    assert.equal(statusView('running', none).text, '$(shield) Relay Lint');
    const some = { critical: 2, high: 1, medium: 0, low: 0, info: 0 };
    assert.equal(statusView('running', some, 1).text, '$(shield) Relay Lint: 2 critical, 1 high');
    const many = { critical: 2, high: 1, medium: 3, low: 0, info: 4 };
    const v = statusView('running', many, 3);
    assert.equal(v.text, '$(shield) Relay Lint: 2 critical, 1 high, …');
    assert.equal(
      v.tooltip,
      'Relay Lint: 2 critical, 1 high, 3 medium, 4 info in 3 files. Click to show the output.',
    );
  });
});
