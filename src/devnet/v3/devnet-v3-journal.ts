/**
 * Persistence for the devnet chain across `devnet down` / `devnet up`: ChainState lives in memory, so the
 * chain process writes every state-changing entry point it is called through (a signed transaction, an
 * admin lever) to an append-only journal and replays it over the same genesis at its next start. The
 * chain is deterministic (ids count up, no clock in its rules), so the replay gives back the same twins,
 * contract ids, balances and nonces — what a real chain's database would keep. A transaction the chain
 * refused is journaled too: a failed dispatch still used the nonce and paid the fee, and one refused
 * before dispatch fails again the same way without changing anything.
 */
import { appendFileSync, closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { callsFromWire, callsToWire, type WireCall } from '../../grid3/tfchain/wire.js';
import type { ChainState } from './chain-state.js';

type Entry =
  | { op: 'submit'; account: string; nonce: number; calls: WireCall[] }
  | { op: 'fund'; account: string; amount: string }
  | { op: 'createVerifiedTwin'; twin: Record<string, unknown> }
  | { op: 'addNode'; node: Record<string, unknown> }
  | { op: 'setTerms' | 'setKyc'; account: string; value: boolean };

const bigintsAsText = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v);

/** Replays `path` into `state`; returns how many entries it applied. */
export function replayJournal(state: ChainState, path: string): number {
  if (!existsSync(path)) return 0;
  let n = 0;
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let e: Entry;
    try {
      e = JSON.parse(line) as Entry;
    } catch {
      continue; // a line cut short by a kill while it was written: the entry never took effect for a client
    }
    try {
      apply(state, e);
    } catch {
      // Refused now as it was refused then.
    }
    n++;
  }
  return n;
}

function apply(state: ChainState, e: Entry): void {
  switch (e.op) {
    case 'submit':
      state.submit(e.account, e.nonce, callsFromWire(e.calls));
      return;
    case 'fund':
      state.fund(e.account, BigInt(e.amount));
      return;
    case 'createVerifiedTwin': {
      const t = e.twin as unknown as Omit<Parameters<ChainState['createVerifiedTwin']>[0], 'free'> & {
        free?: string;
      };
      const { free, ...twin } = t;
      state.createVerifiedTwin({ ...twin, ...(free !== undefined ? { free: BigInt(free) } : {}) });
      return;
    }
    case 'addNode':
      state.addNode(e.node as unknown as Parameters<ChainState['addNode']>[0]);
      return;
    case 'setTerms':
      state.setTerms(e.account, e.value);
      return;
    case 'setKyc':
      state.setKyc(e.account, e.value);
  }
}

/**
 * From now on, journal every call to the state's public writers. Only the outermost call is written
 * (createVerifiedTwin funds and sets terms itself: replaying those inner calls too would fund twice).
 */
export function journalChain(state: ChainState, path: string): void {
  closeSync(openSync(path, 'a', 0o600));
  let depth = 0;
  const wrap = <A extends unknown[], R>(fn: (...a: A) => R, entry: (...a: A) => Entry): ((...a: A) => R) => {
    return (...a: A): R => {
      if (depth === 0) appendFileSync(path, JSON.stringify(entry(...a), bigintsAsText) + '\n');
      depth++;
      try {
        return fn.apply(state, a);
      } finally {
        depth--;
      }
    };
  };
  state.submit = wrap(state.submit, (account, nonce, calls) => ({
    op: 'submit',
    account,
    nonce,
    calls: callsToWire(calls),
  }));
  state.fund = wrap(state.fund, (account, amount) => ({ op: 'fund', account, amount: String(amount) }));
  state.createVerifiedTwin = wrap(state.createVerifiedTwin, (twin) => ({
    op: 'createVerifiedTwin',
    twin: twin as unknown as Record<string, unknown>,
  }));
  state.addNode = wrap(state.addNode, (node) => ({
    op: 'addNode',
    node: node as unknown as Record<string, unknown>,
  }));
  state.setTerms = wrap(state.setTerms, (account, value) => ({ op: 'setTerms', account, value }));
  state.setKyc = wrap(state.setKyc, (account, value) => ({ op: 'setKyc', account, value }));
}
