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
 * Tests drive it through `fake`.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
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
  }): void {
    setPlatform(options.platform ?? realPlatform);
    this.state = {
      ...freshState(),
      userData: options.userData,
      platform: options.platform ?? realPlatform,
      backend: options.backend ?? 'gnome_libsecret',
      singleInstance: options.singleInstance ?? true,
      openedAtLogin: options.openedAtLogin ?? false,
    };
    this.state.ready = new Promise((r) => (this.state.readyResolve = r));
    app.reset();
    FakeBrowserWindow.nextId = 1;
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
    this.state.readyResolve!();
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
  dock = undefined;
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
  enableSandbox(): void {}
  /** Windows only in Electron: the id toast notifications are shown under (else Electron's own). */
  setAppUserModelId(id: string): void {
    if (fake.state.platform === 'win32') fake.state.appUserModelId = id;
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

class FakeWebContents extends Emitter {
  readonly sent: Array<[string, unknown]> = [];
  readonly mainFrame: { url: string };
  windowOpenHandler?: (d: { url: string }) => { action: string };
  constructor(readonly owner: FakeBrowserWindow) {
    super();
    this.mainFrame = { url: '' };
  }
  send(channel: string, payload: unknown): void {
    this.sent.push([channel, payload]);
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
  constructor(readonly options: Record<string, unknown>) {
    super();
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
  loadURL(url: string): Promise<void> {
    this.url = url;
    this.webContents.mainFrame.url = url;
    setImmediate(() => this.emit('ready-to-show'));
    return Promise.resolve();
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

/** Each set* call is counted: on a real desktop every one redraws (the icon flickers, and on Linux a new
 * context menu closes one that is open), so a host should call them only when what they show changes. */
class FakeTray extends Emitter {
  image: unknown;
  tooltip = '';
  menu: MenuItem[] = [];
  readonly calls = { setImage: 0, setToolTip: 0, setContextMenu: 0 };
  constructor(image: unknown) {
    super();
    this.image = image;
    fake.state.trays.push(this);
  }
  setImage(image: unknown): void {
    this.calls.setImage++;
    this.image = image;
  }
  setToolTip(text: string): void {
    this.calls.setToolTip++;
    this.tooltip = text;
  }
  setContextMenu(menu: { items: MenuItem[] }): void {
    this.calls.setContextMenu++;
    this.menu = menu.items;
  }
}

class FakeNotification {
  constructor(private readonly options: { title?: string; body?: string; icon?: FakeNativeImage | string }) {}
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
  showSaveDialog: async () => ({ canceled: true, filePath: undefined }),
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
  fake.state.platform === 'linux' && fake.state.backend === 'basic_text' && !fake.state.plainTextEncryption;
export const safeStorage = {
  setUsePlainTextEncryption: (usePlainText: boolean) => {
    if (fake.state.platform === 'linux') fake.state.plainTextEncryption = usePlainText;
  },
  isEncryptionAvailable: () => !plainTextRefused(),
  isAsyncEncryptionAvailable: async () => !plainTextRefused(),
  getSelectedStorageBackend: () => fake.state.backend,
  encryptStringAsync: async (text: string) => {
    if (plainTextRefused())
      throw new Error('Error while encrypting the text provided to safeStorage.encryptStringAsync.');
    const iv = randomBytes(12);
    const c = createCipheriv('aes-256-gcm', keyringKey(), iv);
    const body = Buffer.concat([c.update(text, 'utf8'), c.final()]);
    return Buffer.concat([iv, c.getAuthTag(), body]);
  },
  decryptStringAsync: async (data: Buffer) => {
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
export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
export const session = {
  defaultSession: {
    setPermissionRequestHandler: () => undefined,
    setPermissionCheckHandler: () => undefined,
    protocol: undefined,
  },
};
export const shell = {
  openExternal: async (url: string) => void fake.state.opened.push(url),
  openPath: async () => '',
};
export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown[]) => void fake.state.privilegedSchemes.push(...schemes),
  handle: (scheme: string, h: (req: Request) => Response | Promise<Response>) =>
    void fake.state.protocols.set(scheme, h),
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
