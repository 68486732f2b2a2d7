/**
 * Display names vs interface names. A tunnel's display name is what the user sees; the interface name is
 * what wg-quick, ip and the file name use, so it must match wg-quick's rule and is derived, never taken
 * verbatim from user input.
 */

/** wg-quick's own rule for an interface (and the config file's base name). */
export const INTERFACE_NAME = /^[a-zA-Z0-9_=+.-]{1,15}$/;
export const DISPLAY_NAME_MAX = 64;

export function isValidInterfaceName(name: string): boolean {
  // Linux refuses "." and ".." as device names even though wg-quick's pattern lets them through; a name
  // starting with '-' would be read as an option (wireguard-go takes `-f` for --foreground).
  return INTERFACE_NAME.test(name) && name !== '.' && name !== '..' && !name.startsWith('-');
}

/** Why a display name is refused, or undefined. Printable text only, no path separators. */
export function displayNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'A tunnel name cannot be empty';
  if (name !== name.trim()) return 'A tunnel name cannot start or end with spaces';
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name))
    return 'A tunnel name cannot contain control characters';
  if ([...name].length > DISPLAY_NAME_MAX)
    return `A tunnel name can have at most ${DISPLAY_NAME_MAX} characters`;
  if (/[/\\]/.test(name)) return 'A tunnel name cannot contain / or \\';
  if (name === '.' || name === '..') return 'A tunnel name cannot be . or ..';
  return undefined;
}

/** Maps a display name to a unique valid interface name: disallowed characters become '-', at most 15. */
export function deriveInterfaceName(displayName: string, taken: ReadonlySet<string> = new Set()): string {
  let base = displayName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // drop accents so 'très' reads 'tres'
    .replace(/[^a-zA-Z0-9_=+.-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  if (base === '') base = 'wg';
  base = base.slice(0, 15).replace(/[-.]+$/, '') || 'wg';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const suffix = `-${n}`;
    const candidate = base.slice(0, 15 - suffix.length).replace(/[-.]+$/, '') + suffix;
    if (!taken.has(candidate)) return candidate;
  }
}
