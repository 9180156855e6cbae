import type { Hover } from 'vscode-languageserver';
import type { ParsedFile } from '../core/model.js';
import type { TrustModel } from '../core/relay/analysis.js';
import { modelHoverAt } from './hover.js';
import { nativeHoverAt } from './native-hover.js';

/**
 * Hover at an offset, in any format. Native files (main.cf, MetaBase.xml, Exchange exports) have
 * a synthetic model tree whose spans point into the native text and need not nest, so
 * native-hover.ts reads them its own way; the relay model goes to hover.ts.
 */
export function hoverAt(parsed: ParsedFile, offset: number, trust: TrustModel): Hover | null {
  if (parsed.format !== 'yaml' && parsed.format !== 'json')
    return nativeHoverAt(parsed, offset, trust);
  return modelHoverAt(parsed, offset, trust);
}
