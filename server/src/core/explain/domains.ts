/** Whether an accepted-domain entry (`example.com`, `*.example.com`, `*`) covers `domain`. */
export function matchesDomain(entry: string, domain: string): boolean {
  const e = entry.trim().toLowerCase().replace(/\.$/, '');
  const d = domain.toLowerCase().replace(/\.$/, '');
  if (e === '*') return true;
  if (e.startsWith('*.')) return d.endsWith(e.slice(1));
  return d === e;
}
