/**
 * Sandboxed preload (bundled as one CommonJS file): exposes the contract's calls and nothing else. The
 * renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { CALLS, channelOf, type CallName, type OverlayApi } from '../contract/api.js';

const api = Object.fromEntries(
  (Object.keys(CALLS) as CallName[]).map((name) => [name, (arg: unknown) => ipcRenderer.invoke(channelOf(name), arg)]),
) as unknown as OverlayApi;

contextBridge.exposeInMainWorld('overlay', api);
