// Shared by the test/serve tests: a served simulated board, a raw TCP console client, the real
// espruino CLI as a process, a fake build folder, and a TCP proxy that can cut or corrupt a link.
// Everything listens on 127.0.0.1 at ports picked free at runtime, and every wait is bounded.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { AccelSample, EspruinoBoard } from '../../host/sim/espruino.js';
import { ServeOptions, ServedBoard, serveBoard } from '../../host/sim/serve.js';
import { lcg } from '../shared.js';

export interface ServedTestBoard {
  board: EspruinoBoard;
  served: ServedBoard;
  /** Every console line the board printed (as the Simulation's log gets them). */
  output: string[];
  /** Resolves when a printed line matches (or rejects after timeoutMs). */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export async function startBoard(boardId = 'BANGLEJS2', accel?: (t: number) => AccelSample | undefined, serve: Partial<ServeOptions> = {}): Promise<ServedTestBoard> {
  const output: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  const board = new EspruinoBoard(simBoardInfo(loadBoard(boardId)), {
    output: (line) => {
      output.push(line);
      for (const w of [...waiters]) {
        if (w.pattern.test(line)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    },
    accel,
  });
  const served = await serveBoard(board, { port: 0, ...serve });
  const waitForOutput = (pattern: RegExp, timeoutMs = 5000) => {
    const seen = output.find((l) => pattern.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no board output matching ${pattern} within ${timeoutMs} ms; got:\n${output.join('\n')}`)), timeoutMs);
      waiters.push({
        pattern,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
    });
  };
  return { board, served, output, waitForOutput };
}

/** A raw TCP console: what a telnet user would see. */
export class TcpConsole {
  received = '';
  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (this.received += d));
  }

  static connect(port: number): Promise<TcpConsole> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => resolve(new TcpConsole(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits until what arrived since `from` matches; returns that text. */
  async waitFor(pattern: RegExp, from = 0, timeoutMs = 3000): Promise<string> {
    const until = Date.now() + timeoutMs;
    while (!pattern.test(this.received.slice(from))) {
      if (Date.now() > until) throw new Error(`console: no ${pattern} within ${timeoutMs} ms; received ${JSON.stringify(this.received.slice(from))}`);
      await sleep(5);
    }
    return this.received.slice(from);
  }

  /** Sends `text` and waits for the console's answer to match. */
  async exchange(text: string, pattern: RegExp, timeoutMs = 3000): Promise<string> {
    const from = this.received.length;
    this.send(text);
    return this.waitFor(pattern, from, timeoutMs);
  }

  close(): void {
    this.socket.destroy();
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CLI = createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');

/** Runs the real espruino CLI to its end (bounded); stdout and stderr as text. */
export function espruinoCli(args: string[], cwd: string, timeoutMs = 20000): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`espruino CLI ${args.join(' ')} still running after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code });
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `tinysense-${prefix}-`));
}

/** Deterministic bytes (no randomness in tests). */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  const next = lcg(seed);
  for (let i = 0; i < length; i++) out[i] = next() >>> 24;
  return out;
}

/**
 * A build folder as `tinysense build` writes it for a board: app.js, a model pack, the kernel blob and
 * budget.json. The app prints `app <version> model <length> <crc>` from the pack it reads, then keeps
 * printing `app <version> alive`.
 */
export function fakeBuild(version: string, board = 'BANGLEJS2', modelBytes = 20000, sizes: { blobBytes?: number; bundlePad?: number; modelSeed?: string } = {}): string {
  const dir = tempDir(`build-${version}`);
  mkdirSync(dir, { recursive: true });
  const seed = sizes.modelSeed ?? version;
  writeFileSync(join(dir, 'gesture.tsm'), patternBytes(modelBytes, seed.length * 7919 + seed.charCodeAt(seed.length - 1)));
  writeFileSync(join(dir, 'tinysense-m4.bin'), patternBytes(sizes.blobBytes ?? 5000, 42));
  writeFileSync(join(dir, 'budget.json'), JSON.stringify({ board }) + '\n');
  writeFileSync(
    join(dir, 'app.js'),
    `(function () {
  var pack = require("Storage").read("gesture.tsm");
  print("app ${version} model " + pack.length + " " + (E.CRC32(pack) >>> 0));
  setInterval(function () { print("app ${version} alive"); }, 200);
})();
${sizes.bundlePad ? `// ${'x'.repeat(sizes.bundlePad)}\n` : ''}`,
  );
  return dir;
}

export interface Proxy {
  port: number;
  address: string;
  /** Connections made through it so far. */
  connections: number;
  close(): Promise<void>;
}

/** What to do to the client-to-board bytes of one connection (by its index, 0 first). */
export type LinkFault = { cutAfterBytes: number } | { corruptBase64: true } | undefined;

/**
 * A TCP proxy in front of a served board. A cut ends the connection as a dropped link would; a
 * corruption changes one base64 character of the second `atob("...")` payload the client sends,
 * as a link that flips a bit would.
 */
export async function faultyProxy(targetPort: number, faultFor: (connection: number) => LinkFault): Promise<Proxy> {
  const sockets = new Set<net.Socket>();
  let count = 0;
  const server = net.createServer((client) => {
    const fault = faultFor(count++);
    const board = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, board]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    board.on('data', (d) => client.write(d));
    board.on('close', () => client.end());
    client.on('close', () => board.destroy());
    let sent = 0;
    const corrupt = fault && 'corruptBase64' in fault ? base64Corrupter() : undefined;
    client.on('data', (d: Buffer) => {
      if (fault && 'cutAfterBytes' in fault) {
        const room = fault.cutAfterBytes - sent;
        sent += d.length;
        if (room <= 0) return;
        board.write(d.subarray(0, room));
        if (sent >= fault.cutAfterBytes) {
          board.destroy();
          client.end();
        }
        return;
      }
      board.write(corrupt ? corrupt(d) : d);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    address: `tcp://127.0.0.1:${port}`,
    get connections() {
      return count;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Changes the 10th character of the second atob("...") payload in a byte stream, across chunk boundaries. */
function base64Corrupter(): (chunk: Buffer) => Buffer {
  const pattern = Buffer.from('atob("');
  let matched = 0;
  let payloads = 0;
  let countdown = -1;
  return (chunk) => {
    const out = Buffer.from(chunk);
    for (let i = 0; i < out.length; i++) {
      if (countdown > 0 && --countdown === 0) {
        out[i] = out[i] === 0x41 ? 0x42 : 0x41; // 'A' <-> 'B': still base64, different bytes
        continue;
      }
      matched = out[i] === pattern[matched] ? matched + 1 : out[i] === pattern[0] ? 1 : 0;
      if (matched === pattern.length) {
        matched = 0;
        if (++payloads === 2) countdown = 10;
      }
    }
    return out;
  };
}
