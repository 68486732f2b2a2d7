/**
 * A devnet node's agent, doing what 0-OS does with a network reservation: pick up the NRs addressed to the
 * node, open the sealed private key, configure WireGuard (100.64.b.c/16, MTU 1420, keepalive 20, peers and
 * endpoints as given), a bridge holding the gateway a.b.c.1, a route for the network's /16, then report a
 * signed result. Newer reservations of a network replace older ones; a deleted one is torn down. What was
 * applied is kept in a state file, so a killed agent converges when it starts again.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import bs58 from 'bs58';
import { identityFromSeed, type Ed25519Identity } from '../core/crypto/identity-keys.js';
import { openSealed } from '../core/crypto/sealed-box.js';
import { loadSodium } from '../core/crypto/sodium.js';
import { gatewayIp, wgRoutingIp } from '../core/overlay/address-plan.js';
import type { ExplorerNetworkResource } from '../core/overlay/model.js';
import { writePrivateFile } from '../core/store/private-files.js';
import { isWgKey, publicKeyOf } from '../core/wgconf/keys.js';
import { inNs, type Ran } from './host-commands.js';
import {
  heartbeat,
  pollWorkloads,
  postResult,
  registerNode,
  type NetworkWorkload,
  type NodeAnnouncement,
} from './node-api.js';

export const PORT_IN_USE = 'wireguard listen port already in use, pick another one';
const PEER_WAIT_MS = 15_000;

function newest(list: NetworkWorkload[]): NetworkWorkload {
  return list.reduce((a, b) => (b.reservation_id > a.reservation_id ? b : a));
}

/** An address inside a peer's ranges to send a first packet to: its WireGuard /32, else the .1 of its /24. */
export function probeAddress(ranges: string[]): string | undefined {
  const v4 = ranges.filter((r) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(r));
  const host = v4.find((r) => r.endsWith('/32'));
  if (host) return host.slice(0, -3);
  const net = v4[0];
  return net ? net.replace(/\.\d+\/\d+$/, '.1') : undefined;
}

interface Applied {
  reservationId: number;
  workloadId: string;
  iface: string;
  bridge: string;
  port: number;
  iprange: string;
  /** The result posted for workloadId, so a restart knows whether it still owes one. */
  reported: boolean;
}

interface AgentState {
  applied: Record<string, Applied>;
  /** Workloads already answered without being applied (superseded, or deleted). */
  answered: string[];
}

export interface AgentOptions {
  explorer: string;
  namespace: string;
  index: number;
  seedHex: string;
  announcement: NodeAnnouncement;
  stateDir: string;
  name: string;
  log?: (line: string) => void;
}

export class NodeAgent {
  private readonly identity: Ed25519Identity;
  private readonly statePath: string;
  private state: AgentState;
  private readonly log: (line: string) => void;

  constructor(private readonly o: AgentOptions) {
    this.identity = identityFromSeed(Buffer.from(o.seedHex, 'hex'));
    this.statePath = join(o.stateDir, `agent-${o.name}.json`);
    this.state = existsSync(this.statePath)
      ? JSON.parse(readFileSync(this.statePath, 'utf8'))
      : { applied: {}, answered: [] };
    this.log = o.log ?? (() => undefined);
  }

  async register(): Promise<void> {
    await registerNode(this.o.explorer, this.identity, this.o.announcement);
  }

  async heartbeat(uptime: number): Promise<void> {
    await heartbeat(this.o.explorer, this.identity, uptime);
  }

  /** One pass: make the node match what the explorer asks of it. What goes away goes first, so that a
   * result reported in this pass never describes a node still carrying a network it should have dropped. */
  async reconcile(): Promise<void> {
    const workloads = await pollWorkloads(this.o.explorer, this.identity);
    const byNetwork = new Map<string, NetworkWorkload[]>();
    for (const w of workloads) byNetwork.set(w.content.name, [...(byNetwork.get(w.content.name) ?? []), w]);
    for (const network of Object.keys(this.state.applied))
      if (!byNetwork.has(network)) this.teardown(network);
    const ordered = [...byNetwork].sort(
      ([, a], [, b]) => Number(newest(b).to_delete) - Number(newest(a).to_delete),
    );
    for (const [network, list] of ordered) {
      // One network's trouble (an explorer refusing a report) must not hold up the others.
      try {
        list.sort((a, b) => b.reservation_id - a.reservation_id);
        const [latest, ...older] = list as [NetworkWorkload, ...NetworkWorkload[]];
        if (latest.to_delete) {
          if (this.state.applied[network]) this.teardown(network);
        } else {
          await this.ensure(network, latest);
        }
        // Older reservations of the network are carried by the newest one: answer them without touching it.
        for (const w of [...older, ...(latest.to_delete ? [latest] : [])])
          await this.answerOnce(w, w.to_delete ? 'deleted' : { state: 1, message: '' });
      } catch (e) {
        this.log(`network ${network}: ${(e as Error).message}`);
      }
    }
  }

  private async answerOnce(
    w: NetworkWorkload,
    r: { state: 0 | 1; message: string } | 'deleted',
  ): Promise<void> {
    const key = `${w.workload_id}:${r === 'deleted' ? 'deleted' : r.state}`;
    if (this.state.answered.includes(key)) return;
    await postResult(this.o.explorer, this.identity, w.workload_id, r);
    this.state.answered.push(key);
    this.save();
  }

  private async ensure(network: string, w: NetworkWorkload): Promise<void> {
    const cur = this.state.applied[network];
    if (cur && cur.workloadId === w.workload_id && this.linkExists(cur.iface)) {
      if (!cur.reported) await this.report(network, w, { state: 1, message: '' });
      return;
    }
    const nr = w.content.network_resource;
    const clash = Object.entries(this.state.applied).find(
      ([n, a]) => n !== network && a.port === nr.wireguard_listen_port,
    );
    if (clash) {
      this.log(`${w.workload_id}: port ${nr.wireguard_listen_port} is used by network ${clash[0]}`);
      await this.answerOnce(w, { state: 0, message: PORT_IN_USE });
      return;
    }
    try {
      await this.apply(network, w, nr);
      await this.report(network, w, { state: 1, message: '' });
      this.log(`${w.workload_id}: network ${network} applied`);
    } catch (e) {
      const message = (e as Error).message;
      this.log(`${w.workload_id}: ${message}`);
      await this.answerOnce(w, { state: 0, message });
    }
  }

  private async report(
    network: string,
    w: NetworkWorkload,
    r: { state: 0 | 1; message: string },
  ): Promise<void> {
    await postResult(this.o.explorer, this.identity, w.workload_id, r);
    this.state.applied[network]!.reported = true;
    this.save();
  }

  /** zos names per network: netid = base58(md5(user id + name)); prefixed with the node's index here
   * because wireguard-go's control sockets are per machine, and all devnet nodes share one machine. */
  private names(w: NetworkWorkload): { iface: string; bridge: string } {
    const netid = bs58
      .encode(createHash('md5').update(`${w.customer_tid}${w.content.name}`).digest())
      .slice(0, 10);
    return { iface: `w${this.o.index}-${netid}`, bridge: `b${this.o.index}-${netid}` };
  }

  private async apply(network: string, w: NetworkWorkload, nr: ExplorerNetworkResource): Promise<void> {
    const sodium = await loadSodium();
    let key: string;
    try {
      key = new TextDecoder().decode(
        openSealed(
          sodium,
          Buffer.from(nr.wireguard_private_key_encrypted, 'hex'),
          sodium.crypto_sign_ed25519_pk_to_curve25519(this.identity.publicKey),
          sodium.crypto_sign_ed25519_sk_to_curve25519(this.identity.secretKey),
        ),
      );
    } catch {
      throw new Error('failed to decrypt wireguard private key');
    }
    if (!isWgKey(key) || publicKeyOf(key) !== nr.wireguard_public_key)
      throw new Error('wireguard private key does not match the public key');
    const { iface, bridge } = this.names(w);
    const prev = this.state.applied[network];
    if (prev && prev.iface !== iface) this.teardown(network);
    const ns = this.o.namespace;
    const check = (r: Ran, what: string) => {
      if (!r.ok) throw new Error(`${what}: ${r.stderr.trim().split('\n').pop()}`);
    };
    if (!this.linkExists(iface))
      check(inNs(ns, 'wireguard-go', [iface]), `failed to create wireguard interface ${iface}`);
    // Up before the peers are set: a peer given a persistent keepalive on a running device starts its
    // handshake at once instead of after the first interval.
    check(
      inNs(ns, 'ip', ['link', 'set', iface, 'mtu', '1420', 'up']),
      `failed to bring wireguard interface ${iface} up`,
    );
    const lines = ['[Interface]', `PrivateKey = ${key}`, `ListenPort = ${nr.wireguard_listen_port}`];
    for (const p of nr.peers) {
      lines.push(
        '[Peer]',
        `PublicKey = ${p.public_key}`,
        `AllowedIPs = ${p.allowed_iprange.join(', ')}`,
        'PersistentKeepalive = 20',
      );
      if (p.endpoint) lines.push(`Endpoint = ${p.endpoint}`);
    }
    const file = join(this.o.stateDir, `.${iface}.conf`);
    writePrivateFile(file, lines.join('\n') + '\n', { durable: false });
    try {
      const set = inNs(ns, 'wg', ['setconf', iface, file]);
      if (!set.ok && /address already in use/i.test(set.stderr)) throw new Error(PORT_IN_USE);
      check(set, `failed to configure wireguard interface ${iface}`);
    } finally {
      rmSync(file, { force: true });
    }
    check(
      inNs(ns, 'ip', ['address', 'replace', `${wgRoutingIp(nr.iprange)}/16`, 'dev', iface]),
      'failed to set the wireguard address',
    );
    if (!this.linkExists(bridge))
      check(inNs(ns, 'ip', ['link', 'add', bridge, 'type', 'bridge']), 'failed to create the network bridge');
    check(
      inNs(ns, 'ip', ['address', 'replace', `${gatewayIp(nr.iprange)}/24`, 'dev', bridge]),
      'failed to set the gateway address',
    );
    check(inNs(ns, 'ip', ['link', 'set', bridge, 'up']), 'failed to bring the bridge up');
    check(
      inNs(ns, 'ip', ['route', 'replace', w.content.iprange, 'dev', iface]),
      'failed to route the network',
    );
    await this.awaitPeers(iface, nr);
    this.state.applied[network] = {
      reservationId: w.reservation_id,
      workloadId: w.workload_id,
      iface,
      bridge,
      port: nr.wireguard_listen_port,
      iprange: nr.iprange,
      reported: false,
    };
    this.save();
  }

  /**
   * A result means the network works from this node: wait (a bounded time) for a handshake with every peer
   * that has an endpoint, poking each with a ping. This matters most for a node behind NAT: nobody can reach
   * it until its first handshake tells its relay where it is. A peer whose node is not configured yet is
   * given up on after the bound; WireGuard keeps retrying on its own.
   */
  private async awaitPeers(iface: string, nr: ExplorerNetworkResource): Promise<void> {
    const targets = nr.peers
      .filter((p) => p.endpoint)
      .map((p) => ({ key: p.public_key, probe: probeAddress(p.allowed_iprange) }));
    const end = Date.now() + PEER_WAIT_MS;
    for (;;) {
      const shaken = new Set(
        inNs(this.o.namespace, 'wg', ['show', iface, 'latest-handshakes'])
          .stdout.split('\n')
          .map((l) => l.split('\t'))
          .filter(([, t]) => Number(t) > 0)
          .map(([k]) => k),
      );
      const missing = targets.filter((t) => !shaken.has(t.key));
      if (!missing.length) return;
      if (Date.now() > end)
        return this.log(`${iface}: no handshake yet with ${missing.length} peer(s); reporting anyway`);
      for (const t of missing)
        if (t.probe)
          spawn('ip', ['netns', 'exec', this.o.namespace, 'ping', '-c', '1', '-W', '1', '-n', t.probe], {
            stdio: 'ignore',
          }).unref();
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  private teardown(network: string): void {
    const a = this.state.applied[network];
    if (!a) return;
    inNs(this.o.namespace, 'ip', ['link', 'del', a.iface]);
    inNs(this.o.namespace, 'ip', ['link', 'del', a.bridge]);
    delete this.state.applied[network];
    this.save();
    this.log(`network ${network} torn down`);
  }

  private linkExists(name: string): boolean {
    return inNs(this.o.namespace, 'ip', ['link', 'show', 'dev', name]).ok;
  }

  private save(): void {
    writePrivateFile(this.statePath, JSON.stringify(this.state), { durable: false });
  }
}
