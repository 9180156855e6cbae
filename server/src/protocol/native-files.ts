import picomatch from 'picomatch';
import { POSTFIX_LANGUAGES } from './index.js';

// Which native files the client sends to the server, and which it gives a Postfix language id
// (shared with the client: no server code here; unit tests load it without VS Code).

/**
 * Native configuration files (SPEC §7) are selected by name, whatever their language id: a
 * Postfix syntax extension may have given `main.cf` its own id, `MetaBase.xml` keeps `xml`, an
 * Exchange export is `json`. The server decides what it lints (the `files` globs of
 * `.relay-lint.yaml`); these only decide which documents it is sent.
 *
 * Globs are case-sensitive in VS Code's document selectors, and IIS file names are not, hence
 * the character classes.
 */
const METABASE = '[Mm][Ee][Tt][Aa][Bb][Aa][Ss][Ee].[Xx][Mm][Ll]';
export const NATIVE_FILE_PATTERNS: readonly string[] = [
  '**/{main,master}.cf',
  '**/*.{main,master}.cf',
  '**/{main,master}.cf.j2',
  `**/${METABASE}`,
  `**/*.${METABASE}`,
  '**/*.exchange.json',
];

/** Document filters (vscode-languageclient `DocumentFilter`s) of native files. */
export function nativeDocumentFilters(): { scheme: string; pattern?: string; language?: string }[] {
  return [
    ...NATIVE_FILE_PATTERNS.map((pattern) => ({ scheme: 'file', pattern })),
    { scheme: 'file', language: POSTFIX_LANGUAGES.main },
    { scheme: 'file', language: POSTFIX_LANGUAGES.master },
  ];
}

/** The extension's Postfix language id for a file name, or undefined when it is not one. */
export function postfixLanguageOf(fileName: string): string | undefined {
  const name = baseName(fileName);
  if (/^(?:.+\.)?main\.cf(?:\.j2)?$/.test(name)) return POSTFIX_LANGUAGES.main;
  if (/^(?:.+\.)?master\.cf(?:\.j2)?$/.test(name)) return POSTFIX_LANGUAGES.master;
  return undefined;
}

/**
 * True when a `files.associations` key names the file: the user chose its language, even if
 * the choice is plain text, and the extension leaves it alone. VS Code matches a key with a
 * `/` against the path and any other key against the file name, ignoring case.
 */
export function userAssociated(
  associations: Readonly<Record<string, unknown>>,
  path: string,
): boolean {
  const posix = path.replace(/\\/g, '/');
  const name = baseName(posix);
  return Object.keys(associations).some((glob) => {
    try {
      return picomatch(glob, { nocase: true, dot: true })(glob.includes('/') ? posix : name);
    } catch {
      // A key that is no valid glob names nothing.
      return false;
    }
  });
}

function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
}
