import type { Span, TextEdit } from '../../model.js';
import type { MasterService, PfFileKind, PfItem, PfParamDef, PostfixInstance } from './model.js';

/**
 * Native text edits on main.cf and master.cf. Each edit touches the least text that does the
 * job (one item, one definition, one inserted line), so the rest of the file, its comments and
 * its layout stay as they were.
 */

/** Every definition of the instance written in `file`: main.cf lines or master.cf `-o`s. */
export function definitionsIn(instance: PostfixInstance, file: PfFileKind): PfParamDef[] {
  if (file === 'main.cf') return [...instance.main.defs];
  return instance.master.services.flatMap((s) => [...s.overrides]);
}

/** The definition whose value holds `span` (the parameter an item is written in). */
export function defContaining(
  instance: PostfixInstance,
  file: PfFileKind,
  span: Span,
): PfParamDef | undefined {
  return definitionsIn(instance, file).find(
    (d) => d.valueSpan.start <= span.start && span.end <= d.valueSpan.end,
  );
}

/** Replaces an item's text. */
export function replaceItem(item: PfItem, text: string): TextEdit[] {
  return [{ span: item.span, text }];
}

/**
 * Removes one item of a list value with one separator next to it: the text up to the next
 * item (commas, blanks, a line break of a continuation), or, for the last item, the text back
 * to the previous one. The only item leaves an empty value (`mynetworks =`), which Postfix
 * reads as an empty list.
 */
export function removeListItem(def: PfParamDef, item: PfItem): TextEdit[] {
  const { items, positions } = itemPositions(def, item.file);
  const index = positions.get(`${item.span.start}:${item.span.end}`) ?? -1;
  if (index < 0) return [];
  const next = items[index + 1];
  if (next !== undefined)
    return [{ span: { start: item.span.start, end: next.span.start }, text: '' }];
  const prev = items[index - 1];
  if (prev !== undefined) return [{ span: { start: prev.span.end, end: item.span.end }, text: '' }];
  return [{ span: def.valueSpan, text: '' }];
}

interface ItemPositions {
  readonly items: readonly PfItem[];
  /** Index in `items` by span (`start:end`); the first item wins, as findIndex would. */
  readonly positions: ReadonlyMap<string, number>;
}

/**
 * A definition's items written in one file, indexed by span once: a list of N entries can get
 * N removal fixes, and a search per fix was O(N²).
 */
const POSITIONS = new WeakMap<PfParamDef, Map<PfFileKind, ItemPositions>>();

function itemPositions(def: PfParamDef, file: PfFileKind): ItemPositions {
  let byFile = POSITIONS.get(def);
  if (byFile === undefined) {
    byFile = new Map();
    POSITIONS.set(def, byFile);
  }
  const known = byFile.get(file);
  if (known !== undefined) return known;
  const items = def.items.filter((i) => i.file === file);
  const positions = new Map<string, number>();
  items.forEach((i, index) => {
    const key = `${i.span.start}:${i.span.end}`;
    if (!positions.has(key)) positions.set(key, index);
  });
  const built = { items, positions };
  byFile.set(file, built);
  return built;
}

/** Deletes a whole main.cf definition (its continuation and inner comment lines too). */
export function removeDefinition(def: PfParamDef): TextEdit[] {
  return [{ span: def.lineSpan, text: '' }];
}

/** Sets a parameter's value in place. */
export function setValue(def: PfParamDef, value: string): TextEdit[] {
  return [{ span: def.valueSpan, text: value }];
}

function lineBreakOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/**
 * Sets `name = value` in main.cf: the last definition's value is replaced when there is one
 * (Postfix keeps the last), otherwise a line is appended at the end of the file.
 */
export function setMainParam(instance: PostfixInstance, name: string, value: string): TextEdit[] {
  const def = instance.main.params.get(name);
  if (def !== undefined) return setValue(def, value);
  const text = instance.main.text;
  const nl = lineBreakOf(text);
  const needsBreak = text.length > 0 && !text.endsWith('\n') && !text.endsWith('\r');
  return [
    {
      span: { start: text.length, end: text.length },
      text: `${needsBreak ? nl : ''}${name} = ${value}${nl}`,
    },
  ];
}

/**
 * Adds (or sets) `-o name=value` on a master.cf service: an existing `-o` for the name gets the
 * value; otherwise a continuation line `  -o name=value` follows the service's last line.
 */
export function setOverride(
  masterText: string,
  service: MasterService,
  name: string,
  value: string,
): TextEdit[] {
  const existing = [...service.overrides].reverse().find((o) => o.name === name);
  if (existing !== undefined) return setValue(existing, value);
  let end = service.span.end;
  while (end > service.span.start && /[\r\n]/.test(masterText.charAt(end - 1))) end--;
  return [{ span: { start: end, end }, text: `${lineBreakOf(masterText)}  -o ${name}=${value}` }];
}

/** A model address (`2001:db8::/32`) in Postfix notation (`[2001:db8::]/32`). */
export function postfixAddress(model: string): string {
  const t = model.trim();
  if (!t.includes(':') || t.startsWith('[')) return t;
  const slash = t.indexOf('/');
  return slash < 0 ? `[${t}]` : `[${t.slice(0, slash)}]${t.slice(slash)}`;
}

/** A scalar as a YAML fix spelled it, back to its value (`"10.0.0.0/8"` → `10.0.0.0/8`). */
export function unquoteYaml(text: string): string {
  const t = text.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      const v: unknown = JSON.parse(t);
      return typeof v === 'string' ? v : t;
    } catch {
      return t.slice(1, -1);
    }
  }
  if (t.startsWith("'") && t.endsWith("'") && t.length >= 2)
    return t.slice(1, -1).replace(/''/g, "'");
  return t;
}
