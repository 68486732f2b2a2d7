/** The Grid v3 network journeys as a service layer (see context.ts for what they are given). */
export * from './context.js';
export * from './errors.js';
export {
  listNetworks,
  type NetworkListing,
  type NetworkSummary,
  type NetworkNodeSummary,
  type NetworkAccessSummary,
} from './list.js';
export {
  connectDevice,
  disconnectDevice,
  type ConnectOptions,
  type ConnectedDevice,
  type DisconnectedDevice,
} from './connect.js';
export { importAccess, type ImportedAccess } from './import-access.js';
export { createNetwork, type CreateNetworkInput, type CreatedNetwork } from './create.js';
export { deleteNetwork, type DeletedNetwork } from './delete.js';
export { networkContractData, readContractData } from './contract-data.js';
export { chainTwins } from './chain-twins.js';
