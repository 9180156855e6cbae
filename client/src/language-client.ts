import * as path from 'node:path';
import { type ExtensionContext, type LogOutputChannel, workspace } from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { CLIENT_ID, CLIENT_NAME, CONFIG_FILE_GLOB } from '../../server/src/protocol/index.js';
import { nativeDocumentFilters } from '../../server/src/protocol/native-files.js';

/**
 * The language client: the bundled server over node IPC. Every YAML and JSON file on disk is
 * synchronised, because the project configuration's `files` globs (decided by the server, as
 * in the CLI) may name files beyond the default `*.relay.{yaml,yml,json}`; the server ignores
 * the others. Native files (`main.cf`, `MetaBase.xml` …) are selected by name, whatever their
 * language id (`native-files.ts`).
 */
export function createLanguageClient(
  context: ExtensionContext,
  outputChannel: LogOutputChannel,
): LanguageClient {
  const module = context.asAbsolutePath(path.join('server', 'dist', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'yaml' },
      { scheme: 'file', language: 'json' },
      { scheme: 'file', language: 'jsonc' },
      { scheme: 'file', pattern: '**/*.relay.{yaml,yml,json}' },
      ...nativeDocumentFilters(),
    ],
    // Settings are pulled by the server (workspace/configuration); only the project file is watched.
    synchronize: { fileEvents: workspace.createFileSystemWatcher(CONFIG_FILE_GLOB) },
    outputChannel,
    traceOutputChannel: outputChannel,
  };
  return new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
}
