/** Our deployment rebuilt with grid_client's classes, field by field, as its primitives/network.js does. */
import type { Deployment, Workload } from '../../../src/core/grid3/deployment.js';
import { deploymentFactory, gc, type GcDeployment, type GcWorkload } from './grid-client.js';

function workload(w: Workload): GcWorkload {
  const out = new gc.Workload();
  out.version = w.version;
  out.name = w.name;
  out.type = w.type === 'network' ? gc.WorkloadTypes.network! : gc.WorkloadTypes.zmount!;
  out.metadata = w.metadata;
  out.description = w.description;
  if (w.type === 'network') {
    const znet = new gc.Znet();
    znet.ip_range = w.data.ip_range;
    znet.subnet = w.data.subnet;
    znet.wireguard_private_key = w.data.wireguard_private_key;
    znet.wireguard_listen_port = w.data.wireguard_listen_port;
    znet.peers = w.data.peers.map((p) => {
      const peer = new gc.Peer();
      peer.subnet = p.subnet;
      peer.wireguard_public_key = p.wireguard_public_key;
      peer.allowed_ips = [...p.allowed_ips];
      peer.endpoint = p.endpoint;
      return peer;
    });
    if (w.data.mycelium) {
      const m = new gc.Mycelium();
      m.hex_key = w.data.mycelium.hex_key;
      m.peers = [...w.data.mycelium.peers];
      znet.mycelium = m;
    }
    out.data = znet;
  } else {
    const z = new gc.Zmount();
    z.size = w.data.size;
    out.data = z;
  }
  return out;
}

/** Through grid_client's DeploymentFactory.create when the requirement is the one it writes. */
export function toGridClient(d: Deployment): GcDeployment {
  const r = d.signature_requirement;
  const standard =
    r.weight_required === 1 &&
    r.requests.length === 1 &&
    r.requests[0]!.twin_id === d.twin_id &&
    r.requests[0]!.weight === 1 &&
    !r.requests[0]!.required;
  const workloads = d.workloads.map(workload);
  const out = deploymentFactory(d.twin_id).create(
    workloads,
    d.expiration,
    d.metadata,
    d.description,
    d.version,
  );
  if (!standard) {
    out.signature_requirement.weight_required = r.weight_required;
    out.signature_requirement.requests = r.requests.map((q) => {
      const req = new gc.SignatureRequest();
      req.twin_id = q.twin_id;
      req.required = q.required;
      req.weight = q.weight;
      return req;
    });
  }
  out.contract_id = d.contract_id;
  return out;
}
