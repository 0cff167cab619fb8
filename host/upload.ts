/**
 * `tinysense upload`: puts a `tinysense build` output folder on a board
 * through the real espruino CLI (serial, Bluetooth or tcp://), so that a
 * failed or interrupted upload never leaves the board without a runnable app.
 *
 * 1. Ask the board what it has (size and E.CRC32 of each file, Storage
 *    stats, a pending journal): unchanged files (a model between app edits)
 *    are not sent again, and the space decides how the files are switched
 *    (host/install.ts: staged, or in place when Storage cannot hold the old
 *    and the new app at once; refused up front when neither fits).
 * 2. One upload script, run line by line on the board: write, verify in
 *    16 KB CRC chunks (each prints a line, so the CLI, which hangs up after
 *    500 ms of quiet, stays connected), commit, load().
 * 3. The boot file finishes or rolls back the switch and runs the app; it
 *    prints `TSUP started <crc>` once the app's start code has run. Success
 *    is that line for the bundle sent, read back over the CLI (in a second
 *    session after a load() when the first one ended too early); anything
 *    else is an UploadError saying which app the board runs now.
 * Only the board's TSUP lines decide: the CLI's own messages are quoted when
 * the board never answered, never taken as the board's state.
 *
 * On Bangle.js, .bootcde is the watch's boot code: by default the app is
 * installed as the Bangle App Loader installs one instead (`<id>.app.js`,
 * `<id>.info`, listed by the launcher; host/install.ts), and .bootcde is not
 * touched. `layout: 'boot-code'` (`upload --boot-code`) replaces it knowingly,
 * as the Web IDE's "Save to Flash" does; reinstall the Bootloader app from the
 * App Loader to go back.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { loadBoard } from './bundler/boards.js';
import { engineOf } from './engines/index.js';
import { crc32 } from './compiler/crc32.js';
import {
  APP_FILE, BOOT_FILE, InstallMode, appLoaderBundle, appLoaderId, appLoaderInfo, appLoaderNames, InstallPlan, JOURNAL_FILE, JournalFile, MARK, MAX_NAME, TEMP_PREFIX, isInstallerName, journalText, loaderCode, planInstall,
} from './install.js';
import { storageCost } from './sim/storage.js';
import { parseEventLine } from './sim/event-line.js';

export { APP_FILE, BOOT_FILE, JOURNAL_FILE, loaderCode } from './install.js';
/** Bytes per Storage.write line: 1 KB of base64, small enough for a board's input line and RAM. */
const CHUNK_BYTES = 768;
/** A progress line every this many bytes written. */
const PROGRESS_EVERY = 8 * 1024;
/**
 * Bytes per verify line: one E.CRC32 over this much takes ~30 ms on a board (593 ms for 317 KB
 * measured on Espruino 2v29's Arm build), so the board prints well within the espruino CLI's
 * 500 ms: the CLI ends its session when the board has been quiet that long after the upload.
 */
const VERIFY_CHUNK = 16 * 1024;

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

/** What an upload script's run has said so far (followUpload). */
interface UploadLog {
  /** The board's own errors (uncaught exceptions, out of memory), for the failure message. */
  readonly said: string[];
  /** A file whose copy on the board did not verify. */
  verifyFailed?: string;
  /** The switch-over began (after it, the old app may be gone). */
  committed: boolean;
  /** Give it every line the board prints. */
  readonly onLine: (line: string) => void;
}

/**
 * Follows the lines of an upload script (boot-code or App Loader layout): writing and verifying
 * progress, the switch-over, the board's own errors; other lines go to options.onDeviceLine. The
 * markers each layout judges its own way (`failed`, `started`, the boot file's) go to onMarker.
 */
function followUpload(
  options: UploadOptions,
  totalBytes: number,
  skipped: string[],
  onMarker: (m: { word: string; rest: string }) => void,
): UploadLog {
  const progress = options.onProgress ?? (() => undefined);
  let verified = 0;
  const log: UploadLog = {
    said: [],
    committed: false,
    onLine: (line: string) => {
      const m = marker(line);
      if (!m) {
        if (/^(Uncaught |ERROR|OUT OF MEMORY|Execution Interrupted)/.test(line)) log.said.push(line);
        options.onDeviceLine?.(line);
        return;
      }
      if (m.word === 'wrote') progress({ phase: 'writing', bytes: Number(m.rest.split('/')[0]), totalBytes, skipped });
      else if (m.word === 'checked') progress({ phase: 'verifying', bytes: (verified += Math.min(VERIFY_CHUNK, totalBytes - verified)), totalBytes });
      else if (m.word === 'committed') {
        log.committed = true;
        progress({ phase: 'switching' });
      } else onMarker(m);
    },
  };
  return log;
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
    if (isInstallerName(f.name) || f.name === JOURNAL_FILE) throw new Error(`${f.name}: that Storage name is the uploader's own`);
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

/**
 * The Storage files of an installed app besides its data files: the bundle and the boot file.
 * `simulate --serve` puts them on the simulated board so load() and E.reboot() restart the app, as
 * they would after `tinysense upload`.
 */
export function bootFiles(bundle: Uint8Array): Record<string, Uint8Array> {
  return { [APP_FILE]: bundle, [BOOT_FILE]: new Uint8Array(Buffer.from(loaderCode(), 'latin1')) };
}

/** What the board has, from the inventory query. */
export interface BoardInventory {
  /** [length, CRC32] of each named file, or null. */
  files: Record<string, [number, number] | null>;
  /** require("Storage").getStats() */
  stats: { totalBytes: number; freeBytes: number; fileBytes: number; trashBytes: number };
  /** Length of the boot file, or -1 when there is none; and whether it is this uploader's loader. */
  bootLength: number;
  bootIsOurs: boolean;
  /** A journal of an unfinished install is on the board. */
  journal: boolean;
  /** Names of leftover temporaries (tsup.N). */
  temps: string[];
  /** Their lengths. */
  tempLengths: number[];
}

/**
 * The script that prints the board's inventory: one line per file (`TSUP has <i> [length,crc]`),
 * so that the board prints after each CRC (a 245 KB pack takes ~460 ms; all files at once would
 * pass the CLI's 500 ms of quiet), then `TSUP have {...}` with Storage's stats.
 */
export function inventoryScript(names: string[]): string {
  const lines = names.map(
    (n, i) => `(function(d){print("${MARK} has ${i} "+JSON.stringify(d===undefined?null:[d.length,E.CRC32(d)>>>0]));})(require("Storage").read(${JSON.stringify(n)}))`,
  );
  lines.push(
    `(function(s){var b=s.read(${JSON.stringify(BOOT_FILE)}),t=s.list(/^tsup\\.\\d+$/);` +
      `print("${MARK} have "+JSON.stringify({s:s.getStats(),b:b===undefined?-1:b.length,o:b!==undefined&&(E.CRC32(b)>>>0)==${crc32(Buffer.from(loaderCode(), 'latin1'))},` +
      `j:s.read(${JSON.stringify(JOURNAL_FILE)})!==undefined,t:t,l:t.map(function(n){return s.read(n).length;})}));})(require("Storage"))`,
  );
  return lines.join('\n') + '\n';
}

interface RawInventory {
  f: ([number, number] | null)[];
  s: BoardInventory['stats'];
  b: number;
  o: boolean;
  j: boolean;
  t: string[];
  l: number[];
}

function parseInventory(names: string[], raw: RawInventory): BoardInventory {
  const files: BoardInventory['files'] = {};
  names.forEach((n, i) => (files[n] = raw.f[i] ?? null));
  return { files, stats: raw.s, bootLength: raw.b, bootIsOurs: raw.o, journal: raw.j, temps: raw.t, tempLengths: raw.l };
}

/** The install plan for this board: the changed files against what it holds now. */
export function planForBoard(files: UploadFile[], changed: UploadFile[], inv: BoardInventory): InstallPlan {
  const loaderBytes = Buffer.byteLength(loaderCode(), 'latin1');
  const oldChanged = changed.reduce((n, f) => n + (inv.files[f.name] ? storageCost(inv.files[f.name]![0]) : 0), 0);
  // Live files now, minus what the install erases first (leftover temporaries, an old journal's
  // bytes are small and counted as kept), with our boot file in place of the current one.
  const leftovers = inv.tempLengths.reduce((n, l) => n + storageCost(l), 0);
  const boot = inv.bootLength >= 0 ? storageCost(inv.bootLength) : 0;
  const base = inv.stats.fileBytes - leftovers - boot + storageCost(loaderBytes);
  const old = changed.filter((f) => inv.files[f.name]).map((f) => ({ name: f.name, bytes: inv.files[f.name]![0] }));
  void files;
  return planInstall({ capacity: inv.stats.totalBytes, base, changed: changed.map((f) => ({ name: f.name, bytes: f.bytes.length })), oldChanged }, old);
}

/** Lines that write `f` under `target` in chunks, with progress lines. */
function writeLines(f: UploadFile, target: string, progress: { written: number; reported: number; total: number }): string[] {
  const lines: string[] = [];
  for (let at = 0; at < f.bytes.length; at += CHUNK_BYTES) {
    const part = Buffer.from(f.bytes.subarray(at, at + CHUNK_BYTES)).toString('base64');
    const size = at === 0 ? `,${f.bytes.length}` : '';
    lines.push(`require("Storage").write(${JSON.stringify(target)},atob("${part}"),${at}${size})`);
    progress.written += Math.min(CHUNK_BYTES, f.bytes.length - at);
    if (progress.written - progress.reported >= PROGRESS_EVERY || at + CHUNK_BYTES >= f.bytes.length) {
      lines.push(`print("${MARK} wrote ${progress.written}/${progress.total}")`);
      progress.reported = progress.written;
    }
  }
  return lines;
}

/** Lines that check `f` as stored under `name`, VERIFY_CHUNK bytes per line, each printing its result. */
function verifyLines(f: UploadFile, name: string): string[] {
  const lines: string[] = [];
  for (let at = 0; at < f.bytes.length; at += VERIFY_CHUNK) {
    const part = f.bytes.subarray(at, at + VERIFY_CHUNK);
    const last = at + VERIFY_CHUNK >= f.bytes.length;
    lines.push(`tsupCheck(${JSON.stringify(name)},${JSON.stringify(f.name)},${at},${part.length},${crc32(part)},${last ? f.bytes.length : -1})`);
  }
  return lines;
}

/**
 * The script the CLI sends: one statement per line (the CLI runs each line with echo off).
 * Storage writes are `require("Storage").write(...)` exactly as the CLI writes them itself,
 * so the CLI paces them the same way. See host/install.ts for the two modes.
 */
export function uploadScript(changed: UploadFile[], mode: InstallMode, inv?: Pick<BoardInventory, 'files' | 'journal' | 'bootIsOurs'>): string {
  const S = JSON.stringify;
  const total = changed.reduce((n, f) => n + f.bytes.length, 0);
  const progress = { written: 0, reported: 0, total };
  const lines: string[] = [`print("${MARK} begin ${total} ${mode}")`];
  // The checker every verify line calls; it keeps the first failure in tsupBad.
  lines.push(
    `var tsupBad="";function tsupCheck(n,f,o,l,c,size){var s=require("Storage"),d=s.read(n,o,l);` +
      `if(d===undefined||d.length!=l||(E.CRC32(d)>>>0)!=c||(size>=0&&s.read(n).length!=size)){if(!tsupBad)tsupBad=f;}print("${MARK} checked "+f+" "+(o+l));}`,
  );
  // An earlier install left a journal whose new app is incomplete (the boot file said "noapp"):
  // drop its bundle before its journal, so no cut leaves a partial bundle without a journal.
  if (inv?.journal) lines.push(`require("Storage").erase(${S(APP_FILE)})`, `require("Storage").erase(${S(JOURNAL_FILE)})`);
  const verify = (target: (f: UploadFile, i: number) => string) => {
    lines.push(`print("${MARK} verify")`);
    changed.forEach((f, i) => lines.push(...verifyLines(f, target(f, i))));
  };
  const loader = `require("Storage").write(${S(BOOT_FILE)},${S(loaderCode())})`;
  if (mode === 'staged') {
    const temp = (_f: UploadFile, i: number) => `${TEMP_PREFIX}${i}`;
    lines.push(`require("Storage").list(/^tsup\\.\\d+$/).forEach(function(n){require("Storage").erase(n);})`);
    changed.forEach((f, i) => lines.push(...writeLines(f, temp(f, i), progress)));
    verify(temp);
    const journal = journalText({ mode, files: changed.map((f, i): JournalFile => ({ name: f.name, size: f.bytes.length, crc: crc32(f.bytes), temp: temp(f, i) })), old: [] });
    lines.push(
      `if(tsupBad){require("Storage").list(/^tsup\\.\\d+$/).forEach(function(n){require("Storage").erase(n);});print("${MARK} failed "+tsupBad);load();}` +
        `else{${changed.length ? `require("Storage").write(${S(JOURNAL_FILE)},${S(journal)});` : ''}${loader};print("${MARK} committed");load();}`,
    );
  } else {
    // In place: the boot file first (it is what makes every later cut safe), then the journal,
    // then the old versions are erased, the bundle first, and the new ones written, the bundle last.
    const order = [...changed].sort((a, b) => (a.name === APP_FILE ? 1 : 0) - (b.name === APP_FILE ? 1 : 0));
    const old = changed.filter((f) => inv?.files[f.name]).map((f): JournalFile => ({ name: f.name, size: inv!.files[f.name]![0], crc: inv!.files[f.name]![1] }));
    const journal = journalText({ mode, files: changed.map((f): JournalFile => ({ name: f.name, size: f.bytes.length, crc: crc32(f.bytes) })), old });
    lines.push(loader, `require("Storage").list(/^tsup\\.\\d+$/).forEach(function(n){require("Storage").erase(n);})`);
    lines.push(`require("Storage").write(${S(JOURNAL_FILE)},${S(journal)})`);
    for (const f of [...order].reverse()) lines.push(`require("Storage").erase(${S(f.name)})`);
    for (const f of order) lines.push(...writeLines(f, f.name, progress));
    verify((f) => f.name);
    lines.push(`if(tsupBad)print("${MARK} failed "+tsupBad);else print("${MARK} committed");load();`);
  }
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- uploadApp

export type UploadProgress =
  | { phase: 'checking' }
  | { phase: 'planned'; mode: InstallMode | 'app-loader'; plan: InstallPlan }
  | { phase: 'writing'; bytes: number; totalBytes: number; skipped: string[] }
  | { phase: 'verifying'; bytes: number; totalBytes: number }
  | { phase: 'switching' }
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
  /**
   * How the app is installed: 'app-loader' (the default on a Bangle.js: `<id>.app.js` + `<id>.info`,
   * listed by the launcher, .bootcde untouched; host/install.ts) or 'boot-code' (the app becomes what the
   * board boots, through .bootcde: the default elsewhere; on a Bangle.js it replaces the watch's boot code).
   */
  layout?: 'app-loader' | 'boot-code';
  /** The App Loader id (default: from the build folder's name, without the board suffix). */
  appId?: string;
}

export interface UploadResult {
  /** Storage names written, and those the board had already. */
  sent: string[];
  skipped: string[];
  sentBytes: number;
  mode: InstallMode | 'app-loader';
  plan: InstallPlan;
  /** App Loader installs: the app's Storage files. */
  appLoader?: { id: string; app: string; info: string };
  /** CRC32 of the bundle the board reported running. */
  running: number;
}

export class UploadError extends Error {}

/** What the boot file said after a (re)start. */
type BootOutcome = { kind: 'started' | 'failed'; crc: number; text: string } | { kind: 'noapp'; text: string };

function bootOutcome(m: { word: string; rest: string }): BootOutcome | undefined {
  if (m.word === 'started') return { kind: 'started', crc: Number(m.rest.split(' ')[0]), text: m.rest };
  if (m.word === 'failed' && /^\d+ /.test(m.rest)) return { kind: 'failed', crc: Number(m.rest.split(' ')[0]), text: m.rest.slice(m.rest.indexOf(' ') + 1) };
  if (m.word === 'noapp') return { kind: 'noapp', text: m.rest };
  return undefined;
}

export async function uploadApp(options: UploadOptions): Promise<UploadResult> {
  const board = loadBoard(options.board);
  const engine = engineOf(board);
  if (!engine.install.espruinoCli) throw new UploadError(`${board.id} runs ${board.engine}, not Espruino: the espruino CLI cannot upload to it (${engine.install.how})`);
  const layout = options.layout ?? (board.objects.includes('Bangle') ? 'app-loader' : 'boot-code');
  if (layout === 'app-loader') return await uploadAppLoader(options, board.id);
  const files = readBuildFolder(options.dir, board.id);
  const progress = options.onProgress ?? (() => undefined);
  const bundle = files.find((f) => f.name === APP_FILE)!;
  const appCrc = crc32(bundle.bytes);
  progress({ phase: 'checking' });
  let inv = await inventory(options.port, files);
  if (inv.journal) {
    // An unfinished install: let the boot file finish or roll it back first, then look again.
    await restartApp(options.port);
    inv = await inventory(options.port, files);
  }
  const same = (f: UploadFile) => !options.force && inv.files[f.name] !== null && inv.files[f.name]![0] === f.bytes.length && inv.files[f.name]![1] === crc32(f.bytes);
  const changed = files.filter((f) => !same(f));
  const skipped = files.filter(same).map((f) => f.name);
  const totalBytes = changed.reduce((n, f) => n + f.bytes.length, 0);
  const plan = planForBoard(files, changed, inv);
  if (!plan.mode) throw new UploadError(`${options.dir} does not fit on the board on ${options.port}: ${plan.reason}. Nothing was written.`);
  progress({ phase: 'planned', mode: plan.mode, plan });

  const work = mkdtempSync(join(tmpdir(), 'tinysense-upload-'));
  try {
    // The CLI takes the script as a file; its name must end in .js for the CLI to see it as one.
    const script = join(work, 'upload.js');
    writeFileSync(script, uploadScript(changed, plan.mode, inv));
    progress({ phase: 'writing', bytes: 0, totalBytes, skipped });
    let outcome: BootOutcome | undefined;
    // `failed <crc> ...` is the boot file's verdict on an app; any other `failed` names a file that did not verify.
    const log = followUpload(options, totalBytes, skipped, (m) => {
      if (m.word === 'failed' && !/^\d+ /.test(m.rest)) log.verifyFailed = m.rest;
      else outcome = bootOutcome(m) ?? outcome;
    });
    const { said, onLine } = log;
    const finalWord = (line: string) => {
      const m = marker(line);
      return !!m && (m.word === 'started' || m.word === 'noapp' || (m.word === 'failed' && /^\d+ /.test(m.rest)));
    };
    let failure: string | undefined;
    let run: CliRunResult | undefined;
    try {
      run = await runEspruinoCli({
        port: options.port,
        args: [...linkArgs(options.port), script],
        cwd: work,
        timeoutMs: options.timeoutMs ?? 60_000 + 4 * totalBytes,
        onDeviceLine: onLine,
        doneWhen: (line) => finalWord(line) && (log.committed || !!log.verifyFailed),
      });
    } catch (e) {
      failure = (e as Error).message;
    }
    // The CLI may end before the board has said how the boot went (it disconnects after 500 ms
    // of quiet; a compaction can be longer): ask the board to boot again and listen, twice at most.
    for (let attempt = 0; attempt < 2 && !outcome; attempt++) outcome = await restartApp(options.port, onLine);
    const boardSaid = said.length ? ` The board said: ${said.slice(0, 3).join(' | ')}` : '';
    if (outcome?.kind === 'started' && outcome.crc === appCrc) {
      progress({ phase: 'done', sentBytes: totalBytes, skipped });
      return { sent: changed.map((f) => f.name), skipped, sentBytes: totalBytes, mode: plan.mode, plan, running: outcome.crc };
    }
    const now =
      outcome?.kind === 'started' ? 'the previously installed app is the one running'
      : outcome?.kind === 'failed' ? (outcome.crc === appCrc ? `the new app was installed but threw at start: ${outcome.text}` : `the previous app threw at start: ${outcome.text}`)
      : outcome?.kind === 'noapp' ? `the board has no runnable app (its boot file says: ${outcome.text})`
      : 'the board did not say which app it runs';
    if (log.verifyFailed) throw new UploadError(`the board's copy of ${log.verifyFailed} differs from ${options.dir}; ${plan.mode === 'staged' ? 'nothing was switched and ' : ''}${now}.${boardSaid}`);
    if (!log.committed) {
      failure ??= `the connection ended first${cliProblem(run)}`;
      throw new UploadError(`the upload to ${options.port} did not finish (${failure}): ${plan.mode === 'staged' ? 'nothing was switched; ' : ''}${now}.${boardSaid}`);
    }
    throw new UploadError(`the new app was written to ${options.port} but is not running: ${now}.${boardSaid}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The CLI's own complaint about the connection, as " (...)", or "". Only the CLI's lines about
 * connecting count: anything else it prints (an offline module lookup's EAI_AGAIN, say) says
 * nothing about the board, whose state is judged by its TSUP lines alone.
 */
export function cliProblem(run: CliRunResult | undefined): string {
  const line = run?.cliLines.find((l) => /unable to connect|port .*not found|ECONNREFUSED|ECONNRESET|EHOSTUNREACH|ETIMEDOUT/i.test(l));
  return line ? ` (${line.trim()})` : '';
}

/** What the board holds (bounded: the query is quick). */
async function inventory(port: string, files: UploadFile[]): Promise<BoardInventory> {
  const names = files.map((f) => f.name);
  const found: ([number, number] | null)[] = [];
  let raw: Omit<RawInventory, 'f'> | undefined;
  const work = mkdtempSync(join(tmpdir(), 'tinysense-inventory-'));
  let run: CliRunResult | undefined;
  try {
    writeFileSync(join(work, 'inventory.js'), inventoryScript(names));
    run = await runEspruinoCli({
      port,
      args: [...linkArgs(port), join(work, 'inventory.js')],
      cwd: work,
      timeoutMs: 30_000,
      onDeviceLine: (line) => {
        const m = marker(line);
        if (m?.word === 'has') found[Number(m.rest.split(' ')[0])] = JSON.parse(m.rest.slice(m.rest.indexOf(' ') + 1)) as [number, number] | null;
        if (m?.word === 'have') raw = JSON.parse(m.rest) as Omit<RawInventory, 'f'>;
      },
      doneWhen: (line) => marker(line)?.word === 'have',
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (!raw || found.length !== names.length) throw new UploadError(`no answer from a board on ${port}${cliProblem(run)}: is it connected, and is the port right?`);
  return parseInventory(names, { ...raw, f: found });
}

/** Runs the boot file again (load(), or load(file)) and returns what it said, or undefined when it said nothing in time. */
async function restartApp(port: string, onLine?: (line: string) => void, file?: string): Promise<BootOutcome | undefined> {
  let outcome: BootOutcome | undefined;
  try {
    await runEspruinoCli({
      port,
      args: ['-e', file === undefined ? 'load()' : `load(${JSON.stringify(file)})`],
      timeoutMs: 30_000,
      onDeviceLine: (line) => {
        onLine?.(line);
        const m = marker(line);
        if (m) outcome = bootOutcome(m) ?? outcome;
      },
      doneWhen: (line) => {
        const m = marker(line);
        return !!m && !!bootOutcome(m);
      },
    });
  } catch {
    // The CLI did not finish in time: what was said so far stands.
  }
  return outcome;
}

// ---------------------------------------------------------------- Bangle.js: the App Loader's layout

/** The App Loader id for a build folder: dist/<app>-<BOARD> gives <app>. */
export function defaultAppId(dir: string, board: string): string {
  const base = basename(resolve(dir));
  const suffix = `-${board.toLowerCase()}`;
  return appLoaderId(base.toLowerCase().endsWith(suffix) ? base.slice(0, -suffix.length) : base);
}

/**
 * The upload script of an App Loader install (host/install.ts): unlist the app, write and verify its
 * changed files under their final names, then list it (`<id>.info`) and start it with load("<id>.app.js").
 */
export function appLoaderScript(changed: UploadFile[], id: string, info: string): string {
  const S = JSON.stringify;
  const names = appLoaderNames(id);
  const total = changed.reduce((n, f) => n + f.bytes.length, 0);
  const progress = { written: 0, reported: 0, total };
  const lines: string[] = [`print("${MARK} begin ${total} app-loader")`];
  lines.push(
    `var tsupBad="";function tsupCheck(n,f,o,l,c,size){var s=require("Storage"),d=s.read(n,o,l);` +
      `if(d===undefined||d.length!=l||(E.CRC32(d)>>>0)!=c||(size>=0&&s.read(n).length!=size)){if(!tsupBad)tsupBad=f;}print("${MARK} checked "+f+" "+(o+l));}`,
  );
  lines.push(`require("Storage").erase(${S(names.info)})`);
  for (const f of changed) lines.push(...writeLines(f, f.name, progress));
  lines.push(`print("${MARK} verify")`);
  for (const f of changed) lines.push(...verifyLines(f, f.name));
  lines.push(`if(tsupBad)print("${MARK} failed "+tsupBad);else{require("Storage").write(${S(names.info)},${S(info)});print("${MARK} committed");load(${S(names.app)});}`);
  return lines.join('\n') + '\n';
}

async function uploadAppLoader(options: UploadOptions, boardId: string): Promise<UploadResult> {
  const built = readBuildFolder(options.dir, boardId);
  const id = options.appId === undefined ? defaultAppId(options.dir, boardId) : appLoaderId(options.appId);
  const names = appLoaderNames(id);
  const bundle = built.find((f) => f.name === APP_FILE)!;
  const appCrc = crc32(bundle.bytes);
  const data = built.filter((f) => f.name !== APP_FILE);
  for (const f of data) if (f.name === names.app || f.name === names.info) throw new UploadError(`${f.name}: a data file of the build has the name of the app's own file; choose another --app-id`);
  const appFile: UploadFile = { name: names.app, bytes: new Uint8Array(Buffer.from(appLoaderBundle(Buffer.from(bundle.bytes).toString('latin1'), appCrc), 'latin1')) };
  const files = [...data, appFile];
  const info = appLoaderInfo(id, id, files.map((f) => f.name));
  const progress = options.onProgress ?? (() => undefined);
  progress({ phase: 'checking' });
  const inv = await inventory(options.port, [...files, { name: names.info, bytes: new Uint8Array(Buffer.from(info, 'latin1')) }]);
  const same = (f: UploadFile) => !options.force && inv.files[f.name] !== null && inv.files[f.name]![0] === f.bytes.length && inv.files[f.name]![1] === crc32(f.bytes);
  const changed = files.filter((f) => !same(f));
  const skipped = files.filter(same).map((f) => f.name);
  const totalBytes = changed.reduce((n, f) => n + f.bytes.length, 0);
  // In place: the changed files replace their old versions; the .info is rewritten.
  const oldBytes = [...changed, { name: names.info }].reduce((n, f) => n + (inv.files[f.name] ? storageCost(inv.files[f.name]![0]) : 0), 0);
  const peak = inv.stats.fileBytes - oldBytes + changed.reduce((n, f) => n + storageCost(f.bytes.length), 0) + storageCost(info.length);
  const plan: InstallPlan = { mode: 'in-place', capacity: inv.stats.totalBytes, stagedPeak: peak, inPlacePeak: peak };
  if (peak > inv.stats.totalBytes) {
    throw new UploadError(`${options.dir} does not fit on the board on ${options.port}: Storage holds ${(inv.stats.totalBytes / 1000).toFixed(1)} KB, the app needs ${(peak / 1000).toFixed(1)} KB with the other files. Nothing was written.`);
  }
  plan.reason = `the Bangle App Loader's layout: ${names.app} and ${names.info}, listed by the launcher; .bootcde is not touched`;
  progress({ phase: 'planned', mode: 'app-loader', plan });
  const work = mkdtempSync(join(tmpdir(), 'tinysense-upload-'));
  try {
    const script = join(work, 'upload.js');
    writeFileSync(script, appLoaderScript(changed, id, info));
    progress({ phase: 'writing', bytes: 0, totalBytes, skipped });
    let outcome: BootOutcome | undefined;
    const log = followUpload(options, totalBytes, skipped, (m) => {
      if (m.word === 'failed') log.verifyFailed = m.rest;
      else if (m.word === 'started') outcome = { kind: 'started', crc: Number(m.rest.split(' ')[0]), text: m.rest };
    });
    const { said, onLine } = log;
    let failure: string | undefined;
    let run: CliRunResult | undefined;
    try {
      run = await runEspruinoCli({
        port: options.port,
        args: [...linkArgs(options.port), script],
        cwd: work,
        timeoutMs: options.timeoutMs ?? 60_000 + 4 * totalBytes,
        onDeviceLine: onLine,
        doneWhen: (line) => marker(line)?.word === 'started' || (marker(line)?.word === 'failed'),
      });
    } catch (e) {
      failure = (e as Error).message;
    }
    // The CLI may have left before the app said it started: start it again and listen.
    if (log.committed && !outcome) outcome = await restartApp(options.port, onLine, names.app);
    const boardSaid = said.length ? ` The board said: ${said.slice(0, 3).join(' | ')}` : '';
    if (outcome?.kind === 'started' && outcome.crc === appCrc) {
      progress({ phase: 'done', sentBytes: totalBytes, skipped });
      return { sent: changed.map((f) => f.name), skipped, sentBytes: totalBytes, mode: 'app-loader', plan, running: outcome.crc, appLoader: { id, ...names } };
    }
    const listed = `${names.info} is not written, so the launcher does not list the app; .bootcde was not touched`;
    if (log.verifyFailed) throw new UploadError(`the board's copy of ${log.verifyFailed} differs from ${options.dir}: ${listed}.${boardSaid}`);
    if (!log.committed) throw new UploadError(`the upload to ${options.port} did not finish (${failure ?? `the connection ended first${cliProblem(run)}`}): ${listed}.${boardSaid}`);
    throw new UploadError(`${names.app} was installed and listed but did not say it started (it threw at start, or printed nothing in time).${boardSaid}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- upload --monitor

export interface MonitorOptions {
  /** Serial device, Bluetooth address or tcp://host:port. */
  port: string;
  /** Every line the board prints, with host ms since the monitor started. */
  onLine?: (line: string, t: number) => void;
  /** The app's events (`@tinysense <name> <json>`, device/events.ts report()), parsed. */
  onEvent?: (event: { name: string; value: unknown }, t: number) => void;
  /** The CLI's own complaints (cannot connect, reconnecting). */
  onNotice?: (message: string) => void;
  /** Monitoring ends when this resolves. */
  until: Promise<void>;
}

/**
 * Streams what the board prints, as `upload --monitor` does after an install: the espruino CLI in its
 * terminal mode (quiet: only the board's bytes), its input kept open so it stays connected; lines are
 * split, stripped of the prompt and terminal codes, and event lines parsed with the simulator's parser
 * (host/sim/event-line.ts). When the connection ends (a board reset, Bluetooth out of range), it
 * connects again after a second. Lines printed while no connection is open are not seen, nor those the
 * CLI takes as the answer to its own query when it connects (it asks for process.env; a line the app
 * prints meanwhile is swallowed: one line lost at each connection, as with the CLI on its own).
 */
export async function monitorBoard(options: MonitorOptions): Promise<{ lines: number; events: number; connections: number }> {
  const started = Date.now();
  const counts = { lines: 0, events: 0, connections: 0 };
  let stopped = false;
  let child: ChildProcess | undefined;
  let retry: NodeJS.Timeout | undefined;
  const onLine = (raw: string) => {
    const line = deviceText(raw);
    // The CLI's env query, and its one line of its own in terminal mode when its input is not a TTY.
    if (line === '' || /^< << .* >> >$/.test(line) || line.startsWith('No process.stdin.setRawMode()')) return;
    const t = Date.now() - started;
    counts.lines++;
    options.onLine?.(line, t);
    const at = line.indexOf('@tinysense ');
    const event = at >= 0 ? parseEventLine(line, at) : null;
    if (event) {
      counts.events++;
      options.onEvent?.(event, t);
    }
  };
  const connect = () => {
    if (stopped) return;
    counts.connections++;
    const c = spawn(process.execPath, [CLI_PATH, '--quiet', ...portArgs(options.port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    child = c;
    lines(c.stdout!, onLine);
    lines(c.stderr!, (line) => {
      if (line.trim()) options.onNotice?.(line.trim());
    });
    c.on('error', (e) => options.onNotice?.(e.message));
    c.on('close', () => {
      if (stopped) return;
      options.onNotice?.(`the connection to ${options.port} ended; connecting again`);
      retry = setTimeout(connect, 1000);
    });
  };
  connect();
  await options.until;
  stopped = true;
  if (retry) clearTimeout(retry);
  if (child && child.exitCode === null) {
    const c = child;
    await new Promise<void>((resolve) => {
      const kill = setTimeout(() => c.kill('SIGTERM'), 1000);
      c.once('close', () => {
        clearTimeout(kill);
        resolve();
      });
      // Ending its input is how the CLI's terminal mode is left ("STDIN ended").
      c.stdin?.end();
    });
  }
  return counts;
}
