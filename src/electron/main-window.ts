/**
 * The one window: sandboxed, isolated, its page over the app's scheme; closing hides it to the tray (Quit
 * is in the tray menu) unless the app is quitting; its normal-state bounds are kept for the next one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BrowserWindow, dialog, screen } from 'electron';
import { restoreBounds, type Rect } from '../app/window-state.js';
import { writePrivateFile } from '../core/store/private-files.js';
import type { AppFiles } from './app-files.js';
import { RENDERER_URL } from './app-protocol.js';

export class MainWindow {
  private window: BrowserWindow | undefined;

  constructor(
    private readonly files: AppFiles,
    private readonly userData: () => string,
    private readonly quitting: () => boolean,
  ) {}

  /** The window now, if one exists (hidden or not). */
  get current(): BrowserWindow | undefined {
    return this.window;
  }

  show(): void {
    if (this.window) {
      if (this.window.isMinimized()) this.window.restore();
      this.window.show();
      this.window.focus();
      return;
    }
    const bounds = restoreBounds(
      this.readBounds(),
      screen.getAllDisplays().map((d) => d.workArea),
    );
    const win = (this.window = new BrowserWindow({
      ...bounds,
      show: false,
      title: 'overlay-connect',
      icon: join(this.files.assets, 'icon.png'),
      webPreferences: {
        preload: this.files.preload,
        sandbox: true,
        contextIsolation: true,
        nodeIntegration: false,
        webSecurity: true,
        spellcheck: false,
      },
    }));
    win.once('ready-to-show', () => win.show());
    win.on('close', (e) => {
      // The normal-state bounds: those of a minimized or maximized window are not where it should reopen.
      // Kept either way: quitting closes the window too.
      this.saveBounds(win.getNormalBounds());
      if (this.quitting()) return;
      e.preventDefault();
      win.hide();
    });
    win.on('closed', () => (this.window = undefined));
    // A page that does not load leaves an empty window: say why rather than reject unheard.
    win
      .loadURL(RENDERER_URL)
      .catch((e: Error) => dialog.showErrorBox('overlay-connect cannot show its window', e.message));
  }

  private boundsFile(): string {
    return join(this.userData(), 'window.json');
  }
  private readBounds(): Partial<Rect> | undefined {
    try {
      return JSON.parse(readFileSync(this.boundsFile(), 'utf8')) as Partial<Rect>;
    } catch {
      return undefined;
    }
  }
  private saveBounds(r: Rect): void {
    try {
      writePrivateFile(this.boundsFile(), JSON.stringify(r), { durable: false });
    } catch {
      // Only a convenience: a window that cannot remember where it was still closes (or quits).
    }
  }
}
