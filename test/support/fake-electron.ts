/**
 * A stand-in for the `electron` module (a vitest alias), so that the real src/electron/main.ts runs under
 * plain Node. It models what the host relies on, with Electron's documented semantics:
 * - Platform profiles: `reset({ platform })` makes `process.platform` that platform (for the host and all
 *   it imports) until a reset without one; the rules below follow it.
 * - app: `whenReady`; `quit()` emits `before-quit` (preventable), then `close` on every window (a prevented
 *   close cancels the quit), then `will-quit` (preventable), then `quit`; `requestSingleInstanceLock` and
 *   `second-instance` (at any moment, also while the first instance is starting); `activate` on macOS
 *   only; `setAppUserModelId` on Windows only; login items exist on macOS and Windows only (Linux has no
 *   such API). Windows: an item is the executable (`path`, default `process.execPath`) and its `args`, and
 *   `getLoginItemSettings` says `openAtLogin` only when asked with that same path and args (electron.d.ts:
 *   "you need to pass the same arguments here"); `path` and `args` are Windows-only. macOS: `args` are
 *   ignored (the app starts with none), and `wasOpenedAtLogin` (macOS only; undefined elsewhere) is true
 *   when this run was started at login (`reset({ openedAtLogin })`).
 * - BrowserWindow: show/hide/focus/close with `close` (preventable) then `closed`; bounds (also normal
 *   bounds); `loadURL`; `webContents.send`, navigation and window-open handlers; the menu bar drawn in the
 *   window on Windows and Linux unless `Menu.setApplicationMenu(null)` (or hidden until Alt with
 *   `autoHideMenuBar`), never on macOS.
 * - Tray and Menu: the last template given is kept, so a test can click an item; a click flips a
 *   checkbox's `checked` before `click` runs, as Electron does; every set* call on the tray is counted.
 * - ipcMain: one handler per channel (a second `handle` throws); invoking a channel with no handler rejects.
 * - safeStorage (with a selectable backend): on Linux `basic_text` is unavailable (nothing encrypts or
 *   decrypts) until `setUsePlainTextEncryption(true)`.
 * - dialog: answers scripted by the test; Notification (on Windows under the app user model id set when
 *   shown; its `icon` recorded as a NativeImage or the path given), protocol, session, screen, shell.
 * - nativeImage: `createFromPath` of a missing or unreadable file gives an empty image (`isEmpty()`), as
 *   Electron does: nothing throws, the icon is just not there.
 * - Timing, as Electron enforces it: `enableSandbox` and `protocol.registerSchemesAsPrivileged` throw once
 *   the app is ready; BrowserWindow, Tray, Notification, screen, `protocol.handle` and
 *   `session.defaultSession` throw before it; safeStorage encrypts nothing before it.
 * - Platform profiles: APIs Electron has on one platform only are absent elsewhere (`app.dock` macOS,
 *   `setAppUserModelId` Windows, `getSelectedStorageBackend` Linux); `desktop: 'gnome'` is GNOME Shell with
 *   the AppIndicator extension: tray clicks are never delivered and tooltips are not shown.
 * - `loadURL` fetches the page as Electron would: through the scheme's registered protocol handler (a
 *   file:// URL from the file), and fails unless it answers 200 with text/html. Then the window's preload
 *   runs as a sandboxed preload does: a CommonJS script whose `require` offers only `electron`
 *   (contextBridge, ipcRenderer), `events`, `timers` and `url`, no Node built-ins; what it exposes through
 *   contextBridge is the page's API (`window.exposed`), and its `invoke` reaches ipcMain as this window.
 * - What Electron does not throw for but which breaks the real app is a *problem* (`fake.state.problems`):
 *   a page that does not load, a preload that is missing or throws, an empty image given to a tray, a
 *   window icon that is not a file. `until` fails at once on a problem, and the host tests check none.
 * Tests drive it through `fake`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { EventEmitter as NodeEmitter } from 'node:events';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
type Listener = (...args: never[]) => unknown;

class Emitter {
  private readonly listeners = new Map<string, Listener[]>();
  on(event: string, l: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), l]);
    return this;
  }
  once(event: string, l: Listener): this {
    const wrapped = ((...args: never[]) => {
      this.off(event, wrapped);
      return l(...args);
    }) as Listener;
    return this.on(event, wrapped);
  }
  off(event: string, l: Listener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((x) => x !== l),
    );
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (...a: unknown[]) => unknown)(...args);
  }
  listenerCount(event: string): number {
    return (this.listeners.get(event) ?? []).length;
  }
}

export class FakeEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export interface MenuItem {
  label?: string;
  type?: string;
  checked?: boolean;
  enabled?: boolean;
  submenu?: MenuItem[];
  click?: () => void;
}

function freshState() {
  return {
    platform: process.platform as NodeJS.Platform,
    userData: '',
    singleInstance: true,
    readyResolve: undefined as undefined | (() => void),
    ready: undefined as undefined | Promise<void>,
    quitted: false,
    exitCode: undefined as number | undefined,
    /** The registered login item (Windows: its path and args; macOS: args are dropped). */
    loginItem: { openAtLogin: false, path: '', args: [] as string[] },
    /** macOS: this run was started at login (`wasOpenedAtLogin`). */
    openedAtLogin: false,
    messageBoxes: [] as Array<{ message?: string; detail?: string; buttons?: string[] }>,
    messageBoxAnswers: [] as number[],
    errorBoxes: [] as Array<[string, string]>,
    openDialogAnswers: [] as string[][],
    notifications: [] as Array<{
      title?: string;
      body?: string;
      appUserModelId?: string;
      icon?: FakeNativeImage | string;
    }>,
    windows: [] as FakeBrowserWindow[],
    trays: [] as FakeTray[],
    handlers: new Map<string, (event: unknown, arg: unknown) => unknown>(),
    protocols: new Map<string, (req: Request) => Response | Promise<Response>>(),
    privilegedSchemes: [] as unknown[],
    backend: 'gnome_libsecret',
    opened: [] as string[],
    /** `undefined`: never set, so Electron's default menu (File, Edit, View, Window) is in place. */
    applicationMenu: undefined as undefined | null | { items: MenuItem[] },
    appUserModelId: undefined as string | undefined,
    /** safeStorage.setUsePlainTextEncryption(true) was called (Linux). */
    plainTextEncryption: false,
    /** `ready` was emitted. */
    isReady: false,
    /** 'gnome': GNOME Shell (with the AppIndicator extension): no tray clicks, no tooltips. */
    desktop: 'other' as 'gnome' | 'other',
    /** What would break the real app without Electron throwing (see the header). */
    problems: [] as string[],
    /** Answers for showSaveDialog: a path, or null for a cancelled dialog. */
    saveDialogAnswers: [] as Array<string | null>,
    saveDialogs: 0,
    /** While set, the keyring's decrypt waits for it (a keyring prompt the user has not answered). */
    keyringPrompt: undefined as undefined | Promise<void>,
  };
}

/** The platform this test process really runs on: a platform profile stands in for it in `process.platform`
 * (the host and everything it imports read that) until the next reset without one. */
const realPlatform: NodeJS.Platform = ((
  globalThis as { __fakeRealPlatform?: NodeJS.Platform }
).__fakeRealPlatform ??= process.platform);
function setPlatform(platform: NodeJS.Platform): void {
  Object.defineProperty(process, 'platform', { value: platform, configurable: true, enumerable: true });
}

export const fake = {
  state: freshState(),
  app: undefined as unknown as FakeApp,
  reset(options: {
    userData: string;
    platform?: NodeJS.Platform;
    backend?: string;
    singleInstance?: boolean;
    openedAtLogin?: boolean;
    desktop?: 'gnome' | 'other';
  }): void {
    setPlatform(options.platform ?? realPlatform);
    this.state = {
      ...freshState(),
      userData: options.userData,
      platform: options.platform ?? realPlatform,
      backend: options.backend ?? 'gnome_libsecret',
      singleInstance: options.singleInstance ?? true,
      openedAtLogin: options.openedAtLogin ?? false,
      desktop: options.desktop ?? 'other',
    };
    this.state.ready = new Promise((r) => (this.state.readyResolve = r));
    app.reset();
    platformApis(this.state.platform);
    (globalThis as { __ocFake?: unknown }).__ocFake = this;
    FakeBrowserWindow.nextId = 1;
  },
  /** Records what breaks the real app but does not throw in Electron. */
  problem(what: string): void {
    this.state.problems.push(what);
  },
  /** Back to the real platform (call after a test that booted with a platform profile). */
  restorePlatform(): void {
    setPlatform(realPlatform);
    this.state.platform = realPlatform;
  },
  /** The user clicks the Dock icon or re-opens the app: macOS only (Electron emits `activate` on darwin). */
  activate(): void {
    if (this.state.platform !== 'darwin') throw new Error('`activate` is emitted on macOS only');
    app.emit(
      'activate',
      new FakeEvent(),
      FakeBrowserWindow.getAllWindows().some((w) => w.visible),
    );
  },
  /** The app becomes ready (Electron's `ready`). */
  ready(): void {
    this.state.isReady = true;
    this.state.readyResolve!();
  },
  /** The user clicks the tray icon itself: GNOME's AppIndicator extension never delivers it (false). */
  clickTrayIcon(): boolean {
    if (this.state.desktop === 'gnome') return false;
    this.tray?.emit('click', new FakeEvent());
    return true;
  },
  /** The visible window, if any. */
  get window(): FakeBrowserWindow | undefined {
    return this.state.windows.find((w) => !w.destroyed);
  },
  get tray(): FakeTray | undefined {
    return this.state.trays.at(-1);
  },
  /** Clicks the tray menu item with this label (searching submenus), as Electron does: a checkbox's
   * `checked` is flipped first, then `click` runs. */
  clickTray(label: string): void {
    const find = (items: MenuItem[]): MenuItem | undefined => {
      for (const i of items) {
        if (i.label === label) return i;
        const sub = i.submenu && find(i.submenu);
        if (sub) return sub;
      }
      return undefined;
    };
    const item = find(this.tray?.menu ?? []);
    if (!item?.click) throw new Error(`no tray item "${label}"`);
    // Electron flips a checkbox's `checked` itself, before `click` runs (and a radio item becomes checked):
    // the tick shown is what the user asked for until the app sets it otherwise.
    if (item.type === 'checkbox') item.checked = !item.checked;
    else if (item.type === 'radio') item.checked = true;
    item.click();
  },
  /** Calls an ipcMain handler as a renderer would, from this sender and frame. As in Electron, a channel
   * with no handler (yet) rejects the renderer's `invoke`, and so does a handler that throws. */
  invoke(channel: string, arg: unknown, from: { sender: unknown; senderFrame: unknown }): Promise<unknown> {
    const h = this.state.handlers.get(channel);
    if (!h)
      return Promise.reject(
        new Error(`Error invoking remote method '${channel}': Error: No handler registered for '${channel}'`),
      );
    return (async () => h({ sender: from.sender, senderFrame: from.senderFrame }, arg))();
  },
  /** Another start of the app while this one holds the lock (Electron emits it on the first instance, at
   * any moment once it runs: also while it is still starting). */
  secondInstance(argv: string[] = []): void {
    app.emit('second-instance', new FakeEvent(), argv, process.cwd(), null);
  },
};

class FakeApp extends Emitter {
  isPackaged = false;
  /** macOS only (see platformApis). */
  dock: undefined | { show(): void; hide(): void };
  /** Windows only (see platformApis): the id toast notifications are shown under (else Electron's own). */
  setAppUserModelId: undefined | ((id: string) => void);
  reset(): void {
    for (const e of [
      'before-quit',
      'will-quit',
      'quit',
      'second-instance',
      'web-contents-created',
      'window-all-closed',
      'ready',
      'activate',
    ]) {
      (this as unknown as { listeners: Map<string, Listener[]> }).listeners.delete(e);
    }
  }
  enableSandbox(): void {
    if (fake.state.isReady) throw new Error('app.enableSandbox() can only be called before app is ready');
  }
  isReady(): boolean {
    return fake.state.isReady;
  }
  requestSingleInstanceLock(): boolean {
    return fake.state.singleInstance;
  }
  whenReady(): Promise<void> {
    return fake.state.ready!;
  }
  getPath(_name: string): string {
    return fake.state.userData;
  }
  getVersion(): string {
    return '0.1.0';
  }
  getAppPath(): string {
    return process.cwd();
  }
  /** Electron: before-quit, then close every window (a prevented close cancels), then will-quit, then quit. */
  quit(): void {
    const before = new FakeEvent();
    this.emit('before-quit', before);
    if (before.defaultPrevented) return;
    for (const w of fake.state.windows.filter((x) => !x.destroyed)) {
      if (!w.close()) return;
    }
    const will = new FakeEvent();
    this.emit('will-quit', will);
    if (will.defaultPrevented) return;
    fake.state.quitted = true;
    this.emit('quit');
  }
  exit(code = 0): void {
    fake.state.exitCode = code;
    fake.state.quitted = true;
  }
  /** Electron documents login items for macOS and Windows only: on Linux these calls do nothing. Windows
   * matches the item by the path and args asked with (defaults: `process.execPath`, no args); macOS
   * ignores them and also says `wasOpenedAtLogin`. */
  getLoginItemSettings(options: { path?: string; args?: string[] } = {}): {
    openAtLogin: boolean;
    wasOpenedAtLogin?: boolean;
    executableWillLaunchAtLogin?: boolean;
  } {
    const item = fake.state.loginItem;
    if (fake.state.platform === 'linux') return { openAtLogin: false };
    if (fake.state.platform === 'darwin')
      return { openAtLogin: item.openAtLogin, wasOpenedAtLogin: fake.state.openedAtLogin };
    const samePath = item.path === (options.path ?? process.execPath);
    const sameArgs = JSON.stringify(item.args) === JSON.stringify(options.args ?? []);
    return {
      openAtLogin: item.openAtLogin && samePath && sameArgs,
      executableWillLaunchAtLogin: item.openAtLogin && samePath,
    };
  }
  setLoginItemSettings(s: { openAtLogin: boolean; path?: string; args?: string[] }): void {
    if (fake.state.platform === 'linux') return;
    fake.state.loginItem =
      fake.state.platform === 'win32'
        ? { openAtLogin: s.openAtLogin, path: s.path ?? process.execPath, args: s.args ?? [] }
        : { openAtLogin: s.openAtLogin, path: '', args: [] };
  }
}

const app = new FakeApp();
fake.app = app;

/** An API Electron has on one platform only is absent elsewhere (electron.d.ts `@platform`): a host that
 * calls it unguarded throws there, as the real one would. */
function platformApis(platform: NodeJS.Platform): void {
  app.dock = platform === 'darwin' ? { show: () => undefined, hide: () => undefined } : undefined;
  app.setAppUserModelId =
    platform === 'win32' ? (id: string) => void (fake.state.appUserModelId = id) : undefined;
  (safeStorage as { getSelectedStorageBackend?: () => string }).getSelectedStorageBackend =
    platform === 'linux' ? () => fake.state.backend : undefined;
}

/** Electron throws when these are used before `ready`. */
function afterReady(what: string): void {
  if (!fake.state.isReady) throw new Error(`${what} cannot be used before the app is ready`);
}

class FakeWebContents extends Emitter {
  readonly sent: Array<[string, unknown]> = [];
  readonly mainFrame: { url: string };
  windowOpenHandler?: (d: { url: string }) => { action: string };
  constructor(readonly owner: FakeBrowserWindow) {
    super();
    this.mainFrame = { url: '' };
  }
  /** The preload's ipcRenderer.on listeners, by channel. */
  readonly rendererListeners = new NodeEmitter();
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
    this.rendererListeners.emit(channel, { sender: this }, payload);
  }
  setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
}

export class FakeBrowserWindow extends Emitter {
  static nextId = 1;
  readonly id = FakeBrowserWindow.nextId++;
  readonly webContents: FakeWebContents;
  visible = false;
  focused = false;
  minimized = false;
  destroyed = false;
  url = '';
  bounds: { x: number; y: number; width: number; height: number };
  /** What the preload exposed through contextBridge: the page's API. */
  readonly exposed: Record<string, unknown> = {};
  loaded = false;
  constructor(readonly options: Record<string, unknown>) {
    super();
    afterReady('BrowserWindow');
    if (typeof options.icon === 'string' && new FakeNativeImage(options.icon).isEmpty())
      fake.problem(`window icon is not an image file: ${options.icon}`);
    this.webContents = new FakeWebContents(this);
    this.bounds = {
      x: Number(options.x ?? 0),
      y: Number(options.y ?? 0),
      width: Number(options.width ?? 800),
      height: Number(options.height ?? 600),
    };
    fake.state.windows.push(this);
    app.emit('web-contents-created', new FakeEvent(), this.webContents);
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return fake.state.windows.filter((w) => !w.destroyed);
  }
  /** As Electron: the page comes from the scheme's protocol handler (or the file), must be 200 text/html,
   * then the preload runs; a failure rejects (ERR_FAILED) and is a problem. */
  async loadURL(url: string): Promise<void> {
    this.url = url;
    this.webContents.mainFrame.url = url;
    try {
      await fetchPage(url);
      this.runPreload();
    } catch (e) {
      fake.problem(`loadURL(${url}): ${(e as Error).message}`);
      this.webContents.emit('did-fail-load', new FakeEvent(), -2, (e as Error).message, url);
      throw new Error(`ERR_FAILED (-2) loading '${url}': ${(e as Error).message}`);
    }
    this.loaded = true;
    this.webContents.emit('did-finish-load');
    setImmediate(() => this.emit('ready-to-show'));
  }
  /** A sandboxed preload: CommonJS, `require` of electron/events/timers/url only. */
  private runPreload(): void {
    const prefs = (this.options.webPreferences ?? {}) as { preload?: string; sandbox?: boolean };
    if (!prefs.preload) return;
    if (prefs.sandbox !== true) throw new Error('this model runs sandboxed preloads only');
    let code: string;
    try {
      code = readFileSync(prefs.preload, 'utf8');
    } catch (e) {
      throw new Error(`Unable to load preload script: ${prefs.preload} (${(e as Error).message})`);
    }
    const wc = this.webContents;
    const electronForPreload = {
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => void (this.exposed[key] = api),
      },
      ipcRenderer: {
        invoke: (channel: string, arg: unknown) =>
          fake.invoke(channel, arg, { sender: wc, senderFrame: wc.mainFrame }),
        on: (channel: string, l: (...a: unknown[]) => void) => void wc.rendererListeners.on(channel, l),
        off: (channel: string, l: (...a: unknown[]) => void) => void wc.rendererListeners.off(channel, l),
        removeListener: (channel: string, l: (...a: unknown[]) => void) =>
          void wc.rendererListeners.off(channel, l),
      },
    };
    const allowed: Record<string, unknown> = {
      electron: electronForPreload,
      events: { EventEmitter: NodeEmitter, default: NodeEmitter },
      timers: { setTimeout, clearTimeout, setInterval, clearInterval },
      url: { URL, URLSearchParams },
    };
    const sandboxedRequire = (name: string) => {
      if (name in allowed) return allowed[name];
      throw new Error(
        `module not found: ${name} (a sandboxed preload can require only ${Object.keys(allowed).join(', ')})`,
      );
    };
    const module = { exports: {} as unknown };
    const context = vm.createContext({ console, setTimeout, clearTimeout, Promise, Error, JSON });
    try {
      const fn = vm.runInContext(`(function (require, module, exports) {${code}\n})`, context, {
        filename: prefs.preload,
      }) as (r: typeof sandboxedRequire, m: typeof module, e: unknown) => void;
      fn(sandboxedRequire, module, module.exports);
    } catch (e) {
      throw new Error(`preload ${prefs.preload} threw: ${(e as Error).message}`);
    }
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  restore(): void {
    this.minimized = false;
  }
  getBounds() {
    return { ...this.bounds };
  }
  /** The bounds of the normal state, whatever the state now (this model has no maximize: the same). */
  getNormalBounds() {
    return { ...this.bounds };
  }
  /** On Windows and Linux the application menu is drawn in each window: 'none' once it was set to null
   * (Menu.setApplicationMenu(null)), 'on-alt' with `autoHideMenuBar`, else 'shown' (Electron's default menu
   * when none was set). macOS draws no menu bar in windows (the menu is at the top of the screen). */
  menuBar(): 'none' | 'on-alt' | 'shown' {
    if (fake.state.platform === 'darwin' || fake.state.applicationMenu === null) return 'none';
    return this.options.autoHideMenuBar ? 'on-alt' : 'shown';
  }
  /** Emits `close` (preventable), then destroys the window and emits `closed`. True if it closed. */
  close(): boolean {
    const e = new FakeEvent();
    this.emit('close', e);
    if (e.defaultPrevented) return false;
    this.destroyed = true;
    this.visible = false;
    this.emit('closed');
    return true;
  }
}

/** The page for a URL, as Electron's loader gets it. */
async function fetchPage(url: string): Promise<void> {
  const u = new URL(url);
  let res: Response;
  if (u.protocol === 'file:') {
    const path = fileURLToPath(u);
    res = new Response(readFileSync(path), {
      headers: { 'content-type': path.endsWith('.html') ? 'text/html' : 'application/octet-stream' },
    });
  } else {
    const scheme = u.protocol.slice(0, -1);
    const handler = fake.state.protocols.get(scheme);
    if (!handler) throw new Error(`ERR_UNKNOWN_URL_SCHEME: no protocol handler for "${scheme}"`);
    res = await handler(new Request(url));
  }
  if (res.status !== 200) throw new Error(`the page answered ${res.status}`);
  const type = res.headers.get('content-type') ?? '';
  if (!/^text\/html\b/.test(type)) throw new Error(`the page is "${type}", not text/html`);
}

/** An image given to the tray: an empty one shows nothing (or a blank square) on the real desktop. */
function checkTrayImage(image: unknown): void {
  const img = typeof image === 'string' ? new FakeNativeImage(image) : (image as FakeNativeImage);
  if (!img || img.isEmpty()) fake.problem(`tray image is empty: ${img?.path ?? String(image)}`);
}

/** Each set* call is counted: on a real desktop every one redraws (the icon flickers, and on Linux a new
 * context menu closes one that is open), so a host should call them only when what they show changes. */
class FakeTray extends Emitter {
  image: unknown;
  tooltip = '';
  menu: MenuItem[] = [];
  readonly calls = { setImage: 0, setToolTip: 0, setContextMenu: 0 };
  constructor(image: unknown) {
    super();
    afterReady('Tray');
    checkTrayImage(image);
    this.image = image;
    fake.state.trays.push(this);
  }
  setImage(image: unknown): void {
    checkTrayImage(image);
    this.calls.setImage++;
    this.image = image;
  }
  /** GNOME (the AppIndicator extension) shows no tooltip: what it says must be in the menu too. */
  setToolTip(text: string): void {
    this.calls.setToolTip++;
    if (fake.state.desktop !== 'gnome') this.tooltip = text;
  }
  setContextMenu(menu: { items: MenuItem[] }): void {
    this.calls.setContextMenu++;
    this.menu = menu.items;
  }
}

class FakeNotification {
  constructor(private readonly options: { title?: string; body?: string; icon?: FakeNativeImage | string }) {
    afterReady('Notification');
  }
  static isSupported(): boolean {
    return true;
  }
  show(): void {
    // On Windows a toast is shown under the app user model id set at that moment (Electron's own if none).
    fake.state.notifications.push(
      fake.state.platform === 'win32'
        ? { ...this.options, appUserModelId: fake.state.appUserModelId ?? 'electron.app.Electron' }
        : this.options,
    );
  }
}

export const Menu = {
  buildFromTemplate: (items: MenuItem[]) => ({ items }),
  setApplicationMenu: (menu: { items: MenuItem[] } | null) => void (fake.state.applicationMenu = menu),
};
/** An image read from a file: empty when the file is missing or not a file (Electron gives an empty image,
 * it does not throw). */
export class FakeNativeImage {
  template = false;
  private readonly empty: boolean;
  constructor(readonly path: string) {
    this.empty = !(existsSync(path) && statSync(path).isFile() && statSync(path).size > 0);
  }
  isEmpty(): boolean {
    return this.empty;
  }
  setTemplateImage(v: boolean): void {
    this.template = v;
  }
}
export const nativeImage = {
  createFromPath: (path: string) => new FakeNativeImage(path),
  createEmpty: () => new FakeNativeImage(''),
};
export const dialog = {
  showMessageBox: async (...args: unknown[]) => {
    const options = (args.length > 1 ? args[1] : args[0]) as {
      message?: string;
      detail?: string;
      buttons?: string[];
    };
    fake.state.messageBoxes.push(options);
    return { response: fake.state.messageBoxAnswers.shift() ?? 0, checkboxChecked: false };
  },
  showErrorBox: (title: string, content: string) => void fake.state.errorBoxes.push([title, content]),
  showOpenDialog: async () => {
    const filePaths = fake.state.openDialogAnswers.shift() ?? [];
    return { canceled: filePaths.length === 0, filePaths };
  },
  /** Answers scripted by the test (`saveDialogAnswers`: a path, or null when the user cancels); a dialog
   * with no answer scripted is cancelled. Electron gives `filePath: ''` when cancelled. */
  showSaveDialog: async () => {
    fake.state.saveDialogs++;
    const answer = fake.state.saveDialogAnswers.shift() ?? null;
    return answer === null ? { canceled: true, filePath: '' } : { canceled: false, filePath: answer };
  },
};
/** Electron allows one handler per channel: a second `handle` throws until `removeHandler`. */
export const ipcMain = {
  handle: (channel: string, h: (event: unknown, arg: unknown) => unknown) => {
    if (fake.state.handlers.has(channel))
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    fake.state.handlers.set(channel, h);
  },
  handleOnce: (channel: string, h: (event: unknown, arg: unknown) => unknown) =>
    ipcMain.handle(channel, (event, arg) => {
      fake.state.handlers.delete(channel);
      return h(event, arg);
    }),
  removeHandler: (channel: string) => void fake.state.handlers.delete(channel),
  on: () => undefined,
};
/** The "OS keyring": one AES-256-GCM key per test process, kept across boots (vi.resetModules() reloads this
 * module, and a real keyring outlives the app). A different backend is a different keyring. */
const keyrings: Map<string, Buffer> = ((
  globalThis as { __fakeKeyrings?: Map<string, Buffer> }
).__fakeKeyrings ??= new Map());
const keyringKey = () => {
  let k = keyrings.get(fake.state.backend);
  if (!k) keyrings.set(fake.state.backend, (k = randomBytes(32)));
  return k;
};
/** Electron on Linux: the `basic_text` backend counts as available only after
 * `setUsePlainTextEncryption(true)` (its gate is `OSCrypt::IsEncryptionAvailable() || (use_password_v10 &&
 * backend == "basic_text")`); until then nothing is encrypted or decrypted with it. A no-op elsewhere. */
const plainTextRefused = () =>
  !fake.state.isReady ||
  (fake.state.platform === 'linux' && fake.state.backend === 'basic_text' && !fake.state.plainTextEncryption);
export const safeStorage = {
  setUsePlainTextEncryption: (usePlainText: boolean) => {
    if (fake.state.platform === 'linux') fake.state.plainTextEncryption = usePlainText;
  },
  isEncryptionAvailable: () => !plainTextRefused(),
  isAsyncEncryptionAvailable: async () => !plainTextRefused(),
  /** Linux only (set by platformApis). */
  getSelectedStorageBackend: undefined as undefined | (() => string),
  encryptStringAsync: async (text: string) => {
    if (plainTextRefused())
      throw new Error('Error while encrypting the text provided to safeStorage.encryptStringAsync.');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', keyringKey(), iv);
    const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  },
  decryptStringAsync: async (data: Buffer) => {
    await fake.state.keyringPrompt; // a keyring prompt the user has not answered yet
    if (plainTextRefused())
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptStringAsync.');
    try {
      const d = createDecipheriv('aes-256-gcm', keyringKey(), data.subarray(0, 12));
      d.setAuthTag(data.subarray(12, 28));
      const result = Buffer.concat([d.update(data.subarray(28)), d.final()]).toString('utf8');
      return { result, shouldReEncrypt: false };
    } catch {
      throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
    }
  },
};
export const screen = {
  getAllDisplays: () => {
    afterReady("The 'screen' module");
    return [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }];
  },
};
const defaultSession = {
  setPermissionRequestHandler: () => undefined,
  setPermissionCheckHandler: () => undefined,
  protocol: undefined,
};
export const session = {
  get defaultSession() {
    afterReady('session.defaultSession');
    return defaultSession;
  },
};
export const shell = {
  openExternal: async (url: string) => void fake.state.opened.push(url),
  openPath: async () => '',
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown[]) => {
    if (fake.state.isReady)
      throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
    fake.state.privilegedSchemes.push(...schemes);
  },
  handle: (scheme: string, h: (req: Request) => Response | Promise<Response>) => {
    afterReady('protocol.handle');
    fake.state.protocols.set(scheme, h);
  },
};

export { app, FakeBrowserWindow as BrowserWindow, FakeTray as Tray, FakeNotification as Notification };
export default {
  app,
  BrowserWindow: FakeBrowserWindow,
  Tray: FakeTray,
  Notification: FakeNotification,
  Menu,
  nativeImage,
  dialog,
  ipcMain,
  safeStorage,
  screen,
  session,
  shell,
  protocol,
};
