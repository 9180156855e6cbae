import picomatch from 'picomatch';

/**
 * Why a glob of `.relay-lint.yaml` (`files`, `ignore`, `overrides[].files`) can never select a
 * file, or undefined when it can. picomatch never refuses a pattern: `[` silently matches only a
 * file named "[", and `{a,b` matches nothing, so a typo would lint nothing and report "No
 * problems in 0 files". Globs are relative to the configuration's folder, with `/` between
 * folders.
 */
export function globProblem(glob: string): string | undefined {
  if (glob.trim() === '') return 'it is empty';
  if (glob.startsWith('/') || /^[A-Za-z]:[\\/]/.test(glob))
    return "it is an absolute path; globs are relative to the configuration's folder";
  if (/(^|\/)\.\.(\/|$)/.test(glob))
    return "it climbs out of the configuration's folder with .., where files are never searched";
  const open = unclosed(glob);
  if (open !== undefined) return `its "${open}" is never closed`;
  if (picomatch.makeRe(glob, { dot: true }).source === '$^') return 'it can match no path';
  return undefined;
}

/** The first bracket `[`, brace `{` or parenthesis `(` left open (a `\` escapes one). */
function unclosed(glob: string): string | undefined {
  const stack: string[] = [];
  const closing: Readonly<Record<string, string>> = { ']': '[', '}': '{', ')': '(' };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] ?? '';
    if (c === '\\') {
      i++;
      continue;
    }
    if (stack[stack.length - 1] === '[') {
      // Inside a class only `]` means something (a leading `]` or `!]`/`^]` is literal).
      const start = glob.lastIndexOf('[', i);
      const literal = i === start + 1 || (i === start + 2 && /[!^]/.test(glob[start + 1] ?? ''));
      if (c === ']' && !literal) stack.pop();
      continue;
    }
    if (c === '[' || c === '{' || c === '(') stack.push(c);
    else if (c in closing && stack[stack.length - 1] === closing[c]) stack.pop();
  }
  return stack[0];
}
