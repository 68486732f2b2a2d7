/**
 * Every command the CLI has, as the dispatcher and --help need it: names, arguments, options and
 * summaries. The code of each lives in commands/*.ts and is imported only when that command runs (each
 * module is a chunk of its own in the bundle), with the libraries it needs: a command, or --help, does not
 * load what the others use.
 */
import { defaultSocketPath, HELPER_GROUP } from '../helper/protocol.js';
import type { Command } from './command.js';
import { GRID_COMMANDS } from './command-table-grid.js';

/** The devnet explorer's port on 127.0.0.1 unless --port says otherwise. */
export const DEVNET_PORT = 8731;

const who = {
  name: { type: 'string', value: 'NAME', description: 'phonebook name (lower case, at least 3 characters)' },
  email: { type: 'string', value: 'EMAIL', description: 'phonebook email' },
} as const;

const subnetOpt = {
  subnet: { type: 'string', value: 'CIDR', description: 'the /24 to use (default: the first free one)' },
} as const;

/** Root runs the helper (and the elevated install) with this Node.js: only root may be able to change it. */
const NODE_OPTION = {
  type: 'string',
  value: 'PATH',
  description:
    'the Node.js root runs the helper with, owned by root like every folder above it (default: this one; e.g. /usr/bin/node)',
} as const;

export const COMMANDS: Command[] = [
  {
    path: ['config', 'check'],
    args: ['FILE'],
    summary: 'Check a WireGuard config as wg-quick would read it (exit 0 valid, 1 not)',
    load: async () => (await import('./commands/config.js')).configCheck,
  },

  {
    path: ['tunnel', 'import'],
    args: ['FILE'],
    options: {
      name: {
        type: 'string',
        value: 'NAME',
        description: 'display name (default: the file name without .conf)',
      },
      'allow-scripts': {
        type: 'boolean',
        description: "let wg-quick run this tunnel's PreUp/PostUp/PreDown/PostDown as root",
      },
    },
    summary: 'Import a wg-quick config file; its private key is sealed in the key store',
    load: async () => (await import('./commands/tunnel.js')).tunnelImport,
  },
  {
    path: ['tunnel', 'list'],
    args: [],
    summary: 'List tunnels',
    load: async () => (await import('./commands/tunnel.js')).tunnelList,
  },
  {
    path: ['tunnel', 'show'],
    args: ['NAME'],
    summary: 'Show a tunnel (never its private key)',
    load: async () => (await import('./commands/tunnel.js')).tunnelShow,
  },
  {
    path: ['tunnel', 'export'],
    args: ['NAME'],
    options: {
      output: {
        type: 'string',
        short: 'o',
        value: 'FILE',
        description: 'write to FILE (mode 0600) instead of stdout',
      },
    },
    summary: 'Print or save the full config, private key included',
    load: async () => (await import('./commands/tunnel.js')).tunnelExport,
  },
  {
    path: ['tunnel', 'remove'],
    args: ['NAME'],
    summary: 'Forget a tunnel and its sealed key',
    load: async () => (await import('./commands/tunnel.js')).tunnelRemove,
  },
  {
    path: ['tunnel', 'scripts'],
    args: ['NAME'],
    options: {
      allow: { type: 'boolean', description: 'let wg-quick run its hooks as root (they are listed first)' },
      block: { type: 'boolean', description: 'keep its hooks from running' },
    },
    summary: "Show a tunnel's script hooks, and allow or block them (takes effect at the next up)",
    load: async () => (await import('./commands/tunnel.js')).tunnelScripts,
  },
  {
    path: ['tunnel', 'rename'],
    args: ['NAME', 'NEW_NAME'],
    summary: 'Rename a tunnel (refused while it is up); its key and network access follow',
    load: async () => (await import('./commands/tunnel.js')).tunnelRename,
  },
  {
    path: ['tunnel', 'up'],
    args: ['NAME'],
    summary:
      'Bring a tunnel up with wg-quick: through the helper if installed, else directly as root, else asking for administrator rights',
    load: async () => (await import('./commands/tunnel.js')).tunnelUp,
  },
  {
    path: ['tunnel', 'down'],
    args: ['NAME'],
    summary: 'Take a tunnel down and remove the file wg-quick was given',
    load: async () => (await import('./commands/tunnel.js')).tunnelDown,
  },
  {
    path: ['tunnel', 'status'],
    args: ['NAME?'],
    summary: 'State of the tunnels: down, connecting, up or error, with counters and the last handshake',
    load: async () => (await import('./commands/tunnel.js')).tunnelStatus,
  },

  {
    path: ['keys', 'generate'],
    args: [],
    summary: 'Print a new WireGuard key pair (the same form as wg genkey / wg pubkey)',
    load: async () => (await import('./commands/keys.js')).keysGenerate,
  },
  {
    path: ['keys', 'slots'],
    args: [],
    summary: "List the key store's slots: each opens the same data key (a passphrase, the system keyring)",
    load: async () => (await import('./commands/keys.js')).keysSlots,
  },
  {
    path: ['keys', 'add-slot'],
    args: ['KIND'],
    summary:
      'Add a passphrase slot (asks for the store passphrase, then the new one; or OVERLAY_CONNECT_NEW_PASSPHRASE)',
    load: async () => (await import('./commands/keys.js')).keysAddSlot,
  },
  {
    path: ['keys', 'remove-slot'],
    args: ['ID'],
    summary: 'Remove a slot (after unlocking; never the last one). The sealed keys are not touched',
    load: async () => (await import('./commands/keys.js')).keysRemoveSlot,
  },

  {
    path: ['identity', 'create'],
    args: [],
    options: who,
    summary: "Make an ed25519 identity (sealed in the key store) and register it in the explorer's phonebook",
    load: async () => (await import('./commands/identity.js')).identityCreate,
  },
  {
    path: ['identity', 'import'],
    args: [],
    options: {
      ...who,
      'seed-file': {
        type: 'string',
        value: 'FILE|-',
        required: true,
        description:
          'the 32-byte seed in hex, from a file or standard input (never the command line: ps and shell history show it)',
      },
    },
    summary: 'Use an existing identity from its 32-byte seed in hex, read from a file or standard input',
    load: async () => (await import('./commands/identity.js')).identityImport,
  },
  {
    path: ['identity', 'show'],
    args: [],
    summary: 'Show the identity (never its seed)',
    load: async () => (await import('./commands/identity.js')).identityShow,
  },

  ...GRID_COMMANDS,

  {
    path: ['nodes', 'search'],
    args: [],
    options: {
      farm: { type: 'string', value: 'ID', description: 'only nodes of this farm' },
      ipv4: { type: 'boolean', description: 'only nodes with a public IPv4' },
      ipv6: { type: 'boolean', description: 'only nodes with a public IPv6' },
      up: { type: 'boolean', description: 'only nodes seen in the last 10 minutes' },
    },
    summary: 'Find 0-OS nodes on the explorer',
    load: async () => (await import('./commands/nodes.js')).nodesSearch,
  },

  {
    path: ['network', 'create'],
    args: ['NAME'],
    options: {
      subnet: {
        type: 'string',
        value: 'CIDR',
        required: true,
        description: "the network's private /16 (RFC 1918), e.g. 10.20.0.0/16",
      },
    },
    summary: 'Define an overlay network: a name and a private /16',
    load: async () => (await import('./commands/network.js')).networkCreate,
  },
  {
    path: ['network', 'add-node'],
    args: ['NAME', 'NODE_ID'],
    options: subnetOpt,
    summary: 'Add a node (it gets a /24, a key pair sealed to it and a listen port)',
    load: async () => (await import('./commands/network.js')).networkAddNode,
  },
  {
    path: ['network', 'add-access'],
    args: ['NAME', 'NODE_ID'],
    options: {
      ...subnetOpt,
      ipv4: { type: 'boolean', description: 'reach the entrypoint over IPv4 (default when it has one)' },
      ipv6: { type: 'boolean', description: 'reach the entrypoint over IPv6' },
    },
    summary: 'Add external access for this machine through an entrypoint node; creates a tunnel',
    load: async () => (await import('./commands/network.js')).networkAddAccess,
  },
  {
    path: ['network', 'show'],
    args: ['NAME'],
    summary: "Show a network: nodes, subnets, ports, endpoint kinds, keys and each node's peers",
    load: async () => (await import('./commands/network.js')).networkShow,
  },
  {
    path: ['network', 'list'],
    args: [],
    summary: 'List networks',
    load: async () => (await import('./commands/network.js')).networkList,
  },
  {
    path: ['network', 'register'],
    args: ['NAME'],
    options: {
      expires: {
        type: 'string',
        value: 'DURATION',
        description: 'how long the reservation lasts: 30d, 12h… (default 1 year, at least 1h)',
      },
    },
    summary: 'Register the network as a signed reservation on the explorer',
    load: async () => (await import('./commands/network.js')).networkRegister,
  },
  {
    path: ['network', 'status'],
    args: ['NAME'],
    options: {
      wait: {
        type: 'string',
        value: 'SECONDS',
        description: 'wait until every node reports ok (exit 1 on an error or at the timeout)',
      },
    },
    summary: 'Provisioning result per node',
    load: async () => (await import('./commands/network.js')).networkStatus,
  },
  {
    path: ['network', 'delete'],
    args: ['NAME'],
    summary: "Sign the deletion of the network's reservations and forget it and its access tunnels",
    load: async () => (await import('./commands/network.js')).networkDelete,
  },
  {
    path: ['network', 'check'],
    args: ['NAME'],
    summary: "Ping every node's gateway and WireGuard address through the tunnel (with --netns, from there)",
    load: async () => (await import('./commands/network.js')).networkCheck,
  },

  {
    path: ['devnet', 'up'],
    args: [],
    options: {
      topology: {
        type: 'string',
        value: 'FILE',
        description: 'nodes as JSON: {"nodes": [{"name": "n1", "kind": "public|ipv6-only|hidden"}]}',
      },
      port: {
        type: 'string',
        value: 'N',
        description: `explorer port on 127.0.0.1 (default ${DEVNET_PORT}); v3: gridproxy's, the relay and chain take N+1, N+2 (default: free ports, kept)`,
      },
      grid: {
        type: 'string',
        value: 'v2|v3',
        description:
          'v3: a local Grid v3 instead (chain, gridproxy, relay, node agents, each its own process; a funded, verified twin for you)',
      },
    },
    summary:
      'Start a local grid (root): an explorer, 0-OS-like nodes in namespaces with real WireGuard, a laptop namespace',
    load: async () => (await import('./commands/devnet.js')).devnetUp,
  },
  {
    path: ['devnet', 'status'],
    args: [],
    summary: "The devnet's explorer (v3: gridproxy, relay, chain, your twin), laptop namespace and nodes",
    load: async () => (await import('./commands/devnet.js')).devnetStatus,
  },
  {
    path: ['devnet', 'down'],
    args: [],
    options: {
      purge: {
        type: 'boolean',
        description: "also forget the devnet's data (explorer database, node identities)",
      },
    },
    summary: 'Stop the devnet and remove every namespace, interface, process and rule it created',
    load: async () => (await import('./commands/devnet.js')).devnetDown,
  },
  {
    path: ['devnet', 'serve-explorer'],
    args: [],
    hidden: true,
    options: {
      db: { type: 'string', value: 'FILE', description: 'SQLite file' },
      port: { type: 'string', value: 'N', description: 'port' },
    },
    summary: 'Run the devnet explorer in the foreground',
    load: async () => (await import('./commands/devnet.js')).devnetServeExplorer,
  },
  {
    path: ['devnet', 'agent'],
    args: [],
    hidden: true,
    options: {
      node: { type: 'string', value: 'NAME', description: 'node name' },
      'devnet-dir': { type: 'string', value: 'DIR', description: 'devnet folder' },
    },
    summary: 'Run one devnet node agent in the foreground',
    load: async () => (await import('./commands/devnet.js')).devnetAgent,
  },
  {
    path: ['devnet', 'serve'],
    args: ['PART', 'NAME?'],
    hidden: true,
    options: {
      'devnet-dir': { type: 'string', value: 'DIR', description: 'v3 devnet folder' },
    },
    summary: 'Run one part of the v3 devnet in the foreground: chain, gridproxy, relay, or agent NAME',
    load: async () => (await import('./commands/devnet.js')).devnetServe,
  },

  {
    path: ['ui'],
    args: [],
    options: {
      port: { type: 'string', value: 'N', description: 'port on 127.0.0.1 (default: any free one)' },
      open: {
        type: 'boolean',
        description:
          'open a browser on it, through a file only you can read (the token stays off command lines)',
      },
    },
    summary:
      'Serve the desktop window in a browser, on 127.0.0.1 only, behind a random token (headless machines)',
    load: async () => (await import('./commands/ui.js')).ui,
  },

  {
    path: ['helper', 'run'],
    args: [],
    options: {
      socket: {
        type: 'string',
        value: 'PATH',
        description: `the socket to listen on (default ${defaultSocketPath()})`,
      },
      group: {
        type: 'string',
        value: 'NAME',
        description: `the group whose members may use it (default ${HELPER_GROUP}); every member can bring tunnels up as root, so give it a group of its own, never a shared one such as a primary group others share`,
      },
      'run-dir': {
        type: 'string',
        value: 'DIR',
        description: 'root-owned folder for the files wg-quick reads (default: tunnels/ beside the socket)',
      },
      policy: {
        type: 'string',
        value: 'FILE',
        description: 'the root-owned policy file (default /etc/overlay-connect/helper.json)',
      },
    },
    summary:
      'Run the privileged helper in the foreground (root; where there is no systemd). --netns puts every tunnel in that namespace',
    load: async () => (await import('./commands/helper.js')).helperRun,
  },
  {
    path: ['helper', 'status'],
    args: [],
    summary: 'Whether the helper is installed and reachable, and what to do next',
    load: async () => (await import('./commands/helper.js')).helperStatus,
  },
  {
    path: ['helper', 'install'],
    args: [],
    summary:
      'Install the helper (asks for administrator rights once): the group, your membership, a systemd or launchd service',
    options: {
      user: { type: 'string', value: 'NAME', description: 'as root: the user to add to the group' },
      node: NODE_OPTION,
    },
    load: async () => (await import('./commands/helper.js')).helperInstall,
  },
  {
    path: ['helper', 'uninstall'],
    args: [],
    summary:
      "Remove the helper's service and group (asks for administrator rights once); tunnels that are up stay up",
    options: { node: NODE_OPTION },
    load: async () => (await import('./commands/helper.js')).helperUninstall,
  },
];
