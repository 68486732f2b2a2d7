/**
 * The tray as Electron draws it: the pure templates of src/app/tray-template.ts turned into an image, a
 * tooltip and a menu, each redrawn only when what it shows changes. A status arrives about once a second
 * while bytes flow (new counters), and a redraw makes the icon flicker and, on Linux, closes an open menu.
 */
import { join } from 'node:path';
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron';
import {
  startingTemplate,
  trayIconState,
  trayTemplate,
  trayTooltip,
  type TrayItem,
  type TrayTunnel,
} from '../app/tray-template.js';

type Action = NonNullable<TrayItem['action']>;

export class TrayView {
  private readonly tray: Tray;
  private readonly shown = { icon: '', tooltip: '', menu: '' };

  constructor(
    private readonly assets: string,
    private readonly onAction: (a: Action) => void,
    onClick: () => void,
  ) {
    this.tray = new Tray(this.icon((this.shown.icon = 'inactive')));
    this.tray.on('click', onClick); // not delivered on Linux: "Open" is in the menu too
  }

  /** While starting: what the app waits for (in the menu too: GNOME shows no tooltip), Open and Quit. */
  starting(status: string): void {
    this.tray.setToolTip((this.shown.tooltip = `overlay-connect — ${status}`));
    this.menu(startingTemplate(status), true);
  }

  /** `resync`: rebuild the menu even if nothing it shows changed (Electron flipped a checkbox itself). */
  show(
    tunnels: readonly TrayTunnel[],
    options: { startAtLogin?: boolean },
    o: { resync?: boolean } = {},
  ): void {
    const icon = trayIconState(tunnels);
    if (icon !== this.shown.icon) this.tray.setImage(this.icon((this.shown.icon = icon)));
    const tooltip = trayTooltip(tunnels);
    if (tooltip !== this.shown.tooltip) this.tray.setToolTip((this.shown.tooltip = tooltip));
    this.menu(trayTemplate(tunnels, options), o.resync ?? false);
  }

  private menu(template: TrayItem[], always: boolean): void {
    const menu = JSON.stringify(template);
    if (menu === this.shown.menu && !always) return;
    this.shown.menu = menu;
    this.tray.setContextMenu(Menu.buildFromTemplate(this.toMenu(template)));
  }

  private toMenu(items: TrayItem[]): MenuItemConstructorOptions[] {
    return items.map((i) => ({
      label: i.label,
      type: i.type,
      checked: i.checked,
      enabled: i.enabled,
      submenu: i.submenu ? this.toMenu(i.submenu) : undefined,
      click: i.action ? () => this.onAction(i.action!) : undefined,
    }));
  }

  private icon(state: string): Electron.NativeImage {
    const name = process.platform === 'darwin' ? `${state}Template.png` : `${state}.png`;
    const img = nativeImage.createFromPath(join(this.assets, 'tray', name));
    if (process.platform === 'darwin') img.setTemplateImage(true);
    return img;
  }
}
