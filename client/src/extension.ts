import { commands, type ExtensionContext, StatusBarAlignment, window } from 'vscode';
import { type LanguageClient, NotificationType, State } from 'vscode-languageclient/node';
import {
  CLIENT_NAME,
  COMMANDS,
  COPY_REMEDIATION_COMMAND,
  STATUS_NOTIFICATION,
  type StatusParams,
} from '../../server/src/protocol/index.js';
import { auditWorkspace } from './commands/audit-workspace.js';
import { createLanguageClient } from './language-client.js';
import { adoptPostfixFiles, copyRemediation } from './native-files.js';
import { type ClientState, statusView } from '../../server/src/protocol/status-text.js';

const StatusNotification = new NotificationType<StatusParams>(STATUS_NOTIFICATION);

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  const output = window.createOutputChannel(CLIENT_NAME, { log: true });
  const item = window.createStatusBarItem('relayLint.status', StatusBarAlignment.Left, 0);
  item.name = CLIENT_NAME;
  item.command = COMMANDS.showOutput;
  let state: ClientState = 'starting';
  let last: StatusParams | undefined;
  // A stop nobody asked for (the server crashed more often than the client restarts it) is an error.
  let stopRequested = false;
  const render = (): void => {
    const view = statusView(state, last?.counts, last?.files);
    item.text = view.text;
    item.tooltip = view.tooltip;
    item.show();
  };
  render();
  context.subscriptions.push(output, item, adoptPostfixFiles());

  const lc = createLanguageClient(context, output);
  client = lc;
  context.subscriptions.push(
    lc.onDidChangeState((e) => {
      state =
        e.newState === State.Running
          ? 'running'
          : e.newState === State.Starting
            ? 'starting'
            : stopRequested
              ? 'stopped'
              : 'error';
      if (e.newState === State.Running) stopRequested = false;
      if (state !== 'running') last = undefined;
      render();
    }),
    lc.onNotification(StatusNotification, (params) => {
      last = params;
      render();
    }),
    commands.registerCommand(COPY_REMEDIATION_COMMAND, copyRemediation),
    commands.registerCommand(COMMANDS.showOutput, () => {
      output.show(true);
    }),
    commands.registerCommand(COMMANDS.auditWorkspace, async () => {
      try {
        await auditWorkspace(lc);
      } catch (error) {
        void window.showErrorMessage(
          `Relay Lint: the audit failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }),
    commands.registerCommand(COMMANDS.restart, async () => {
      output.appendLine('Restarting the Relay Lint server…');
      stopRequested = true;
      try {
        await lc.restart();
      } catch (error) {
        fail(error);
      }
    }),
  );

  const fail = (error: unknown): void => {
    state = 'error';
    render();
    output.appendLine(`Relay Lint: ${error instanceof Error ? error.message : String(error)}`);
  };
  try {
    await lc.start();
  } catch (error) {
    fail(error);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
