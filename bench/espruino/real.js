#!/usr/bin/env node
// Runs a `tinysense build` output folder inside a REAL Espruino interpreter (a LINUX-board build of
// Espruino, e.g. tag RELEASE_2V29 cross-compiled for 32-bit Arm and run under qemu-arm) through the
// project's own boot path, and measures it. Nothing of Espruino is in this repository: the
// interpreter is an argument, and the script skips (exit 0, a notice) when it is absent.
//
//   npm run build:ts && node bench/espruino/real.js heap  <espruino> <build-dir> [options]
//   npm run build:ts && node bench/espruino/real.js frame <espruino> <build-dir> [options]
//
// heap   process.memory() at steady state (after --settle-ms of the app running; process.memory()
//        collects garbage first, so `usage` is the live JsVars), and the same with no app installed
//        (the interpreter plus this script's sensor stand-ins): the app's JsVars are the difference.
// frame  instructions per app cycle (one run of the app's setInterval callback: person's capture,
//        conversion, invoke and report), split into the kernels (instructions executed inside the
//        JsVar pool, where E.nativeCall runs the kernel blob) and everything else (the interpreter
//        running the app's JavaScript, Espruino's natives, the C library). Needs qemu-arm with plugin
//        support and a LINUX build with USE_JIT=1 (the pool is then mmap'd executable); counted with
//        bench/espruino/plugin/split-count.c, built here into out/espruino/. Two runs, of --frames A,B
//        cycles, and the difference divided by B-A, so boot, model loading and exit cancel out.
//
// Options:
//   --board ID        the board file the folder was built for (default: from its budget.json)
//   --qemu CMD        how to run an Arm binary (default "qemu-arm -L /usr/arm-linux-gnueabihf" when the
//                     interpreter is a 32-bit Arm ELF, none otherwise)
//   --settle-ms N     heap: how long the app runs before the reading (default 6000)
//   --frames A,B      frame: the two run lengths in app cycles (default 2,5)
//   --json            print the result as one JSON line (else a table)
//
// How the app is started: the folder's files are written to the interpreter's Storage (its
// espruino.flash file, in a fresh temporary folder) by a script run in the interpreter itself
// (Storage.write in 768-byte chunks, as `tinysense upload` does), with the boot file `tinysense
// upload` installs (host/install.ts loaderCode) as .bootcde; then `espruino -e <probe>` starts the
// interpreter, which runs .boot0 and .bootcde as a board does at power-on, and then the probe.
// .boot0 holds the stand-ins for what a LINUX build lacks: a `Bangle` accelerometer (a fixed
// synthetic signal at the app's poll interval) when the bundle uses Bangle; SPI1 is Espruino's own
// (the LINUX build's SPI answers 0xFF bytes, so person's camera driver reads a constant frame).
// Boards whose Storage is memory-mapped (Jolt.js) get TS_FLASH_MAPPED=1 in the environment: a LINUX
// build that honours it (a local change to targets/linux/jshardware.c jshFlashGetMemMapAddress that
// mmaps the flash file, and to src/jsflash.c jsvAddressToVar to return a native string for a mapped
// address) then uses the model pack in place, as the board does; a stock LINUX build ignores it and
// the pack is copied into RAM (the result says which happened: `packMapped`).
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const MARK = 'TSREAL';
/** The device runtime's event lines (device/events.ts). */
const EVENT_PREFIX = '@tinysense ';

function usage(message) {
  if (message) console.error(`real.js: ${message}`);
  console.error('usage: node bench/espruino/real.js heap|frame <espruino> <build-dir> [--board ID] [--qemu CMD] [--settle-ms N] [--frames A,B] [--json]');
  process.exit(2);
}

function parseArgs(argv) {
  const [mode, espruino, dir, ...rest] = argv;
  if (mode !== 'heap' && mode !== 'frame') usage(`unknown mode ${mode ?? '(none)'}`);
  if (!espruino || !dir) usage('give the interpreter and the build folder');
  const o = { mode, espruino: resolve(espruino), dir: resolve(dir), settleMs: 6000, frames: [2, 5], json: false };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => (i + 1 < rest.length ? rest[++i] : usage(`${a} needs a value`));
    if (a === '--board') o.board = value();
    else if (a === '--qemu') o.qemu = value();
    else if (a === '--settle-ms') o.settleMs = Number(value());
    else if (a === '--frames') o.frames = value().split(',').map(Number);
    else if (a === '--json') o.json = true;
    else usage(`unknown option ${a}`);
  }
  if (!(o.settleMs > 0)) usage('--settle-ms must be a positive number');
  if (o.frames.length !== 2 || !(o.frames[0] >= 1 && o.frames[1] > o.frames[0])) usage('--frames takes A,B with 1 <= A < B');
  return o;
}

/** True when `file` is a 32-bit Arm ELF (e_machine 40). */
function isArmElf(file) {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(20);
  readSync(fd, head, 0, 20, 0);
  closeSync(fd);
  return head.readUInt32BE(0) === 0x7f454c46 && head[4] === 1 && head.readUInt16LE(18) === 40;
}

/** The files `tinysense upload` puts on the board (host/upload.ts readBuildFolder) plus its boot file. */
async function boardFiles(dir, board) {
  const { readBuildFolder } = await import(join(ROOT, 'dist/host/upload.js'));
  const { BOOT_FILE, loaderCode } = await import(join(ROOT, 'dist/host/install.js'));
  const files = readBuildFolder(dir, board);
  return { files, boot: { name: BOOT_FILE, bytes: new Uint8Array(Buffer.from(loaderCode(), 'latin1')) } };
}

/**
 * Scripts that write `files` to Storage, each small enough for the interpreter: a LINUX build turns
 * a script file into one JS string in its heap, so 768-byte chunks (1 KB of base64 per line, as
 * `tinysense upload` sends them) go in scripts of at most 32 KB.
 */
function writeScripts(files) {
  const scripts = [];
  let lines = [];
  let size = 0;
  const flush = () => {
    if (lines.length) scripts.push(lines.join('\n') + '\n');
    lines = [];
    size = 0;
  };
  for (const f of files) {
    for (let at = 0; at < f.bytes.length; at += 768) {
      const part = Buffer.from(f.bytes.subarray(at, at + 768)).toString('base64');
      const line = `require("Storage").write(${JSON.stringify(f.name)},atob("${part}"),${at}${at === 0 ? `,${f.bytes.length}` : ''});`;
      if (size + line.length > 32 * 1024) flush();
      lines.push(line);
      size += line.length + 1;
    }
  }
  lines.push(`print("${MARK} installed "+JSON.stringify(require("Storage").getStats()));`);
  flush();
  return scripts;
}

/**
 * .boot0: stand-ins for board objects a LINUX build lacks, and (frame mode) a setInterval that runs the
 * app's callback the given number of times back to back, as soon as the app has started, and then
 * ends the process (quit() ends Espruino's LINUX build): no idle time between cycles is counted.
 */
function boot0(bundle, quitAfter) {
  let code = '';
  if (/\bBangle\s*\.\s*on\b/.test(bundle)) {
    code +=
      'var Bangle=(function(){var l=[],t,ms=80,i=0;' +
      'function tick(){i++;var e={x:0.5*Math.sin(i/5),y:0.5*Math.cos(i/7),z:-1+0.1*Math.sin(i/3),mag:1,diff:0};for(var k=0;k<l.length;k++)l[k](e);}' +
      'function re(){if(t)clearInterval(t);t=l.length?setInterval(tick,ms):undefined;}' +
      'return{setPollInterval:function(m){ms=m;re();},on:function(ev,f){if(ev=="accel"){l.push(f);re();}},' +
      'removeListener:function(ev,f){l=l.filter(function(x){return x!==f;});re();}};})();\n';
  }
  if (quitAfter) {
    code +=
      `(function(st){global.setInterval=function(f){return st(function(){for(var n=0;n<${quitAfter};n++)f();quit();},0);};})(setTimeout);\n`;
  }
  return code;
}

/**
 * Runs the interpreter to its exit. Its stdin stays open and silent: Espruino's LINUX console reads
 * an end of file as a flood of input characters.
 */
function run(cmd, args, cwd, env, timeoutMs) {
  return new Promise((done, fail) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d.toString('latin1')));
    child.stderr.on('data', (d) => (out += d.toString('latin1')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL'); // Espruino ignores SIGTERM
      fail(new Error(`${cmd} ${args.slice(0, 3).join(' ')}... did not exit within ${timeoutMs / 1000} s; its output ended:\n${out.split('\n').slice(-15).join('\n')}`));
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(e);
    });
    child.on('close', () => {
      clearTimeout(timer);
      done(out);
    });
  });
}

/** The interpreter's output lines without its prompt and terminal codes. */
function lines(output) {
  return output.split("\n").map((l) => l.replace(/\r$/, "").replace(/^(>|\r|\x1b\[J)+/, ""));
}

function marked(output, what) {
  const line = lines(output).find((l) => l.startsWith(`${MARK} ${what} `));
  if (!line) throw new Error(`the interpreter printed no "${MARK} ${what}" line; its output ended:\n${output.split('\n').slice(-15).join('\n')}`);
  return JSON.parse(line.slice(MARK.length + what.length + 2));
}

/** A fresh Storage with `files`, in a new folder; returns the folder. */
async function install(exec, files) {
  const work = mkdtempSync(join(tmpdir(), 'ts-espruino-'));
  const scripts = writeScripts(files);
  for (let i = 0; i < scripts.length; i++) {
    writeFileSync(join(work, 'install.js'), scripts[i]);
    const out = await run(exec[0], [...exec.slice(1), 'install.js'], work, {}, 600_000);
    if (/Uncaught|OUT OF MEMORY|Execution Interrupted/.test(out)) {
      throw new Error(`writing Storage failed (script ${i + 1} of ${scripts.length}):\n${lines(out).filter((l) => /Uncaught|OUT OF MEMORY|Interrupted/.test(l)).slice(0, 8).join("\n")}`);
    }
    if (i === scripts.length - 1) marked(out, 'installed');
  }
  return work;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!existsSync(o.espruino)) {
    console.log(`real.js: skipped: no Espruino interpreter at ${o.espruino} (build Espruino's LINUX board and give its path)`);
    return;
  }
  const budgetPath = join(o.dir, 'budget.json');
  const board = o.board ?? (existsSync(budgetPath) ? JSON.parse(readFileSync(budgetPath, 'utf8')).board : undefined);
  if (!board) usage('give --board (the folder has no budget.json)');
  const { loadBoard } = await import(join(ROOT, 'dist/host/bundler/boards.js'));
  const info = loadBoard(board);
  const qemu = o.qemu ?? (isArmElf(o.espruino) ? 'qemu-arm -L /usr/arm-linux-gnueabihf' : '');
  const exec = [...qemu.split(/\s+/).filter(Boolean), o.espruino];
  // TS_SPI_FF: a LINUX build that honours it answers SPI with 0xFF at once (a local change to
  // targets/linux/jshardware.c jshSPISend; the stock one queues every byte to a buffer nothing drains
  // and busy-waits, about 110,000 instructions a byte, which no board spends).
  const env = { TS_SPI_FF: '1', ...(info.storage.memoryMapped ? { TS_FLASH_MAPPED: '1' } : {}) };
  const { files, boot } = await boardFiles(o.dir, board);
  const bundle = Buffer.from(files.find((f) => f.name.endsWith('.app.js')).bytes).toString('latin1');
  const packs = files.filter((f) => f.name.endsWith('.tsm')).map((f) => f.name);
  const result = { mode: o.mode, board, dir: o.dir, interpreter: o.espruino, files: files.map((f) => ({ name: f.name, bytes: f.bytes.length })) };

  if (o.mode === 'heap') {
    const probe =
      `setTimeout(function(){var s=require("Storage");print("${MARK} memory "+JSON.stringify({memory:process.memory(),` +
      `packMapped:${JSON.stringify(packs)}.map(function(p){var d=s.read(p);return d!==undefined&&E.getAddressOf(d,true)!=0;})}));quit();},${o.settleMs});`;
    const read = async (withApp) => {
      const stored = [{ name: '.boot0', bytes: new Uint8Array(Buffer.from(boot0(bundle, 0) || '\n', 'latin1')) }, ...(withApp ? [...files, boot] : [])];
      const work = await install(exec, stored);
      try {
        const out = await run(exec[0], [...exec.slice(1), '-e', probe], work, env, o.settleMs + 600_000);
        const m = marked(out, 'memory');
        const said = lines(out).filter((l) => /^(TSUP|Uncaught|OUT OF MEMORY|Execution Interrupted)/.test(l) || l.startsWith(EVENT_PREFIX));
        return { ...m, lines: said.slice(0, 20) };
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    };
    const base = await read(false);
    const app = await read(true);
    Object.assign(result, {
      settleMs: o.settleMs,
      blocksize: app.memory.blocksize,
      total: app.memory.total,
      baseUsage: base.memory.usage,
      usage: app.memory.usage,
      free: app.memory.free,
      appJsVars: app.memory.usage - base.memory.usage,
      packMapped: app.packMapped,
      boardLines: app.lines,
    });
    if (o.json) console.log(JSON.stringify(result));
    else {
      console.log(`${board} ${o.dir}: process.memory() after ${o.settleMs} ms: usage ${app.memory.usage} of ${app.memory.total} JsVars x ${app.memory.blocksize} B ` +
        `(no app: ${base.memory.usage}); the app: ${result.appJsVars} JsVars = ${result.appJsVars * app.memory.blocksize} B; packs mapped: ${JSON.stringify(app.packMapped)}`);
      for (const l of app.lines) console.log(`  board: ${l}`);
    }
    return;
  }

  // frame mode
  const plugin = join(ROOT, 'out/espruino/split-count.so');
  mkdirSync(join(ROOT, 'out/espruino'), { recursive: true });
  execFileSync('gcc', ['-shared', '-fPIC', '-O2', '-Wall', '-Wextra', '-Werror', '-fvisibility=hidden', '-o', plugin, join(ROOT, 'bench/espruino/plugin/split-count.c')]);
  if (!qemu) usage('frame mode counts under qemu-arm: give an Arm build of the interpreter (or --qemu)');
  const poolBytes = info.jsHeap.variables * info.jsHeap.bytesPerVariable;
  const count = async (frames) => {
    const stored = [{ name: '.boot0', bytes: new Uint8Array(Buffer.from(boot0(bundle, frames), 'latin1')) }, ...files, boot];
    const work = await install(exec, stored);
    try {
      const report = join(work, 'counts.txt');
      const q = exec.slice(0, -1);
      const out = await run(q[0], [...q.slice(1), '-plugin', `${plugin},pool=${poolBytes},out=${report}`, o.espruino, '-e', '1'], work, env, 1_800_000);
      if (!existsSync(report)) throw new Error(`no plugin report; the interpreter's output ended:\n${out.split('\n').slice(-15).join('\n')}`);
      const text = readFileSync(report, 'utf8');
      const num = (k) => Number(new RegExp(`^${k} (\\S+)`, 'm').exec(text)[1]);
      if (!num('pool_insns')) throw new Error(`no instruction ran inside the JsVar pool (is the build USE_JIT=1 with pool=${poolBytes}?); output:\n${out.split('\n').slice(-15).join('\n')}`);
      const reports = lines(out).filter((l) => l.startsWith(EVENT_PREFIX)).length;
      return { frames, total: num('total'), kernels: num('pool_insns'), other: num('other_insns'), reportLines: reports };
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  };
  const a = await count(o.frames[0]);
  const b = await count(o.frames[1]);
  const n = b.frames - a.frames;
  const kernels = (b.kernels - a.kernels) / n;
  const js = (b.other - a.other) / n;
  Object.assign(result, { runs: [a, b], perFrame: { kernels, js, ratio: js / kernels } });
  if (o.json) console.log(JSON.stringify(result));
  else {
    console.log(`${board} ${o.dir}: per app cycle (difference of ${a.frames}- and ${b.frames}-cycle runs / ${n}), instructions under qemu-arm:`);
    console.log(`  kernels (inside the JsVar pool): ${Math.round(kernels).toLocaleString('en-US')}`);
    console.log(`  JavaScript and Espruino (the rest): ${Math.round(js).toLocaleString('en-US')}`);
    console.log(`  JS / kernels: ${(js / kernels).toFixed(3)}`);
  }
}

main().catch((e) => {
  console.error(`real.js: ${e.message}`);
  process.exit(1);
});
