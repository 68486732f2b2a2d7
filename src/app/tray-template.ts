/**
 * What the tray shows, as pure functions of state (Signal's menu template and Mullvad's connect helpers
 * work the same way): the Electron host turns the result into a Menu and rebuilds it when state changes.
 */
import type { TunnelState } from '../contract/api.js';

export interface TrayTunnel {
  name: string;
  state: TunnelState;
}

export type TrayIconState = 'inactive' | 'connecting' | 'active' | 'error';

/** A menu item description; `action` names the intent the host carries out on click. */
export interface TrayItem {
  label?: string;
  type?: 'normal' | 'checkbox' | 'separator' | 'submenu';
  checked?: boolean;
  enabled?: boolean;
  action?:
    | { kind: 'toggle'; tunnel: string }
    | { kind: 'open' }
    | { kind: 'import' }
    | { kind: 'login'; enable: boolean }
    | { kind: 'quit' };
  submenu?: TrayItem[];
}

/** More tunnels than this go into a submenu, so the menu stays a menu. */
export const TRAY_INLINE_MAX = 10;

export function trayIconState(tunnels: readonly TrayTunnel[]): TrayIconState {
  if (tunnels.some((t) => t.state === 'error')) return 'error';
  if (tunnels.some((t) => t.state === 'connecting')) return 'connecting';
  if (tunnels.some((t) => t.state === 'up')) return 'active';
  return 'inactive';
}

export function trayTooltip(tunnels: readonly TrayTunnel[]): string {
  const up = tunnels.filter((t) => t.state === 'up').map((t) => t.name);
  const busy = tunnels.filter((t) => t.state === 'connecting').map((t) => t.name);
  const failed = tunnels.filter((t) => t.state === 'error').map((t) => t.name);
  const parts = [up.length ? `connected: ${up.join(', ')}` : 'not connected'];
  if (busy.length) parts.push(`connecting: ${busy.join(', ')}`);
  if (failed.length) parts.push(`error: ${failed.join(', ')}`);
  return `overlay-connect — ${parts.join('; ')}`;
}

function tunnelItem(t: TrayTunnel): TrayItem {
  const suffix = t.state === 'connecting' ? ' (connecting…)' : t.state === 'error' ? ' (error)' : '';
  // Checked = up or on its way up; clicking it is the intent to flip that.
  return {
    label: `${t.name}${suffix}`,
    type: 'checkbox',
    checked: t.state === 'up' || t.state === 'connecting',
    action: { kind: 'toggle', tunnel: t.name },
  };
}

/** `startAtLogin` is given where the host can set it (the desktop app), and adds its checkbox. */
export function trayTemplate(
  tunnels: readonly TrayTunnel[],
  options: { startAtLogin?: boolean } = {},
): TrayItem[] {
  const sorted = [...tunnels].sort((a, b) => a.name.localeCompare(b.name));
  const items: TrayItem[] = [];
  if (!sorted.length) items.push({ label: 'No tunnels yet', enabled: false });
  else if (sorted.length <= TRAY_INLINE_MAX) items.push(...sorted.map(tunnelItem));
  else {
    const active = sorted.filter((t) => t.state !== 'down');
    items.push(...active.slice(0, TRAY_INLINE_MAX).map(tunnelItem));
    items.push({ label: `All tunnels (${sorted.length})`, type: 'submenu', submenu: sorted.map(tunnelItem) });
  }
  items.push(
    { type: 'separator' },
    { label: 'Open', action: { kind: 'open' } },
    { label: 'Import config…', action: { kind: 'import' } },
    { type: 'separator' },
  );
  if (options.startAtLogin !== undefined) {
    items.push({
      label: 'Start at login',
      type: 'checkbox',
      checked: options.startAtLogin,
      action: { kind: 'login', enable: !options.startAtLogin },
    });
  }
  items.push({ label: 'Quit', action: { kind: 'quit' } });
  return items;
}

/** Notification text for a state change, or undefined when it is not worth one. */
export function notificationFor(
  before: TunnelState | undefined,
  after: TrayTunnel & { error?: string | null },
): { title: string; body: string } | undefined {
  if (before === after.state) return undefined;
  if (after.state === 'up' && before !== undefined)
    return { title: `${after.name} connected`, body: 'The tunnel is up.' };
  if (after.state === 'down' && (before === 'up' || before === 'connecting'))
    return { title: `${after.name} disconnected`, body: 'The tunnel is down.' };
  if (after.state === 'error')
    return { title: `${after.name}: error`, body: after.error ?? 'The tunnel failed.' };
  return undefined;
}

/** The menu while the app starts (the helper probed, the keys unlocked: a keyring may be asking for its
 * password): what it is waiting for, a way to the window, and Quit. */
export function startingTemplate(status: string): TrayItem[] {
  return [
    { label: status, enabled: false },
    { type: 'separator' },
    { label: 'Open', action: { kind: 'open' } },
    { type: 'separator' },
    { label: 'Quit', action: { kind: 'quit' } },
  ];
}
