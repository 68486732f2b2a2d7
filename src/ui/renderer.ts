/**
 * The window: renders the state it is given and sends intents through the contract, nothing else.
 * Each tab's view lives in views/ and renders from the one store (store.ts); this file mounts them,
 * switches tabs and feeds the services' live events into the store.
 */
import { $, api, loadKeys, loadLog, loadTunnels } from './context.js';
import { store } from './store.js';
import { mountCreateNetwork } from './views/create-network.js';
import { gridLog, loadGrid } from './views/grid.js';
import { mountGridCreate } from './views/grid-create.js';
import { mountImport } from './views/import.js';
import { mountKeys } from './views/keys.js';
import { loadNetworks } from './views/networks.js';
import { mountTunnelDetail } from './views/tunnel-detail.js';
import { mountTunnels } from './views/tunnels.js';

mountTunnels();
mountTunnelDetail();
mountImport();
mountCreateNetwork();
mountKeys();
mountGridCreate();

// --- tabs -------------------------------------------------------------------------------------------
const tabs = () => document.querySelectorAll<HTMLButtonElement>('nav [data-tab]');
for (const b of tabs()) {
  b.addEventListener('click', () => {
    for (const o of tabs()) {
      o.setAttribute('aria-pressed', String(o === b));
      $(`tab-${o.dataset.tab}`).hidden = o !== b;
    }
    if (b.dataset.tab === 'networks') void loadNetworks();
    if (b.dataset.tab === 'grid') void loadGrid();
    if (b.dataset.tab === 'keys') void loadKeys();
  });
}
function showTab(tab: string): void {
  document.querySelector<HTMLButtonElement>(`nav [data-tab="${tab}"]`)!.click();
}

// --- live state -------------------------------------------------------------------------------------
api.onEvent((e) => {
  if (e.type === 'tunnel') {
    store.set({ tunnels: new Map(store.get().tunnels).set(e.tunnel.name, e.tunnel) });
    void loadLog();
  } else if (e.type === 'changed' && e.what === 'tunnels') void loadTunnels();
  else if (e.type === 'changed' && e.what === 'networks' && !$('tab-networks').hidden) void loadNetworks();
  else if (e.type === 'grid-progress') gridLog(e.message);
});
void loadTunnels();
// A store that waits for its passphrase (or has no safe keyring) is the first thing to show.
void loadKeys().then(() => {
  const k = store.get().keys;
  if (k && k.passphraseHere && !k.unlocked) showTab('keys');
});
