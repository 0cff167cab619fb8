/**
 * `tinysense upload`: puts a `tinysense build` output folder on a board
 * through the real espruino CLI (serial, Bluetooth or tcp://), so that a
 * failed or interrupted upload never leaves the board without a runnable app.
 *
 * 1. Ask the board which of the files it has already (size and E.CRC32 of
 *    each Storage file): unchanged files (a model between app edits) are not
 *    sent again.
 * 2. One upload script, run line by line on the board: write each changed
 *    file under a temporary name (tsup.0, tsup.1, ...) in chunks, then verify
 *    every temporary file's size and CRC on the board. Only when all match,
 *    write the journal (tsup.json: temporary -> final names) and the boot
 *    file, then load(). On a mismatch the temporaries are erased and the
 *    previous app is started again.
 * 3. The boot file (.bootcde, which Espruino runs at power-on and on load())
 *    first completes a journal if there is one (copy each temporary to its
 *    final name, drop the journal, erase the temporaries; safe to repeat if
 *    power fails half way), or else erases temporaries an unfinished upload
 *    left, then runs the app from tinysense.app.js.
 * Until the journal exists, the old files and the old boot file are untouched.
 *
 * On Bangle.js, .bootcde is the launcher's boot code: the uploaded app
 * replaces it as what the watch runs (as the Web IDE's "Save to Flash" does);
 * reinstall the Bootloader app from the App Loader to go back.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from './build/boards.js';
import { crc32 } from './compiler/crc32.js';

/** Storage name of the app bundle on the board. */
export const APP_FILE = 'tinysense.app.js';
/** The boot file the loader goes into. */
export const BOOT_FILE = '.bootcde';
/** The journal of a switch-over in progress. */
export const JOURNAL_FILE = 'tsup.json';
const TEMP_PREFIX = 'tsup.';
/** Espruino's Storage file names are at most 28 characters. */
const MAX_NAME = 28;
/** Bytes per Storage.write line: 1 KB of base64, small enough for a board's input line and RAM. */
const CHUNK_BYTES = 768;
/** A progress line every this many bytes written. */
const PROGRESS_EVERY = 8 * 1024;
/** Marker of the upload's own lines in the board's output. */
const MARK = 'TSUP';

// ---------------------------------------------------------------- the espruino CLI

const CLI_PATH = createRequire(import.meta.url).resolve('espruino/bin/espruino-cli.js');
const BLE_ADDRESS = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;
const LOOPBACK_TCP = /^tcp:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

export interface CliRunOptions {
  /** Serial device, Bluetooth address or tcp://host:port. */
  port: string;
  /** Arguments after the port ones (a file to upload, -e ..., --config ...). */
  args: string[];
  /** Every line the board printed, as it arrives (without the CLI's "--] " prefix and terminal codes). */
  onDeviceLine?: (line: string) => void;
  /** True when the session has what it came for: the CLI is stopped if it does not exit by itself soon after. */
  doneWhen?: (line: string) => boolean;
  timeoutMs: number;
  cwd?: string;
}

export interface CliRunResult {
  /** Lines the board printed. */
  deviceLines: string[];
  /** The CLI's own messages (stdout and stderr). */
  cliLines: string[];
  /** doneWhen matched a line. */
  done: boolean;
  exitCode: number | null;
}

/** The CLI arguments that select the port; Bluetooth stays off unless the port is a Bluetooth address (it crashes without D-Bus). */
export function portArgs(port: string): string[] {
  return BLE_ADDRESS.test(port) ? ['-p', port] : ['--no-ble', '-p', port];
}

/**
 * Options for a board on this machine (the simulator's virtual device): no pause after each
 * Storage write. Real boards keep the CLI's default pauses, which stop a fast link from
 * overrunning the board's input buffer.
 */
export function linkArgs(port: string): string[] {
  return LOOPBACK_TCP.test(port) ? ['--config', 'STORAGE_UPLOAD_METHOD=1'] : [];
}

/** Strips what the terminal protocol adds to a printed line: the prompt's '>' and VT100 codes. */
function deviceText(line: string): string {
  return line.replace(/\x1b\[[0-9;]*[A-Za-z]/g, '').replace(/\r/g, '').replace(/^>+/, '');
}

/** Runs the espruino CLI once; resolves when it exits (or is stopped after doneWhen or the timeout). */
export function runEspruinoCli(options: CliRunOptions): Promise<CliRunResult> {
  const result: CliRunResult = { deviceLines: [], cliLines: [], done: false, exitCode: null };
  const child: ChildProcess = spawn(process.execPath, [CLI_PATH, ...portArgs(options.port), ...options.args], {
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let finished = false;
    let grace: NodeJS.Timeout | undefined;
    const timeout = setTimeout(() => {
      child.kill('SIGTERM');
      finish(new Error(`the espruino CLI on ${options.port} did not finish within ${Math.round(options.timeoutMs / 1000)} s`));
    }, options.timeoutMs);
    const finish = (error?: Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timeout);
      if (grace) clearTimeout(grace);
      if (error) reject(error);
      else resolve(result);
    };
    const onLine = (line: string) => {
      // The CLI prints what the board sends as "--] <line>"; everything else is its own.
      if (!line.startsWith('--] ')) {
        if (line.trim()) result.cliLines.push(line);
        return;
      }
      const text = deviceText(line.slice(4));
      result.deviceLines.push(text);
      // The CLI's process.env query and its empty print() are protocol, not the board's output.
      if (text !== '' && !/^< << .* >> >$/.test(text)) options.onDeviceLine?.(text);
      if (!result.done && options.doneWhen?.(text)) {
        result.done = true;
        // The CLI exits 0.5 s after the board goes quiet; an app that keeps printing would keep it open.
        grace = setTimeout(() => child.kill('SIGTERM'), 1000);
      }
    };
    lines(child.stdout!, onLine);
    lines(child.stderr!, (line) => {
      if (line.trim()) result.cliLines.push(line);
    });
    child.on('error', (e) => finish(e));
    child.on('close', (code) => {
      result.exitCode = code;
      finish();
    });
  });
}

function lines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = '';
  stream.setEncoding('latin1');
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      onLine(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
  });
}

/** The marker line `TSUP <word> <rest>` in a board line, if it is one. */
function marker(line: string): { word: string; rest: string } | undefined {
  const m = new RegExp(`${MARK} (\\w+)(?: (.*))?$`).exec(line);
  return m ? { word: m[1], rest: m[2] ?? '' } : undefined;
}

// ---------------------------------------------------------------- what goes on the board

export interface UploadFile {
  /** Storage name on the board. */
  name: string;
  bytes: Uint8Array;
}

/** The files of a build folder: the bundle as APP_FILE, and every model pack (.tsm) and kernel blob (.bin). */
export function readBuildFolder(dir: string, board: string): UploadFile[] {
  const bundle = join(dir, 'app.js');
  if (!existsSync(bundle)) throw new Error(`${dir} has no app.js; run \`tinysense build\` first`);
  const budgetPath = join(dir, 'budget.json');
  if (existsSync(budgetPath)) {
    const built = (JSON.parse(readFileSync(budgetPath, 'utf8')) as { board?: string }).board;
    if (built && built.toLowerCase() !== board.toLowerCase()) throw new Error(`${dir} was built for ${built}, not ${board}; build it for ${board} first`);
  }
  // Which files go to Storage is the simulator's rule (readBuiltApp): the same build runs in both.
  const data = readdirSync(dir)
    .filter((name) => name.endsWith('.tsm') || name.endsWith('.bin'))
    .sort();
  const files = [...data.map((name) => ({ name, bytes: new Uint8Array(readFileSync(join(dir, name))) })), { name: APP_FILE, bytes: new Uint8Array(readFileSync(bundle)) }];
  for (const f of files) {
    if (f.name.length > MAX_NAME) throw new Error(`${f.name}: Storage file names are at most ${MAX_NAME} characters`);
    if (f.name.startsWith(TEMP_PREFIX) || f.name === BOOT_FILE) throw new Error(`${f.name}: that Storage name is the uploader's own`);
    if (f.bytes.length === 0) throw new Error(`${join(dir, f.name)} is empty`);
  }
  return files;
}

/** The one `tinysense build` output folder for this board under `root` (build's default is dist/<app>-<BOARD>). */
export function findBuildFolder(board: string, root = 'dist'): string {
  const suffix = `-${board.toLowerCase()}`;
  const found = existsSync(root)
    ? readdirSync(root)
        .filter((d) => d.toLowerCase().endsWith(suffix) && existsSync(join(root, d, 'app.js')))
        .sort()
    : [];
  if (found.length === 1) return join(root, found[0]);
  throw new UploadError(
    found.length
      ? `${root}/ has several builds for ${board} (${found.join(', ')}): choose one with --dir`
      : `${root}/ has no build for ${board}: run \`tinysense build <app> --board ${board}\` first, or give --dir`,
  );
}

/** The boot file: completes a journalled switch-over, then runs the app. Plain ES5: it runs on the board. */
export function loaderCode(): string {
  return (
    `(function(s){var j=s.read(${JSON.stringify(JOURNAL_FILE)});` +
    // No journal: temporaries are what an unfinished upload left; they only take space.
    `if(!j){s.list(/^tsup\\.\\d+$/).forEach(function(n){s.erase(n);});return;}j=JSON.parse(j);` +
    `j.forEach(function(p){s.write(p[1],s.read(p[0]));});s.erase(${JSON.stringify(JOURNAL_FILE)});` +
    `j.forEach(function(p){s.erase(p[0]);});})(require("Storage"));\n` +
    `eval(require("Storage").read(${JSON.stringify(APP_FILE)})||"");\n`
  );
}

/**
 * The Storage files of an installed app besides its data files: the bundle and the boot file.
 * `simulate --serve` puts them on the simulated board so load() and E.reboot() restart the app, as
 * they would after `tinysense upload`.
 */
export function bootFiles(bundle: Uint8Array): Record<string, Uint8Array> {
  return { [APP_FILE]: bundle, [BOOT_FILE]: new Uint8Array(Buffer.from(loaderCode(), 'latin1')) };
}

interface PlannedFile extends UploadFile {
  temp: string;
  crc: number;
}

/**
 * The script the CLI sends: one statement per line (the CLI runs each line with echo off).
 * Storage writes are `require("Storage").write(...)` exactly as the CLI writes them itself,
 * so the CLI paces them the same way.
 */
export function uploadScript(changed: UploadFile[]): string {
  const planned: PlannedFile[] = changed.map((f, i) => ({ ...f, temp: `${TEMP_PREFIX}${i}`, crc: crc32(f.bytes) }));
  const total = planned.reduce((n, f) => n + f.bytes.length, 0);
  const lines: string[] = [`print("${MARK} begin ${total}")`];
  // Leftovers of an earlier upload that never switched over.
  lines.push(`require("Storage").erase(${JSON.stringify(JOURNAL_FILE)})`);
  for (const f of planned) lines.push(`require("Storage").erase(${JSON.stringify(f.temp)})`);
  let written = 0;
  let reported = 0;
  for (const f of planned) {
    for (let at = 0; at < f.bytes.length; at += CHUNK_BYTES) {
      const part = Buffer.from(f.bytes.subarray(at, at + CHUNK_BYTES)).toString('base64');
      const size = at === 0 ? `,${f.bytes.length}` : '';
      lines.push(`require("Storage").write(${JSON.stringify(f.temp)},atob("${part}"),${at}${size})`);
      written += Math.min(CHUNK_BYTES, f.bytes.length - at);
      if (written - reported >= PROGRESS_EVERY || at + CHUNK_BYTES >= f.bytes.length) {
        lines.push(`print("${MARK} wrote ${written}/${total}")`);
        reported = written;
      }
    }
  }
  lines.push(`print("${MARK} verify")`);
  const table = JSON.stringify(planned.map((f) => [f.temp, f.bytes.length, f.crc, f.name]));
  lines.push(
    `(function(s){var f=${table},bad=[];` +
      `f.forEach(function(x){var d=s.read(x[0]);if(d===undefined||d.length!=x[1]||(E.CRC32(d)>>>0)!=x[2])bad.push(x[3]);});` +
      `if(bad.length){f.forEach(function(x){s.erase(x[0]);});print("${MARK} failed "+bad.join(","));load();return;}` +
      `if(f.length)s.write(${JSON.stringify(JOURNAL_FILE)},JSON.stringify(f.map(function(x){return [x[0],x[3]];})));` +
      `s.write(${JSON.stringify(BOOT_FILE)},${JSON.stringify(loaderCode())});` +
      `print("${MARK} ok");load();})(require("Storage"))`,
  );
  return lines.join('\n') + '\n';
}

/** The expression that prints, for each name, [length, CRC32] of the Storage file or null. */
function inventoryExpression(names: string[]): string {
  return (
    `print("${MARK} have "+JSON.stringify(${JSON.stringify(names)}.map(function(n){` +
    `var d=require("Storage").read(n);return d===undefined?null:[d.length,E.CRC32(d)>>>0];})))`
  );
}

// ---------------------------------------------------------------- uploadApp

export type UploadProgress =
  | { phase: 'checking' }
  | { phase: 'writing'; bytes: number; totalBytes: number; skipped: string[] }
  | { phase: 'verifying' }
  | { phase: 'done'; sentBytes: number; skipped: string[] };

export interface UploadOptions {
  /** A `tinysense build` output folder. */
  dir: string;
  /** The board it was built for (checked against the folder's budget.json). */
  board: string;
  /** Serial device, Bluetooth address, or tcp://host:port (the simulator's `--serve`). */
  port: string;
  onProgress?: (progress: UploadProgress) => void;
  /** Lines the board prints during the upload (its app's output after the switch, errors). */
  onDeviceLine?: (line: string) => void;
  /** Send every file even when the board has an identical copy (default false). */
  force?: boolean;
  /** Give up after this long (default: 60 s plus 4 ms per byte to send, enough for Bluetooth). */
  timeoutMs?: number;
}

export interface UploadResult {
  /** Storage names written, and those the board had already. */
  sent: string[];
  skipped: string[];
  sentBytes: number;
}

export class UploadError extends Error {}

export async function uploadApp(options: UploadOptions): Promise<UploadResult> {
  const board = loadBoard(options.board);
  if (board.engine !== 'espruino') throw new UploadError(`${board.id} runs ${board.engine}, not Espruino: the espruino CLI cannot upload to it`);
  const files = readBuildFolder(options.dir, board.id);
  const progress = options.onProgress ?? (() => undefined);
  progress({ phase: 'checking' });
  const unchanged = options.force ? new Set<string>() : await filesOnBoard(options.port, files);
  const changed = files.filter((f) => !unchanged.has(f.name));
  const skipped = files.filter((f) => unchanged.has(f.name)).map((f) => f.name);
  const totalBytes = changed.reduce((n, f) => n + f.bytes.length, 0);

  const work = mkdtempSync(join(tmpdir(), 'tinysense-upload-'));
  try {
    // The CLI takes the script as a file; its name must end in .js for the CLI to see it as one.
    const script = join(work, 'upload.js');
    writeFileSync(script, uploadScript(changed));
    progress({ phase: 'writing', bytes: 0, totalBytes, skipped });
    let outcome: { ok: true } | { ok: false; bad: string } | undefined;
    const errors: string[] = [];
    let run: CliRunResult | undefined;
    let failure: string | undefined;
    try {
      run = await runEspruinoCli({
        port: options.port,
        args: [...linkArgs(options.port), script],
        cwd: work,
        timeoutMs: options.timeoutMs ?? 60_000 + 4 * totalBytes,
        onDeviceLine: (line) => {
          const m = marker(line);
          if (!m) {
            if (/^(Uncaught |ERROR)/.test(line)) errors.push(line);
            options.onDeviceLine?.(line);
          } else if (m.word === 'wrote') {
            progress({ phase: 'writing', bytes: Number(m.rest.split('/')[0]), totalBytes, skipped });
          } else if (m.word === 'verify') {
            progress({ phase: 'verifying' });
          } else if (m.word === 'ok') {
            outcome = { ok: true };
          } else if (m.word === 'failed') {
            outcome = { ok: false, bad: m.rest };
          }
        },
        doneWhen: (line) => ['ok', 'failed'].includes(marker(line)?.word ?? ''),
      });
    } catch (e) {
      failure = (e as Error).message;
    }
    const boardSaid = errors.length ? ` The board said: ${errors.slice(0, 3).join(' | ')}` : '';
    if (outcome?.ok) {
      progress({ phase: 'done', sentBytes: totalBytes, skipped });
      return { sent: changed.map((f) => f.name), skipped, sentBytes: totalBytes };
    }
    if (outcome) {
      throw new UploadError(`the board's copy of ${outcome.bad} differs from ${options.dir}: nothing was switched, and the previous app was started again.${boardSaid}`);
    }
    failure ??= cliProblem(run).replace(/^ \((.*)\)$/, '$1') || 'the connection ended first';
    const restarted = await restartPreviousApp(options.port);
    throw new UploadError(
      `the upload to ${options.port} did not finish (${failure}): nothing was switched, the previously installed app is still the one that boots` +
        `${restarted ? ', and it was started again' : ''}.${boardSaid}`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The CLI's own complaint (cannot connect, port not found), as " (...)", or "". */
export function cliProblem(run: CliRunResult | undefined): string {
  const line = run?.cliLines.find((l) => /unable to connect|not found|error|ECONNREFUSED/i.test(l));
  return line ? ` (${line.trim()})` : '';
}

/** Names of the files the board has with the same length and CRC32 already. */
async function filesOnBoard(port: string, files: UploadFile[]): Promise<Set<string>> {
  let have: ([number, number] | null)[] | undefined;
  const run = await runEspruinoCli({
    port,
    args: ['-e', inventoryExpression(files.map((f) => f.name))],
    timeoutMs: 30_000,
    onDeviceLine: (line) => {
      const m = marker(line);
      if (m?.word === 'have') have = JSON.parse(m.rest) as ([number, number] | null)[];
    },
    doneWhen: (line) => marker(line)?.word === 'have',
  });
  if (!have) throw new UploadError(`no answer from a board on ${port}${cliProblem(run)}: is it connected, and is the port right?`);
  const found = have;
  return new Set(files.filter((f, i) => found[i] !== null && found[i]![0] === f.bytes.length && found[i]![1] === crc32(f.bytes)).map((f) => f.name));
}

/** After an upload that stopped half way the board sits reset: try once to run its boot code again. */
async function restartPreviousApp(port: string): Promise<boolean> {
  try {
    const run = await runEspruinoCli({ port, args: ['-e', `load();print("${MARK} restarted")`], timeoutMs: 15_000, doneWhen: (l) => marker(l)?.word === 'restarted' });
    return run.done;
  } catch {
    return false;
  }
}
