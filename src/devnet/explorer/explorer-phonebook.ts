/**
 * The devnet explorer's directory routes: node listing (paged, tfexplorer's `Pages` header), node
 * registration with its signature check (node_id is the base58 of the key, which signs node_id, ifaces and
 * public_config), node uptime reports, and phonebook users with tfexplorer's name and email rules. Apart
 * from the reservation routes: nothing here moves a reservation.
 */
import type { ServerResponse } from 'node:http';
import bs58 from 'bs58';
import { verifyHex } from '../../core/crypto/identity-keys.js';
import { HttpError, obj } from './explorer-http.js';
import type { ExplorerContext } from './explorer-pipeline.js';

export function listNodes(ctx: ExplorerContext, q: URLSearchParams, res: ServerResponse) {
  const size = Math.min(Math.max(Number(q.get('size') ?? 100) || 100, 1), 1000);
  const page = Math.max(Number(q.get('page') ?? 1) || 1, 1);
  const farm = q.has('farm') ? Number(q.get('farm')) : undefined;
  const { rows, total } = ctx.db.nodes(farm, (page - 1) * size, size);
  res.setHeader('Pages', String(Math.max(1, Math.ceil(total / size))));
  return rows;
}

export function registerNode(ctx: ExplorerContext, body: unknown) {
  const n = obj(body);
  const pk = String(n.public_key_hex ?? '');
  if (!/^[0-9a-f]{64}$/.test(pk))
    throw new HttpError(400, 'public_key_hex must be a hex encoded ed25519 key');
  if (n.node_id !== bs58.encode(Buffer.from(pk, 'hex')))
    throw new HttpError(400, 'node_id does not match public_key_hex');
  if (
    !verifyHex(
      pk,
      `${n.node_id}${JSON.stringify(n.ifaces ?? null)}${JSON.stringify(n.public_config ?? null)}`,
      String(n.signature ?? ''),
    )
  ) {
    throw new HttpError(401, 'failed to verify node signature');
  }
  const { signature: _s, ...node } = n;
  ctx.db.upsertNode({
    ...node,
    node_id: n.node_id as string,
    farm_id: Number(n.farm_id ?? 1),
    updated: ctx.now(),
  } as never);
  return { status: 201, body: ctx.db.node(n.node_id as string) };
}

export function nodeUptime(ctx: ExplorerContext, nodeId: string, body: unknown) {
  if (!ctx.db.touchNode(nodeId, ctx.now(), Number(obj(body).uptime ?? 0)))
    throw new HttpError(404, 'node not found');
  return { status: 200, body: {} };
}

export function createUser(ctx: ExplorerContext, body: unknown) {
  const u = obj(body);
  const name = String(u.name ?? '');
  const email = String(u.email ?? '');
  if (name.length < 3) throw new HttpError(400, 'name should be at least 3 character');
  if (name !== name.toLowerCase()) throw new HttpError(400, 'name should be all lower case');
  if (email !== email.toLowerCase()) throw new HttpError(400, 'email should be all lower case');
  if (!/^[0-9a-f]{64}$/.test(String(u.pubkey ?? '')))
    throw new HttpError(400, 'pubkey should be a hex encoded ed25519 public key');
  if (ctx.db.userByName(name) || ctx.db.userByEmail(email))
    throw new HttpError(409, 'user with same name or email exists');
  return {
    status: 201,
    body: ctx.db.addUser({
      name,
      email,
      pubkey: String(u.pubkey),
      host: String(u.host ?? ''),
      description: String(u.description ?? ''),
    }),
  };
}
