/**
 * A simulated board served as a network Espruino: a TCP console on
 * 127.0.0.1 that the unmodified `espruino` CLI (and telnet, nc) connects
 * to, as it would to an Espruino's telnet console:
 *
 *   const served = await serveBoard(sim.board, { port: 8023 });
 *   // npx espruino --no-ble -p tcp://127.0.0.1:8023 app.js
 *   await served.close();
 *
 * Lines typed or uploaded run in the board's interpreter (host/sim/console/
 * session.ts has the console rules); reset(), load() and E.reboot() restart
 * it from Storage (console/firmware.ts). Virtual time follows the wall clock
 * while served, so timers in uploaded code run as they would on the board.
 *
 * Flow control is TCP's: each chunk received is run before the next is read,
 * so a fast upload is never dropped. No XON/XOFF is sent (Espruino sends those
 * on USB and Bluetooth consoles only, and CLI 0.1.67 does not act on them).
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { StringDecoder } from 'node:string_decoder';
import vm from 'node:vm';
import type { EspruinoBoard } from './espruino.js';
import { VirtualFirmware, tapOutput } from './console/firmware.js';
import { ConsoleHost, ConsoleSession, LineResult } from './console/session.js';

export interface ServeOptions {
  /** TCP port; 0 picks a free one (see the result's port). */
  port: number;
  /** Interface to listen on (default 127.0.0.1: the board is reachable from this machine only). */
  host?: string;
  /** Advance virtual time with the wall clock while served (default true). */
  realTime?: boolean;
  /** How often virtual time catches up with the wall clock, in ms (default 10). */
  tickMs?: number;
  /** A console line running longer than this is stopped (default 10000 ms): a loop typed by mistake must not hang the host. */
  lineTimeoutMs?: number;
  /** Connection events and console errors, for the server's own log. */
  log?: (message: string) => void;
  /**
   * Keep a board's pace: work the board does in one go (E.CRC32 here) holds its output and its
   * input back for as long as it would take on the board, so a client sees the silence a real
   * board makes (the espruino CLI hangs up after 500 ms of it). Default: instant.
   */
  boardTime?: { crcMsPerByte: number };
}

/**
 * E.CRC32 on Espruino 2v29: 593 ms for 316,962 bytes, measured on its Arm (qemu-arm) build
 * (issue 18). A board at 64 MHz is of the same order.
 */
export const CRC_MS_PER_BYTE = 593 / 316_962;

export interface ServedBoard {
  readonly port: number;
  readonly host: string;
  /** What to give the espruino CLI: tcp://host:port. */
  readonly address: string;
  /** Open console connections. */
  connections(): number;
  /** Stops serving: closes every connection and the port, stops the clock. */
  close(): Promise<void>;
}

/** The most virtual time one tick may catch up (after the host was suspended, say). */
const MAX_CATCH_UP_MS = 5000;

export async function serveBoard(board: EspruinoBoard, options: ServeOptions): Promise<ServedBoard> {
  const host = options.host ?? '127.0.0.1';
  const log = options.log ?? (() => undefined);
  if (options.boardTime) board.costs.crcMsPerByte = options.boardTime.crcMsPerByte;
  // Board time: work done since `markBusy` finishes at `markAt` + (busyMs - markBusy) on the wall clock.
  let markAt = performance.now();
  let markBusy = board.busyMs;
  const boardNow = () => markAt + (board.busyMs - markBusy);
  /** Starts a turn of the board's loop: its clock catches up with the wall clock when it was idle. */
  const startTurn = () => {
    const now = performance.now();
    if (boardNow() < now) {
      markAt = now;
      markBusy = board.busyMs;
    }
  };
  /** What a socket gets, in order, each piece not before the board time it was printed at. */
  const paced = (socket: net.Socket) => {
    const queue: { at: number; text: string }[] = [];
    let timer: NodeJS.Timeout | undefined;
    const pump = () => {
      timer = undefined;
      const now = performance.now();
      while (queue.length && queue[0].at <= now) {
        const { text } = queue.shift()!;
        if (!socket.destroyed) socket.write(Buffer.from(text, 'utf8'));
      }
      if (queue.length) timer = setTimeout(pump, queue[0].at - now);
    };
    return (text: string) => {
      queue.push({ at: boardNow(), text });
      if (!timer) pump();
    };
  };
  const sessions = new Set<ConsoleSession>();
  const sockets = new Set<net.Socket>();
  let running: ConsoleSession | undefined;

  const broadcast = (text: string) => {
    for (const session of sessions) session.output(text);
  };
  const firmware = new VirtualFirmware(board, {
    print: broadcast,
    setEcho: (on) => running?.setEcho(on),
  });
  firmware.install();
  const untap = tapOutput(board, (line) => broadcast(line + '\n'));

  /** The end of one turn of Espruino's idle loop: pending restarts, then the prompts come back. */
  const endOfLoop = () => {
    firmware.runPending();
    for (const session of sessions) session.returnInputLine();
  };

  const consoleHost: ConsoleHost = {
    execute(line: string, session: ConsoleSession): LineResult {
      running = session;
      try {
        const value = vm.runInContext(line, board.context, { filename: 'REPL', timeout: options.lineTimeoutMs ?? 10000 }) as unknown;
        // An OUT OF MEMORY the line's code caught still interrupted it, as on the board.
        if (board.endExecution()) return { ok: false };
        return { ok: true, value };
      } catch (e) {
        // OUT OF MEMORY: "Execution Interrupted", not an uncaught error.
        if (board.endExecution(e)) return { ok: false };
        const error = e instanceof Error || (e && typeof e === 'object' && 'message' in e) ? (e as Error) : new Error(String(e));
        const interrupted = (e as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT';
        const text = interrupted ? 'Execution Interrupted' : `Uncaught ${error.name ?? 'Error'}: ${error.message}`;
        broadcast(text + '\n');
        log(`console: ${text}`);
        return { ok: false };
      } finally {
        running = undefined;
      }
    },
    afterLine: () => firmware.runPending(),
    identify: () => {
      const env = board.evaluate('process.env') as { VERSION?: string; BOARD?: string };
      return `Espruino ${env.VERSION ?? ''} ${env.BOARD ?? ''}`;
    },
  };

  const server = net.createServer((socket) => {
    socket.setNoDelay(true);
    sockets.add(socket);
    // The CLI writes its strings with Node's default UTF-8: decoding UTF-8 gives back the characters it meant.
    const decoder = new StringDecoder('utf8');
    const session = new ConsoleSession(paced(socket), consoleHost);
    sessions.add(session);
    log(`console: ${socket.remoteAddress}:${socket.remotePort} connected`);
    socket.on('data', (chunk: Buffer) => {
      startTurn();
      session.receive(decoder.write(chunk));
      endOfLoop();
      // A board busy for a while reads nothing more until it is done (TCP holds the rest).
      const wait = boardNow() - performance.now();
      if (wait > 1) {
        socket.pause();
        setTimeout(() => socket.resume(), wait);
      }
    });
    socket.on('close', () => {
      sessions.delete(session);
      sockets.delete(socket);
      log(`console: ${socket.remoteAddress}:${socket.remotePort} disconnected`);
    });
    // A client that vanishes mid-upload is a normal end of its session, not a server error.
    socket.on('error', () => undefined);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;

  let clock: NodeJS.Timeout | undefined;
  if (options.realTime !== false) {
    let last = performance.now();
    clock = setInterval(() => {
      startTurn();
      const now = performance.now();
      const step = Math.min(now - last, MAX_CATCH_UP_MS);
      last = now;
      board.advance(step);
      endOfLoop();
    }, options.tickMs ?? 10);
  }

  return {
    port,
    host,
    address: `tcp://${host}:${port}`,
    connections: () => sockets.size,
    close: async () => {
      if (clock) clearInterval(clock);
      for (const socket of sockets) socket.destroy();
      untap();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
