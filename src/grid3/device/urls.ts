/** Where a grid's services are. Light (no grid library): listing nodes needs only gridproxy's address. */
import { UserError } from '../../core/errors.js';
import type { Grid3IdentityRecord } from '../../core/store/schema.js';
import { gridproxyUrl, type GridNetwork } from '../gridproxy.js';

export interface GridUrls {
  gridproxy: string;
  relay: string;
  chain: string;
}

/** The grid's own addresses (grid_client's `getDefaultUrls`; main has no network prefix). */
export function liveUrls(network: GridNetwork): GridUrls {
  const host = (service: string) =>
    network === 'main' ? `${service}.grid.tf` : `${service}.${network}.grid.tf`;
  return {
    gridproxy: gridproxyUrl(network),
    relay: `wss://${host('relay')}`,
    chain: `wss://${host('tfchain')}/ws`,
  };
}

export function urlsOf(id: Pick<Grid3IdentityRecord, 'network' | 'urls'>): GridUrls {
  if (id.network === 'devnet') {
    if (!id.urls)
      throw new UserError('The stored devnet login has no addresses: grid login --network devnet');
    return id.urls;
  }
  return liveUrls(id.network);
}
