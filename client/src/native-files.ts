import {
  type Disposable,
  env,
  languages,
  type TextDocument,
  type Uri,
  window,
  workspace,
} from 'vscode';
import { postfixLanguageOf, userAssociated } from '../../server/src/protocol/native-files.js';

/**
 * Gives a Postfix file the extension's language (for its grammar and comment toggling) only
 * when nothing else claimed it: VS Code opened it as plain text, and the user did not choose
 * that in `files.associations`. Contributing file names instead would let VS Code pick between
 * this extension and an installed Postfix extension by registration order (the last one
 * registered wins), so a user could lose the extension they chose.
 */
export function adoptPostfixFiles(): Disposable {
  const adopt = (doc: TextDocument): void => {
    if (doc.uri.scheme !== 'file' || doc.languageId !== 'plaintext') return;
    const language = postfixLanguageOf(doc.uri.path);
    if (language === undefined || associated(doc.uri)) return;
    // The language change closes and reopens the document for every extension (same content).
    void languages.setTextDocumentLanguage(doc, language).then(undefined, () => undefined);
  };
  workspace.textDocuments.forEach(adopt);
  return workspace.onDidOpenTextDocument(adopt);
}

function associated(uri: Uri): boolean {
  const associations = workspace
    .getConfiguration('files', uri)
    .get<Record<string, unknown>>('associations');
  return associations !== undefined && userAssociated(associations, uri.fsPath);
}

/** "Copy command": the remediation of a finding to the clipboard, and say so. */
export async function copyRemediation(command: unknown): Promise<void> {
  if (typeof command !== 'string' || command.trim() === '') return;
  await env.clipboard.writeText(command);
  const shown = command.length > 120 ? `${command.slice(0, 117)}…` : command;
  void window.showInformationMessage(
    `Relay Lint: copied to the clipboard. Run it on the server: ${shown}`,
  );
}
