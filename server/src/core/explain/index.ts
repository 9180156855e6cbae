import { nativeFormatByTag } from '../formats/index.js';
import type { ExplainQuestion, ListenerAnswer } from '../formats/types.js';
import type { ParsedFile } from '../model.js';
import { explainModel } from './model.js';

export const DEFAULT_RECIPIENT = 'user@relay-lint.invalid';
export const DEFAULT_SENDER = 'probe@relay-lint.invalid';

/**
 * "May this client relay here, and why?" for every listener of a parsed file, in any format
 * (SPEC §7.4). The editor's hover and `relay-lint explain` both come here.
 */
export function explainFile(file: ParsedFile, question: ExplainQuestion): ListenerAnswer[] {
  const native = nativeFormatByTag(file.format);
  if (native !== undefined) return native.explain(file, question);
  return explainModel(file, question);
}
