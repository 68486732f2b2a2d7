import { describe, expect, it } from 'vitest';
import {
  notificationFor,
  trayIconState,
  trayTemplate,
  trayTooltip,
  TRAY_INLINE_MAX,
  type TrayTunnel,
} from '../../src/app/tray-template.js';
import { DEFAULT_SIZE, restoreBounds } from '../../src/app/window-state.js';

const t = (name: string, state: TrayTunnel['state'] = 'down'): TrayTunnel => ({ name, state });

describe('tray template (state → items)', () => {
  it('one checkable item per tunnel, then Open, Import config…, Quit', () => {
    expect(trayTemplate([t('office', 'up'), t('home')])).toEqual([
      { label: 'home', type: 'checkbox', checked: false, action: { kind: 'toggle', tunnel: 'home' } },
      { label: 'office', type: 'checkbox', checked: true, action: { kind: 'toggle', tunnel: 'office' } },
      { type: 'separator' },
      { label: 'Open', action: { kind: 'open' } },
      { label: 'Import config…', action: { kind: 'import' } },
      { type: 'separator' },
      { label: 'Quit', action: { kind: 'quit' } },
    ]);
  });

  it('offers start at login where the host can set it, never connecting anything by itself', () => {
    const items = trayTemplate([t('a')], { startAtLogin: false });
    expect(items.at(-2)).toEqual({
      label: 'Start at login',
      type: 'checkbox',
      checked: false,
      action: { kind: 'login', enable: true },
    });
    expect(trayTemplate([t('a')], { startAtLogin: true }).at(-2)).toMatchObject({
      checked: true,
      action: { kind: 'login', enable: false },
    });
    expect(trayTemplate([t('a')]).some((i) => i.label === 'Start at login')).toBe(false);
  });

  it('says connecting and error in the label', () => {
    const [a, b] = trayTemplate([t('a', 'connecting'), t('b', 'error')]);
    expect(a).toMatchObject({ label: 'a (connecting…)', checked: true });
    expect(b).toMatchObject({ label: 'b (error)', checked: false });
  });

  it('moves tunnels into a submenu past 10, keeping the active ones at hand', () => {
    const many = Array.from({ length: 14 }, (_, i) =>
      t(`t${String(i).padStart(2, '0')}`, i === 3 ? 'up' : 'down'),
    );
    const items = trayTemplate(many);
    expect(items[0]).toMatchObject({ label: 't03', checked: true });
    const sub = items.find((i) => i.type === 'submenu')!;
    expect(sub.label).toBe('All tunnels (14)');
    expect(sub.submenu).toHaveLength(14);
    expect(trayTemplate(many.slice(0, TRAY_INLINE_MAX)).some((i) => i.type === 'submenu')).toBe(false);
  });

  it('has a disabled line when there is nothing', () => {
    expect(trayTemplate([])[0]).toEqual({ label: 'No tunnels yet', enabled: false });
  });

  it('picks the icon and tooltip from state', () => {
    expect(trayIconState([])).toBe('inactive');
    expect(trayIconState([t('a', 'up'), t('b')])).toBe('active');
    expect(trayIconState([t('a', 'up'), t('b', 'connecting')])).toBe('connecting');
    expect(trayIconState([t('a', 'up'), t('b', 'error')])).toBe('error');
    expect(trayTooltip([t('a', 'up'), t('b', 'error')])).toBe('overlay-connect — connected: a; error: b');
    expect(trayTooltip([])).toBe('overlay-connect — not connected');
  });

  it('notifies on connect, disconnect and error only', () => {
    expect(notificationFor('connecting', { name: 'a', state: 'up' })?.title).toBe('a connected');
    expect(notificationFor('up', { name: 'a', state: 'down' })?.title).toBe('a disconnected');
    expect(notificationFor('connecting', { name: 'a', state: 'error', error: 'boom' })).toEqual({
      title: 'a: error',
      body: 'boom',
    });
    expect(notificationFor(undefined, { name: 'a', state: 'up' })).toBeUndefined(); // adopted at start: no noise
    expect(notificationFor('up', { name: 'a', state: 'up' })).toBeUndefined();
  });
});

describe('window bounds', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  it('restores bounds that are on a screen', () => {
    expect(restoreBounds({ x: 100, y: 100, width: 900, height: 600 }, screen)).toEqual({
      x: 100,
      y: 100,
      width: 900,
      height: 600,
    });
  });
  it('drops a position on a display that is gone, keeps the size, enforces a minimum', () => {
    expect(restoreBounds({ x: 3000, y: 100, width: 900, height: 600 }, screen)).toEqual({
      width: 900,
      height: 600,
    });
    expect(restoreBounds({ x: 10, y: 10, width: 50, height: 50 }, screen)).toEqual({
      x: 10,
      y: 10,
      width: 640,
      height: 420,
    });
  });
  it('falls back to the default size for nothing or garbage', () => {
    expect(restoreBounds(undefined, screen)).toBe(DEFAULT_SIZE);
    expect(restoreBounds({ x: NaN } as never, screen)).toBe(DEFAULT_SIZE);
  });
});
