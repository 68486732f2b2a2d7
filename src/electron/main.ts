/**
 * Electron host: wiring only. Hardening first (sandbox, isolation, no navigation, no permissions, no new
 * windows), then the store, keyring and services, then the window. Everything with logic lives in
 * src/core and is tested under plain Node.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, safeStorage, session, shell, type IpcMainInvokeEvent } from 'electron';
import { CALLS, channelOf, type CallName } from '../contract/api.js';
import { Keyring } from '../core/store/keyring.js';
import { createHandlers, dispatch } from '../core/services.js';
import { TunnelStore } from '../core/tunnels/tunnel-store.js';
import { openElectronStore } from './open-electron-store.js';
import { safeStorageProvider } from './safe-storage-cipher.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const RENDERER_URL = new URL(`file://${join(here, 'renderer', 'index.html')}`).href;
let mainWindow: BrowserWindow | undefined;

app.enableSandbox();
if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event) => event.preventDefault());
    contents.setWindowOpenHandler(({ url }) => {
      if (url.startsWith('https:')) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
  app.whenReady().then(start).catch((e: Error) => {
    dialog.showErrorBox('overlay-connect cannot start', e.message);
    app.exit(1);
  });
}

/** Only our own window's main frame, showing our page, may call the services. */
function trustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return !!mainWindow && event.sender === mainWindow.webContents && frame !== null && frame === event.sender.mainFrame && frame.url === RENDERER_URL;
}

async function start(): Promise<void> {
  session.defaultSession.setPermissionRequestHandler((_wc, _perm, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  const store = openElectronStore(app.getPath('userData'));
  const provider = safeStorageProvider(safeStorage);
  const keyring = new Keyring(store, provider);
  const handlers = createHandlers(new TunnelStore(store, keyring));
  for (const name of Object.keys(CALLS) as CallName[]) {
    ipcMain.handle(channelOf(name), (event, arg: unknown) =>
      trustedSender(event) ? dispatch(handlers, name, arg) : { ok: false, error: 'Refused: unknown sender' });
  }
  showWindow();
}

function showWindow(): void {
  if (mainWindow) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
    return;
  }
  mainWindow = new BrowserWindow({
    width: 960,
    height: 680,
    show: false,
    title: 'overlay-connect',
    webPreferences: {
      preload: join(here, 'preload.cjs'),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  });
  mainWindow.once('ready-to-show', () => mainWindow?.show());
  mainWindow.on('closed', () => (mainWindow = undefined));
  void mainWindow.loadURL(RENDERER_URL);
}
