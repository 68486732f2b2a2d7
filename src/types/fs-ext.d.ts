/** The one call of fs-ext used here (src/core/store/file-lock.ts); the package ships no types. */
declare module 'fs-ext' {
  const fsExt: {
    /** flock(2) on the descriptor (LockFileEx on Windows); throws an errno error (`code` EAGAIN, …). */
    flockSync(fd: number, flags: 'ex' | 'exnb' | 'sh' | 'shnb' | 'un'): void;
  };
  export = fsExt;
}
