/**
 * `tinysense dev`: a live page for an app (docs/dev.md). The simulator runs
 * the app's bundle on a trace (host/dev/session.ts), or the page follows a
 * board on a port (host/dev/port.ts); host/dev/server.ts serves the page.
 *
 *   const dev = await startDev({ app: 'examples/gesture', board: 'BANGLEJS2' });
 *   console.log(dev.url);
 *   await dev.close();
 */
import { DevSession, type DevSessionOptions } from './session.js';
import { startDevServer, type DevSource } from './server.js';

export interface StartDevOptions extends DevSessionOptions {
  /** Follow a board on this port (serial, Bluetooth address, tcp://host:port) instead of simulating. */
  port?: string;
  /** The page's HTTP port (default 0: a free one). */
  httpPort?: number;
}

export interface DevHandle {
  url: string;
  source: DevSource;
  /** The simulator session (absent with --port). */
  session?: DevSession;
  close(): Promise<void>;
}

export async function startDev(options: StartDevOptions): Promise<DevHandle> {
  let source: DevSource & { close(): void | Promise<void> };
  let session: DevSession | undefined;
  if (options.port) {
    const { PortSource } = await import('./port.js');
    const port = new PortSource({ port: options.port, board: options.board, app: options.app, log: options.log });
    await port.start();
    source = port;
  } else {
    session = new DevSession(options);
    await session.start();
    source = session;
  }
  const server = await startDevServer(source, { port: options.httpPort });
  return {
    url: server.url,
    source,
    session,
    close: async () => {
      await server.close();
      await source.close();
    },
  };
}

export { DevSession } from './session.js';
export type { DevSessionOptions } from './session.js';
export type { DevMessage, DevSnapshot, DevTick, DevState } from './protocol.js';
