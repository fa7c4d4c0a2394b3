import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';

// The whole bridge: invoke a contract method, subscribe to an event. No raw ipcRenderer, no env.
const bridge = {
  invoke: (method: string, input: unknown): Promise<unknown> => ipcRenderer.invoke('rpc', method, input),
  subscribe: (name: string, listener: (payload: unknown) => void): (() => void) => {
    const handler = (_e: IpcRendererEvent, eventName: string, payload: unknown) => {
      if (eventName === name) listener(payload);
    };
    ipcRenderer.on('event', handler);
    return () => ipcRenderer.off('event', handler);
  },
};

contextBridge.exposeInMainWorld('podcastflow', bridge);
