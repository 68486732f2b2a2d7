/**
 * Electron host: wiring only. Hardening first (sandbox, isolation, no navigation, no permissions, no new
 * windows, only our own window's main frame may call) and the IPC handlers (they wait for the services, so
 * a window opened while starting is answered), then the services over the system keyring, the tray (a
 * pure template of state, redrawn only when what it shows changes), the window (its bounds kept), the
 * notifications and the quit question.
 * Everything with logic lives in src/core and src/app and is tested under plain Node.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as sudo from 'sudo-prompt';
import {
  app,
  dialog,
  ipcMain,
  Menu,
  nativeImage,
  Notification,
  protocol,
  safeStorage,
  session,
  type IpcMainInvokeEvent,
} from 'electron';
import { CALL_NAMES, channelOf, EVENT_CHANNEL, type TunnelState } from '../contract/api.js';
import { composeApp, type App } from '../app/compose.js';
import { dispatch } from '../app/services.js';
import { notificationFor, type TrayItem } from '../app/tray-template.js';
import { GNOME_TRAY_NOTICE, onGnome, trayHostPresent } from '../app/tray-notice.js';
import { ensurePrivateDir, writePrivateFile } from '../core/store/private-files.js';
import { findTools } from '../core/tunnels/tool-paths.js';
import { chooseDriver } from '../app/choose-driver.js';
import { decodeConfigBytes } from '../core/wgconf/parser.js';
import { launchCommand, setStartAtLogin, startedAtLogin, startsAtLogin } from './login-item.js';
import { APP_SCHEME, RENDERER_URL, SCHEME_PRIVILEGES, serveRenderer } from './app-protocol.js';
import { openElectronStore } from './open-electron-store.js';
import { appFiles } from './app-files.js';
import { MainWindow } from './main-window.js';
import { TrayView } from './tray-view.js';
import { PassphraseNeededError } from '../core/store/keyring-errors.js';
import { INSECURE_KEYRING_FLAG, safeStorageBackend, safeStorageSlot } from './safe-storage-slot.js';

const FILES = appFiles();
const ASSETS = FILES.assets;
let quitting = false;
const mainWindow = new MainWindow(
  FILES,
  () => app.getPath('userData'),
  () => quitting,
);
let tray: TrayView | undefined;
/** The login setting as last read: at start and after the app changed it (it is a file or an OS call). */
let startAtLogin: boolean | undefined;
let services: App | undefined;
const lastState = new Map<string, TunnelState>();

/** The installer's appId (electron-builder.yml). */
const APP_USER_MODEL_ID = 'tf.overlay-connect.app';
/** `ready` has been emitted: windows can be made. Before that a request to show one waits for start. */
let appReady = false;
let showWhenReady = false;
/** The services once composed and unlocked; a failed start rejects it. */
const servicesUp = (() => {
  let ok!: (a: App) => void;
  let fail!: (e: Error) => void;
  const promise = new Promise<App>((resolve, reject) => ((ok = resolve), (fail = reject)));
  promise.catch(() => undefined); // also when no call waited
  return { promise, ok, fail };
})();

// No helper mode here: the deb/rpm units run the helper's own bundle (dist/helper.js) with this binary as
// Node (ELECTRON_RUN_AS_NODE), never this main: the browser, as root and without a display, aborts.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([SCHEME_PRIVILEGES]);
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  // Windows shows a toast under the app user model id: the installer's appId (electron-builder.yml), so
  // notifications carry the app's name and icon, not Electron's.
  if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
  // No menu bar in the window on Windows and Linux (the app's commands are in the tray and the page);
  // Electron's docs: null suppresses the default menu and removes the bar. macOS keeps the default app
  // menu: its Edit roles are what give copy and paste, and Cmd+Q is there.
  if (process.platform !== 'darwin') Menu.setApplicationMenu(null);
  // The handlers come first: a window can open before the services are up (a second instance while this
  // one still probes the helper or unlocks the keys), and its calls then wait instead of failing.
  registerHandlers();
  app.on('second-instance', () => showWindowWhenReady());
  // macOS: clicking the Dock icon (or opening the app again) shows the window. One before `ready` is the
  // launch itself, which shows the window or not by `--hidden`.
  app.on('activate', () => {
    if (appReady) showWindow();
  });
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // The window has no links: nothing it asks to open is opened, here or in a browser.
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });
  app.on('window-all-closed', () => undefined); // a tray app lives on without windows
  app.on('before-quit', (e) => void confirmQuit(e));
  app
    .whenReady()
    .then(start)
    .catch((e: Error) => {
      servicesUp.fail(e);
      dialog.showErrorBox('overlay-connect cannot start', e.message);
      app.exit(1);
    });
}

/** Only our own window's main frame, showing our page, may call the services. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return (
    !!mainWindow.current &&
    event.sender === mainWindow.current.webContents &&
    frame !== null &&
    frame === event.sender.mainFrame &&
    frame.url === RENDERER_URL
  );
}

function registerHandlers(): void {
  for (const name of CALL_NAMES) {
    ipcMain.handle(channelOf(name), async (event, arg: unknown) => {
      if (!trustedSender(event)) return { ok: false, error: 'Refused: unknown sender' };
      let ready: App;
      try {
        ready = await servicesUp.promise;
      } catch (e) {
        return { ok: false, error: `overlay-connect could not start: ${(e as Error).message}` };
      }
      return dispatch(ready.handlers, name, arg);
    });
  }
}

function showWindowWhenReady(): void {
  if (appReady) showWindow();
  else showWhenReady = true;
}

async function start(): Promise<void> {
  appReady = true;
  // Read at `ready`, before anything is awaited: macOS tells it from the launch's own Apple event.
  const atLogin = startedAtLogin(app);
  protocol.handle(APP_SCHEME, (request) => serveRenderer(FILES.renderer, request));
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  // The tray and the window come first: probing the helper takes up to seconds, and unlocking the keys
  // may wait on a keyring's password prompt. Meanwhile the tray says what the app waits for and the
  // window's calls wait for the services (the handlers are registered).
  tray = new TrayView(ASSETS, (a) => void act(a), showWindow);
  tray.starting('Starting…');
  const trayHidden = await gnomeWithoutTrayHost();
  // Started at login: hidden in the tray (Windows and Linux pass `--hidden`; macOS passes no args and says
  // `wasOpenedAtLogin` instead) — unless there is no tray to be found in.
  if (showWhenReady || !atLogin || trayHidden) showWindow();
  checkTools();
  const userData = app.getPath('userData');
  const store = openElectronStore(userData);
  const allowInsecure =
    process.argv.includes(INSECURE_KEYRING_FLAG) ||
    process.env.OVERLAY_CONNECT_ALLOW_INSECURE_KEYRING === '1';
  // Electron counts its basic_text backend as unavailable (nothing encrypts) until it is told to use its
  // built-in password: only on the user's opt-in, and only for that backend (a no-op off Linux).
  if (allowInsecure && safeStorageBackend(safeStorage) === 'basic_text')
    safeStorage.setUsePlainTextEncryption(true);
  const system = safeStorageSlot(safeStorage, { allowInsecure });
  const choice = await chooseDriver({
    dataDir: userData,
    helperPath: process.env.OVERLAY_CONNECT_HELPER || undefined,
    elevate: sudo.exec,
  });
  services = composeApp({
    store,
    slots: [system],
    system,
    notice: system.notice,
    passphraseInWindow: true,
    driver: choice.driver,
    async exportConfig(name, text) {
      const r = await dialog.showSaveDialog(mainWindow.current!, {
        defaultPath: `${name}.conf`,
        filters: [{ name: 'WireGuard config', extensions: ['conf'] }],
      });
      if (r.canceled || !r.filePath) return null;
      writePrivateFile(r.filePath, text);
      return { path: r.filePath };
    },
  });
  // A store that needs a passphrase (made by the CLI, or no usable system keyring) is unlocked in the
  // window (Keys); anything else that keeps it shut is said now.
  tray.starting('Waiting for the system keyring…');
  const locked = await services.unlock().then(
    () => undefined,
    (e: Error) => e,
  );
  if (locked && !(locked instanceof PassphraseNeededError))
    dialog.showErrorBox('The key store cannot be opened', locked.message);
  servicesUp.ok(services);
  services.onEvent((e) => mainWindow.current?.webContents.send(EVENT_CHANNEL, e));
  services.tunnelService.onChange((s) => {
    const note = notificationFor(lastState.get(s.name), s);
    lastState.set(s.name, s.state);
    if (note) notify(note.title, note.body);
    updateTray();
  });
  await services.tunnelService.refresh();
  for (const s of services.tunnelService.statuses()) lastState.set(s.name, s.state);
  services.tunnelService.startPolling(1000);
  updateTray();
  if (choice.via === 'elevation' && process.platform !== 'win32')
    void offerHelper(choice.hint, join(userData, 'helper-offered'));
}

/** GNOME without the AppIndicator extension shows no tray icon: said once, and the window then opens even
 * when started hidden (true). A bus that cannot be asked is not taken for a missing extension. */
async function gnomeWithoutTrayHost(): Promise<boolean> {
  if (!onGnome(process.env) || (await trayHostPresent()) !== false) return false;
  ensurePrivateDir(app.getPath('userData'));
  const marker = join(app.getPath('userData'), 'tray-notice-shown');
  if (!existsSync(marker)) {
    writePrivateFile(marker, '');
    void dialog.showMessageBox({ type: 'info', buttons: ['OK'], ...GNOME_TRAY_NOTICE });
  }
  return true;
}

/** Without the helper every connect asks for a password: say once how to end that. The Electron binary
 * cannot re-run itself as the CLI, so the install itself is the package's (deb/rpm) or the CLI's job. */
async function offerHelper(hint: string | undefined, marker: string): Promise<void> {
  // Said once, not at every login: the CLI repeats the hint after each elevated connect.
  if (existsSync(marker)) return;
  writePrivateFile(marker, '');
  await dialog.showMessageBox({
    type: 'info',
    buttons: ['OK'],
    message: 'Each connect will ask for administrator rights',
    detail: `${hint ?? ''}\nThe helper is a small service that brings tunnels up for the members of the group "overlay-connect". ${app.isPackaged ? 'Reinstalling the deb or rpm package installs it.' : 'Install it with `npx overlay-connect helper install` (one prompt).'}`,
  });
}

/** Tells the user what is missing instead of failing at the first connect. */
function checkTools(): void {
  const t = findTools();
  const missing =
    process.platform === 'win32'
      ? t.wireguardExe
        ? []
        : ['WireGuard for Windows']
      : [
          !t.wgQuick && 'wg-quick',
          !t.wg && 'wg',
          process.platform === 'linux' && !findPkexec() && 'pkexec',
        ].filter(Boolean);
  if (missing.length) {
    void dialog.showMessageBox({
      type: 'warning',
      message: `Missing: ${missing.join(', ')}`,
      detail:
        process.platform === 'linux'
          ? 'Install them with: sudo apt-get install --no-install-recommends wireguard-tools pkexec'
          : process.platform === 'darwin'
            ? 'Install them with: brew install wireguard-tools bash'
            : 'Install WireGuard for Windows from wireguard.com.',
    });
  }
}

function findPkexec(): boolean {
  return ['/usr/bin/pkexec', '/bin/pkexec'].some((p) => existsSync(p));
}

/** `loginChanged`: read the login setting again. `resync`: rebuild the menu even if nothing it shows changed
 * (Electron has flipped a checkbox the app did not let flip). */
function updateTray(o: { loginChanged?: boolean; resync?: boolean } = {}): void {
  if (!tray || !services) return;
  if (startAtLogin === undefined || o.loginChanged) startAtLogin = startsAtLogin(app, appCommand());
  const tunnels = services.tunnelService.statuses().map((s) => ({ name: s.name, state: s.state }));
  tray.show(tunnels, { startAtLogin }, o);
}

async function act(action: NonNullable<TrayItem['action']>): Promise<void> {
  // Open and Quit also while starting (the starting menu has them); the rest needs the services.
  if (action.kind === 'open') return showWindow();
  if (action.kind === 'quit') return app.quit();
  if (!services) return;
  if (action.kind === 'import') return importFromDialog();
  if (action.kind === 'login') {
    // Starts hidden in the tray; it restores nothing by itself (users do not want surprise connections).
    // Electron has ticked the checkbox already: whether this works or not, the menu is rebuilt from what
    // the login setting now is, so a failure does not leave the tick the user asked for.
    try {
      setStartAtLogin(app, action.enable, appCommand());
    } catch (e) {
      notify('Start at login', `Cannot change it: ${(e as Error).message}`);
      return updateTray({ loginChanged: true, resync: true });
    }
    return updateTray({ loginChanged: true });
  }
  const s = services.tunnelService.statuses().find((x) => x.name === action.tunnel);
  const r = await dispatch(
    services.handlers,
    s && s.state !== 'down' && s.state !== 'error' ? 'disconnect' : 'connect',
    { name: action.tunnel },
  );
  if (!r.ok) {
    notify(action.tunnel, r.error);
    updateTray({ resync: true }); // Electron flipped the tick: show the tunnel as it is
  }
}

/** How login starts this app: registered and asked back the same way (Windows matches path and args). */
function appCommand(): string[] {
  return launchCommand({
    platform: process.platform,
    env: process.env,
    execPath: process.execPath,
    isPackaged: app.isPackaged,
    appPath: app.getAppPath(),
  });
}

/** The app's icon, read once; an empty image (a missing file) is left out rather than shown blank. */
let appIcon: Electron.NativeImage | undefined;
function notificationIcon(): Electron.NativeImage | undefined {
  appIcon ??= nativeImage.createFromPath(join(ASSETS, 'icon.png'));
  return appIcon.isEmpty() ? undefined : appIcon;
}

function notify(title: string, body: string): void {
  if (Notification.isSupported()) new Notification({ title, body, icon: notificationIcon() }).show();
}

async function importFromDialog(): Promise<void> {
  const r = await dialog.showOpenDialog({
    properties: ['openFile', 'multiSelections'],
    filters: [{ name: 'WireGuard config', extensions: ['conf', 'zip'] }],
  });
  for (const path of r.filePaths) {
    if (/\.zip$/i.test(path)) {
      const res = await dispatch(services!.handlers, 'importArchive', {
        zipBase64: (await readFile(path)).toString('base64'),
      });
      if (!res.ok) dialog.showErrorBox('Cannot import the archive', res.error);
      continue;
    }
    // The bytes, not UTF-8 text: WireGuard for Windows exports UTF-16, which the parser decodes.
    const text = decodeConfigBytes(await readFile(path));
    const name = path
      .split(/[\\/]/)
      .pop()!
      .replace(/\.conf$/i, '');
    const res = await dispatch(services!.handlers, 'importConfig', { name, text });
    if (!res.ok) dialog.showErrorBox(`Cannot import ${name}`, res.error);
  }
}

async function confirmQuit(e: Electron.Event): Promise<void> {
  if (quitting || !services) return;
  const up = services.tunnelService.statuses().filter((s) => s.state !== 'down');
  // Nothing to ask: quitting from here on, so the window's close handler lets it close instead of hiding.
  if (!up.length) {
    quitting = true;
    return;
  }
  e.preventDefault();
  const { response } = await dialog.showMessageBox({
    type: 'question',
    buttons: ['Leave them up', 'Disconnect', 'Cancel'],
    defaultId: 0,
    cancelId: 2,
    message: `${up.length} tunnel(s) are up`,
    detail: 'They keep running without the app; it recognises them when it starts again.',
  });
  if (response === 2) return;
  if (response === 1) for (const s of up) await services.tunnelService.down(s.name).catch(() => undefined);
  quitting = true;
  app.quit();
}

function showWindow(): void {
  mainWindow.show();
}
