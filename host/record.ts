/**
 * `tinysense record`: records labelled accelerometer traces from a Bangle.js
 * for training. A small logger app goes to the board through the espruino
 * CLI (the same connection for serial, Bluetooth and tcp://, including the
 * simulator's virtual device); it prints one line per sample for the given
 * time, then ends and starts the board's installed app again (load()). The
 * samples are read from that same CLI connection and written as a CSV trace
 * (docs/traces.md): `t,x,y,z`, t in ms from the start of the recording on the
 * board's clock, x/y/z in g, named `<label>-<UTC time>.csv` so the training
 * config's filename labels (`^([^._-]+)`) read the label back.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBoard } from './bundler/boards.js';
import { cliProblem, runEspruinoCli } from './upload.js';

/** Marker of the logger's lines in the board's output. */
const MARK = 'TSREC';

export interface RecordOptions {
  /** Board id; it must have Bangle.on('accel') (Bangle.js 2). */
  board: string;
  /** Serial device, Bluetooth address or tcp://host:port. */
  port: string;
  /** The class this recording is an example of: letters and digits (it is the file name's first part). */
  label: string;
  /** Length of the recording (default 10 s). */
  seconds?: number;
  /** Accelerometer poll interval on the board (default 80 ms, Bangle.js's own; 12.5 Hz). */
  pollMs?: number;
  /** Folder for the CSV (default data/). */
  outDir?: string;
  /** Each sample as it arrives. */
  onSample?: (sample: AccelRow, count: number) => void;
  /** Board lines printed during the recording that are not samples (errors, say). */
  onDeviceLine?: (line: string) => void;
}

export interface AccelRow {
  t: number;
  x: number;
  y: number;
  z: number;
}

export interface RecordResult {
  file: string;
  samples: number;
  /** Samples the board says it printed but the recording lacks (a lossy link); 0 normally. */
  missing: number;
}

export class RecordError extends Error {}

/** The logger app: plain ES5, run on the board. It prints `TSREC start`, `TSREC t,x,y,z` per sample, `TSREC end n`. */
export function loggerApp(seconds: number, pollMs: number): string {
  const durationMs = Math.round(seconds * 1000);
  return `(function () {
  var DURATION_MS = ${durationMs}, POLL_MS = ${pollMs};
  var t0 = getTime(), n = 0, done = false;
  function stop() {
    if (done) return;
    done = true;
    Bangle.removeListener("accel", onAccel);
    print("${MARK} end " + n);
    // Back to the app the board had before the recording.
    load();
  }
  function onAccel(a) {
    var t = Math.round((getTime() - t0) * 1000);
    if (t > DURATION_MS) return stop();
    n++;
    print("${MARK} " + t + "," + a.x + "," + a.y + "," + a.z);
  }
  Bangle.setPollInterval(POLL_MS);
  print("${MARK} start " + POLL_MS);
  Bangle.on("accel", onAccel);
  setTimeout(stop, DURATION_MS + POLL_MS);
})();
`;
}

/** A sample line of the logger, or undefined. */
export function parseSample(line: string): AccelRow | undefined {
  const m = new RegExp(`${MARK} (-?[\\d.]+),(-?[\\d.eE+-]+),(-?[\\d.eE+-]+),(-?[\\d.eE+-]+)$`).exec(line);
  if (!m) return undefined;
  const [t, x, y, z] = m.slice(1).map(Number);
  return [t, x, y, z].every(Number.isFinite) ? { t, x, y, z } : undefined;
}

/** The CSV trace: a comment line saying where it comes from, the header, one row per sample. */
export function traceCsv(rows: AccelRow[], about: string): string {
  const body = rows.map((r) => `${r.t},${r.x},${r.y},${r.z}`).join('\n');
  return `# ${about}\nt,x,y,z\n${body}${body ? '\n' : ''}`;
}

/** `circle-20260101T120000Z.csv`, with -2, -3... when that name is taken. */
function traceFileName(dir: string, label: string, when: Date): string {
  const stamp = when.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  let name = `${label}-${stamp}.csv`;
  for (let i = 2; existsSync(join(dir, name)); i++) name = `${label}-${stamp}-${i}.csv`;
  return join(dir, name);
}

export async function recordAccel(options: RecordOptions): Promise<RecordResult> {
  if (!/^[A-Za-z0-9]+$/.test(options.label)) {
    throw new RecordError(`label "${options.label}": use letters and digits only (the file name's first part up to '-', '_' or '.' is the label)`);
  }
  const board = loadBoard(options.board);
  if (!board.objects.includes('Bangle')) throw new RecordError(`${board.id} has no Bangle.on('accel'); recording needs a Bangle.js (BANGLEJS2)`);
  const seconds = options.seconds ?? 10;
  const pollMs = options.pollMs ?? 80;
  if (!(seconds > 0)) throw new RecordError(`--seconds ${seconds}: give a time > 0`);
  if (!(pollMs >= 10 && pollMs <= 4000)) throw new RecordError(`poll interval ${pollMs} ms: Bangle.setPollInterval takes 10..4000 ms`);

  const rows: AccelRow[] = [];
  let reported: number | undefined;
  // Between the logger's start and end lines: what the board prints then is about the recording.
  let recording = false;
  const started = new Date();
  const work = mkdtempSync(join(tmpdir(), 'tinysense-record-'));
  try {
    const app = join(work, 'record.js');
    writeFileSync(app, loggerApp(seconds, pollMs));
    const run = await runEspruinoCli({
      port: options.port,
      args: [app],
      cwd: work,
      // Connecting and uploading take a few seconds (more over Bluetooth); then the recording itself.
      timeoutMs: 60_000 + seconds * 1000,
      onDeviceLine: (line) => {
        const sample = parseSample(line);
        if (sample) {
          rows.push(sample);
          options.onSample?.(sample, rows.length);
          return;
        }
        const end = new RegExp(`${MARK} end (\\d+)`).exec(line);
        if (end) {
          reported = Number(end[1]);
          recording = false;
        } else if (line.includes(`${MARK} start`)) recording = true;
        else if (recording) options.onDeviceLine?.(line);
      },
      doneWhen: (line) => line.includes(`${MARK} end `),
    });
    if (reported === undefined) {
      throw new RecordError(`the recording on ${options.port} did not finish (${rows.length} samples received${cliProblem(run) || ''}); nothing was written`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  rows.sort((a, b) => a.t - b.t);
  const dir = options.outDir ?? 'data';
  mkdirSync(dir, { recursive: true });
  const file = traceFileName(dir, options.label, started);
  const about = `tinysense record: label=${options.label} board=${board.id} pollMs=${pollMs} seconds=${seconds} samples=${rows.length} recorded=${started.toISOString()}`;
  writeFileSync(file, traceCsv(rows, about));
  return { file, samples: rows.length, missing: Math.max(0, reported - rows.length) };
}
