/**
 * Whether only root can change a path: root owns it and every folder above it, none of them is writable by
 * a group or others (a sticky world-writable folder like /tmp is not: anyone may create or swap names in
 * it), and none of the folders is a symbolic link. The helper keeps, binds and reads nothing elsewhere.
 */
import { lstatSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

export function rootOnlyProblem(
  path: string,
  leaf: 'file' | 'dir' | 'any' = 'any',
  lstat: (p: string) => Stats = lstatSync,
): string | undefined {
  for (let p = path; ;) {
    const st = lstat(p);
    if (notRootOnly(st))
      return st.uid !== 0 ? `${p} is not owned by root` : `${p} is writable by others than root`;
    if (st.isSymbolicLink()) return `${p} is a symbolic link`;
    if (p === path && leaf === 'file' && !st.isFile()) return `${p} is not a regular file`;
    if (p !== path || leaf === 'dir') {
      if (!st.isDirectory()) return `${p} is not a folder`;
    }
    const up = dirname(p);
    if (up === p) return undefined;
    p = up;
  }
}

/** Why others than root could change a file or folder with this owner and mode, or undefined. A sticky
 * world-writable folder (like /tmp) is refused too: anyone can add a file or folder there. */
export function notRootOnly(st: { uid: number; mode: number }): string | undefined {
  if (st.uid !== 0) return `it is owned by uid ${st.uid}, not root`;
  const w = st.mode & 0o022;
  if (!w) return undefined;
  const who = w === 0o022 ? 'its group and others' : w === 0o020 ? 'its group' : 'others';
  return `it is writable by ${who}${st.mode & 0o1000 ? ', sticky as /tmp is: anyone can still add files there' : ''}`;
}
