/**
 * Who an Exchange permission entry names. Relay through a receive connector is the extended right
 * ms-Exch-SMTP-Accept-Any-Recipient (shared/EXCHANGE-IIS.md A.3); it is anonymous relay when the
 * principal is ANONYMOUS LOGON. Windows localises the account name, so the SID decides when the
 * export carries it, and the name is matched against the spellings below otherwise.
 */

export const ANONYMOUS_SID = 'S-1-5-7';
export const EVERYONE_SID = 'S-1-1-0';

/**
 * ANONYMOUS LOGON as Get-ADPermission prints it. English and German are seen in real output
 * (Microsoft docs; pastebin FGY50A5K). The others are the account names of localised Windows
 * releases as commonly published; they are UNCONFIRMED here (docs/exchange.md), and the project's
 * own export writes the SID, which makes the name irrelevant.
 */
export const ANONYMOUS_NAMES: readonly string[] = [
  'NT AUTHORITY\\ANONYMOUS LOGON',
  'NT-AUTORITÄT\\ANONYMOUS-ANMELDUNG',
  'AUTORITE NT\\ANONYMOUS LOGON',
  'AUTORITÉ NT\\ANONYMOUS LOGON',
  'NT AUTHORITY\\INICIO DE SESIÓN ANÓNIMO',
  'NT AUTHORITY\\ACCESSO ANONIMO',
  'AUTORIDADE NT\\LOGON ANÔNIMO',
  'NT INSTANS\\ANONYM INLOGGNING',
  'NT AUTHORITY\\ANONIEME AANMELDING',
  'NT AUTHORITY\\АНОНИМНЫЙ ВХОД',
];

/** Account parts (after the backslash) that denote ANONYMOUS LOGON whatever the domain part. */
const ANONYMOUS_ACCOUNTS = new Set(ANONYMOUS_NAMES.map((n) => fold(n.slice(n.indexOf('\\') + 1))));

/** Everyone: Windows (since XP) leaves anonymous out of it by default; see isAnonymousPrincipal. */
const EVERYONE_NAMES = new Set([
  'everyone',
  'jeder',
  'tout le monde',
  'todos',
  'tutti',
  'iedereen',
  'alla',
  'все',
]);

function fold(s: string): string {
  return s.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
}

export type PrincipalKind = 'anonymous' | 'everyone' | 'other';

/**
 * Classifies a permission's principal. The SID wins; without one, the name (any spelling above,
 * case-insensitive, with or without its `DOMAIN\` part).
 */
export function principalKind(name: string | undefined, sid: string | undefined): PrincipalKind {
  const s = sid?.trim().toUpperCase();
  if (s !== undefined && /^S-\d/.test(s)) {
    if (s === ANONYMOUS_SID) return 'anonymous';
    if (s === EVERYONE_SID) return 'everyone';
    return 'other';
  }
  if (name === undefined) return 'other';
  const n = fold(name);
  if (n.toUpperCase() === ANONYMOUS_SID) return 'anonymous';
  if (n.toUpperCase() === EVERYONE_SID) return 'everyone';
  const account = n.includes('\\') ? n.slice(n.indexOf('\\') + 1) : n;
  if (ANONYMOUS_ACCOUNTS.has(account)) return 'anonymous';
  if (EVERYONE_NAMES.has(account)) return 'everyone';
  return 'other';
}

/**
 * True when an anonymous SMTP session holds the principal's rights. ANONYMOUS LOGON does. Everyone
 * is counted too: whether Exchange puts Everyone into an anonymous session's token is UNCONFIRMED,
 * and a grant of the relay right to Everyone is an open relay if it does — a linter that must err
 * should err towards the finding (docs/exchange.md).
 */
export function isAnonymousPrincipal(kind: PrincipalKind): boolean {
  return kind !== 'other';
}
