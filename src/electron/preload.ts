/**
 * Sandboxed preload (bundled as one CommonJS file): exposes the contract's calls and its event stream,
 * nothing else. The renderer never sees ipcRenderer.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { CALL_NAMES, channelOf, EVENT_CHANNEL, type UiEvent } from '../contract/api.js';

const api: Record<string, unknown> = Object.fromEntries(
  CALL_NAMES.map((name) => [name, (arg: unknown) => ipcRenderer.invoke(channelOf(name), arg)]),
);
api.onEvent = (listener: (e: UiEvent) => void) => {
  const handler = (_e: IpcRendererEvent, event: UiEvent) => listener(event);
  ipcRenderer.on(EVENT_CHANNEL, handler);
  return () => ipcRenderer.off(EVENT_CHANNEL, handler);
};

contextBridge.exposeInMainWorld('overlay', api);
