export interface PeerCred {
  /** -1 where the platform does not say. */
  pid: number;
  uid: number;
  gid: number;
}
/** Who is at the other end of the connected Unix socket `fd`, as the kernel recorded it at connect. */
export function peerCred(fd: number): PeerCred;
