/**
 * A node resource's WireGuard listen port, as grid_client 2.9.2 picks it (`primitives/network.js
 * getFreePort`): uniformly random in 1024–32767, drawn again while the node already uses it
 * (`zos.network.list_wg_ports` answers the ports of the node's other network resources).
 */
import { Grid3FormatError } from './canonical.js';

export const WG_PORT_MIN = 1024;
export const WG_PORT_MAX = 32767;

/** A uniform integer in [min, max], both included (injected so that plans are reproducible in tests). */
export type RandomInt = (min: number, max: number) => number;

/** Validates what a node answered to `zos.network.list_wg_ports` (untrusted): an array of ports. */
export function parseUsedPorts(answer: unknown, nodeId: number): Set<number> {
  if (!Array.isArray(answer) || !answer.every((p) => Number.isInteger(p) && p >= 0 && p <= 65535)) {
    throw new Grid3FormatError(`node ${nodeId}: zos.network.list_wg_ports did not answer a list of ports`);
  }
  return new Set(answer as number[]);
}

/**
 * A port in 1024–32767 that `used` does not hold. Draws as grid_client does (so the same draws give the
 * same port); after a number of misses that only a node using most of the range could cause, it takes
 * the lowest free port instead of drawing for ever, and throws if there is none.
 */
export function pickFreePort(used: ReadonlySet<number>, randomInt: RandomInt, nodeId: number): number {
  for (let i = 0; i < 1000; i++) {
    const port = randomInt(WG_PORT_MIN, WG_PORT_MAX);
    if (!Number.isInteger(port) || port < WG_PORT_MIN || port > WG_PORT_MAX) {
      throw new Grid3FormatError(
        `random source gave ${port}, not an integer in ${WG_PORT_MIN}–${WG_PORT_MAX}`,
      );
    }
    if (!used.has(port)) return port;
  }
  for (let port = WG_PORT_MIN; port <= WG_PORT_MAX; port++) if (!used.has(port)) return port;
  throw new Grid3FormatError(`node ${nodeId} has no free WireGuard port in ${WG_PORT_MIN}–${WG_PORT_MAX}`);
}
