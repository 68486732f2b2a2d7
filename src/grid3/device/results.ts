/** What the device's grid actions answer: what the CLI prints (as JSON too), never a private key. */

export interface GridNodeRow {
  nodeId: number;
  farmId: number;
  twinId: number;
  status: string;
  ipv4: string | null;
  ipv6: string | null;
  features: string[];
}

export interface DeviceNetwork {
  name: string;
  ipRange: string;
  nodes: Array<{
    nodeId: number;
    subnet: string;
    contractId: number;
    contractState: string;
    endpoint: string | null;
    state: string;
    message?: string;
  }>;
  accesses: Array<{
    nodeId: number;
    subnet: string;
    publicKey: string;
    mine: boolean;
    /** This device's tunnel of it (mine only). */
    tunnel: string | null;
    importable: boolean;
  }>;
  warnings: string[];
}

export interface DeviceNetworks {
  networks: DeviceNetwork[];
  warnings: string[];
}

export interface CreatedDeviceNetwork {
  network: string;
  ipRange: string;
  contracts: Array<{ nodeId: number; contractId: number; subnet: string }>;
  access: { nodeId: number; subnet: string; address: string; publicKey: string; endpoint: string };
  tunnel: string;
  warnings: string[];
}

export interface DeviceAccess {
  network: string;
  nodeId: number;
  subnet: string;
  address: string;
  publicKey: string;
  endpoint: string;
  tunnel: string;
  updatedContracts: number[];
  warnings: string[];
}

export interface DisconnectedDeviceAccess {
  network: string;
  removed: Array<{ nodeId: number; subnet: string; updatedContracts: number[] }>;
  removedTunnels: string[];
  warnings: string[];
}

export interface ImportedDeviceAccess {
  network: string;
  nodeId: number;
  subnet: string;
  publicKey: string;
  endpoint: string;
  tunnel: string;
  warnings: string[];
}

export interface DeletedDeviceNetwork {
  network: string;
  cancelledContracts: number[];
  removedTunnels: string[];
  warnings: string[];
}
