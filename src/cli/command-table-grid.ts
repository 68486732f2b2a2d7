/**
 * The `grid …` commands (Grid v3: the live grid, or a `devnet up --grid v3`), as command-table.ts declares
 * the others: each module loads @polkadot and the grid's clients only when its command runs.
 */
import type { Command } from './command.js';

/** `grid login`'s options. --gridproxy/--relay/--chain name a devnet's parts when no `devnet up` state does. */
const GRID_LOGIN_OPTIONS = {
  network: {
    type: 'string',
    value: 'main|test|qa|dev|devnet',
    description: 'the grid (default main); devnet: the local `devnet up --grid v3`',
  },
  'mnemonic-file': {
    type: 'string',
    value: 'FILE|-',
    description:
      'the mnemonic from a file or standard input (default: a hidden prompt; for devnet, its account’s file)',
  },
  'devnet-data': {
    type: 'string',
    value: 'DIR',
    description: 'devnet: the data folder `devnet up --grid v3` ran with (default: this one)',
  },
  gridproxy: { type: 'string', value: 'URL', description: "devnet: its gridproxy's address" },
  relay: { type: 'string', value: 'URL', description: "devnet: its relay's address (ws://)" },
  chain: { type: 'string', value: 'URL', description: "devnet: its chain's address" },
} as const;

/** Off by default: the key then lives only on this device, and the dashboard shows no config for it. */
const SHARE_KEY_OPTION = {
  type: 'boolean',
  description:
    "also write this device's private key into the network's user_accesses (readable by every node of it): the dashboard can then show this access's WireGuard config; without it user_accesses holds the access's node and subnet only (the subnet stays taken) and the dashboard shows no config for it",
} as const;

export const GRID_COMMANDS: Command[] = [
  {
    path: ['grid', 'login'],
    args: [],
    options: GRID_LOGIN_OPTIONS,
    summary:
      'Log in to a Grid v3 network with a TFChain mnemonic (sealed in the key store): a file, - for standard input, or a hidden prompt; never the command line',
    load: async () => (await import('./commands/grid.js')).gridLogin,
  },
  {
    path: ['grid', 'logout'],
    args: [],
    summary: 'Forget the grid login and its sealed mnemonic (access tunnels stay)',
    load: async () => (await import('./commands/grid.js')).gridLogout,
  },
  {
    path: ['grid', 'whoami'],
    args: [],
    summary: 'The grid login: network, account address, twin id (never the mnemonic)',
    load: async () => (await import('./commands/grid.js')).gridWhoami,
  },
  {
    path: ['grid', 'nodes'],
    args: [],
    options: {
      ipv4: { type: 'boolean', description: 'only nodes with a public IPv4' },
      ipv6: { type: 'boolean', description: 'only nodes with a public IPv6' },
      farm: { type: 'string', value: 'ID', description: 'only nodes of this farm' },
    },
    summary: "Nodes that are up, from the login's gridproxy (no login needed: main then)",
    load: async () => (await import('./commands/grid.js')).gridNodes,
  },
  {
    path: ['grid', 'networks'],
    args: [],
    summary:
      'Your v3 networks: ip range, nodes (subnet, contract, endpoint, state) and accesses (this device’s marked, with its tunnel)',
    load: async () => (await import('./commands/grid-networks.js')).gridNetworks,
  },
  {
    path: ['grid', 'create'],
    args: ['NAME'],
    options: {
      subnet: {
        type: 'string',
        value: 'CIDR',
        required: true,
        description: "the network's private /16 (RFC 1918), e.g. 10.20.0.0/16",
      },
      nodes: { type: 'string', value: 'ID,ID,…', required: true, description: 'the nodes (see grid nodes)' },
      access: {
        type: 'string',
        value: 'NODE_ID',
        required: true,
        description: 'the node this device dials: one of --nodes, with a public IPv4 and IPv6',
      },
      'share-key': SHARE_KEY_OPTION,
    },
    summary:
      "Create a v3 network (one node contract per node, in one batch) with this device's access as a tunnel (its key kept only here unless --share-key, as for grid connect)",
    load: async () => (await import('./commands/grid-networks.js')).gridCreate,
  },
  {
    path: ['grid', 'connect'],
    args: ['NAME'],
    options: {
      via: {
        type: 'string',
        value: 'NODE_ID',
        description: 'the access node (default: one already serving accesses)',
      },
      'share-key': SHARE_KEY_OPTION,
    },
    summary:
      "Add this device's own access to a network (a new key, kept sealed only here: the dashboard shows no config for it) and make it a tunnel; prints the tunnel's name. --share-key also writes the key into the network's user_accesses, where every node of it and the dashboard can read it: the dashboard then shows its WireGuard config",
    load: async () => (await import('./commands/grid-networks.js')).gridConnect,
  },
  {
    path: ['grid', 'disconnect'],
    args: ['NAME'],
    summary: "Remove this device's access from a network (the other devices' stay) and its tunnel",
    load: async () => (await import('./commands/grid-networks.js')).gridDisconnect,
  },
  {
    path: ['grid', 'import'],
    args: ['NAME'],
    options: {
      via: { type: 'string', value: 'NODE_ID', description: 'the access on this node (default: the first)' },
    },
    summary: 'Import an access the dashboard made (its key is in user_accesses) as a tunnel',
    load: async () => (await import('./commands/grid-networks.js')).gridImport,
  },
  {
    path: ['grid', 'delete'],
    args: ['NAME'],
    summary: "Delete a v3 network (cancel its contracts) and this device's tunnels of it",
    load: async () => (await import('./commands/grid-networks.js')).gridDelete,
  },
];
