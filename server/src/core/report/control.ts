/**
 * C0 controls (but not tab), DEL, C1 controls, and the Unicode bidirectional overrides and
 * isolates: characters a terminal or a log viewer acts on (recolour, erase, move the cursor, set
 * the window title, reorder text) instead of showing. A server name, a path or a message can
 * carry them from a hostile file; every human-readable report passes its text through
 * `escapeControl` so that they print as visible escapes.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point.
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r' };

/** `a\u001b[2Jb` → `a\x1b[2Jb`; line breaks become `\n`, `\r`. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, (c) => {
    const named = NAMED[c];
    if (named !== undefined) return named;
    const code = c.charCodeAt(0);
    return code <= 0xff
      ? `\\x${code.toString(16).padStart(2, '0')}`
      : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
