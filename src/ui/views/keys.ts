/** The Keys tab: the key store's slots, unlocking it, adding a passphrase slot and removing a slot. */
import type { KeyStoreView } from '../../contract/api.js';
import { $, api, call, loadTunnels, showError } from '../context.js';
import { h } from '../dom.js';
import { store } from '../store.js';
import { askYesNo, focusQuestion } from './ask.js';

async function removeSlot(id: string): Promise<void> {
  const keys = await call(api.removeKeySlot({ id }));
  store.set({ slotToRemove: undefined, ...(keys ? { keys } : {}) });
  if (!keys) focusRemove(id); // refused: the slot is still there, and the focus goes back to its button
}

function focusRemove(id: string): void {
  $('key-slots')
    .querySelector<HTMLElement>(`button[aria-label="${CSS.escape(`Remove slot ${id}`)}"]`)
    ?.focus();
}

function slotActions(k: KeyStoreView, s: KeyStoreView['slots'][number]): HTMLElement | null {
  if (!k.passphraseHere || k.slots.length < 2) return null;
  const back = () => focusRemove(s.id);
  if (store.get().slotToRemove === s.id)
    return askYesNo({
      question: `Remove slot ${s.id} (${s.label})? The keys stay sealed; it just no longer opens them.`,
      yes: 'Yes, remove it',
      no: 'No, keep it',
      onYes: () => void removeSlot(s.id),
      onNo: () => {
        store.set({ slotToRemove: undefined });
        back();
      },
    });
  return h(
    'button',
    {
      type: 'button',
      'aria-label': `Remove slot ${s.id}`,
      onclick: () => {
        store.set({ slotToRemove: s.id });
        focusQuestion($('key-slots').querySelector(`tr[data-slot="${CSS.escape(s.id)}"] .ask`));
      },
    },
    'Remove',
  );
}

function renderKeys(): void {
  const k = store.get().keys;
  if (!k) return;
  $('keyring-warning').hidden = !k.warning;
  $('keyring-warning').textContent = k.warning ?? '';
  $('keys-problem').hidden = !k.problem;
  $('keys-problem').textContent = k.problem ?? '';
  $('keys-state').textContent = k.unlocked
    ? 'Unlocked.'
    : k.slots.length
      ? 'Locked: enter the passphrase of one of its slots.'
      : 'No key store yet: choose a passphrase to protect the keys.';
  $('key-slots')
    .querySelector('tbody')!
    .replaceChildren(
      ...k.slots.map((s) =>
        h(
          'tr',
          { 'data-slot': s.id },
          h('td', { class: 'mono' }, s.id),
          h('td', {}, s.label),
          h('td', { class: 'muted' }, s.createdAt ? new Date(s.createdAt).toLocaleString() : '–'),
          h('td', {}, slotActions(k, s)),
        ),
      ),
    );
  $('unlock').hidden = !k.passphraseHere || k.unlocked;
  $('unlock-go').textContent = k.slots.length ? 'Unlock' : 'Set passphrase';
  $('add-slot').hidden = !k.passphraseHere || !k.unlocked;
  $('keys-cli').hidden = k.passphraseHere;
}

export function mountKeys(): void {
  store.subscribe(renderKeys, ['keys', 'slotToRemove']);
  $('unlock').addEventListener('submit', async (e) => {
    e.preventDefault();
    const input = $<HTMLInputElement>('unlock-passphrase');
    const keys = await call(api.unlockStore({ passphrase: input.value }));
    input.value = ''; // never kept in the page longer than the call
    if (keys) {
      store.set({ keys });
      await loadTunnels();
    }
  });
  $('add-slot').addEventListener('submit', async (e) => {
    e.preventDefault();
    const a = $<HTMLInputElement>('add-slot-passphrase');
    const b = $<HTMLInputElement>('add-slot-repeat');
    if (a.value !== b.value) return showError('The two passphrases differ');
    const keys = await call(api.addPassphraseSlot({ passphrase: a.value }));
    a.value = b.value = '';
    if (keys) store.set({ keys });
  });
}
