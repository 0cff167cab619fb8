/**
 * The tinysense command line: `tinysense <command> ...`. Exit codes: 0 done,
 * 1 the model or input is wrong (the message says what), 2 usage error.
 */
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { CompiledModel } from './compiler/compile.js';
import { inspectCompiled, inspectPack, formatInspect } from './inspect.js';
import { instantiate, loadModelFile, runOnce } from './model.js';
import { PACKAGE_ROOT } from './paths.js';

const USAGE = `usage:
  tinysense --version | <command> --help
  tinysense init <dir> --board <BOARD> [--template blank|gesture|keyword|person] [--tinysense <version|file:path>]
  tinysense inspect <model.tflite|model.tsm> [--json]
  tinysense compile <model.tflite> -o <model.tsm> [--json]
  tinysense run <model.tflite|model.tsm> --input <in.bin> (--output <out.bin> | --output-dir <dir>) [--json]
  tinysense build <app.ts|app folder> --board <BOARD> [--model <m.tflite|m.tsm>] [--card <card.json>] [-o <dir>] [--minify] [--full-blob] [--cycles-per-mac N] [--no-typecheck]
  tinysense simulate <app.ts|app folder|built dir> --board <BOARD> [--trace <file|dir>] [--model <m>] [--duration <ms>] [--watchdog <ms>] [--report <out.html>] [--serve <port> | --watch] [--no-typecheck]
  tinysense dev <app folder|app.ts> --board <BOARD> [--trace <file|dir> | --port <serial|BLE address|tcp://host:port>] [--http-port N] [--speed X] [--paused]
  tinysense upload --board <BOARD> --port <serial|BLE address|tcp://host:port> [--dir <build folder>] [--force] [--monitor] [--app-id <id> | --boot-code]
  tinysense record --board BANGLEJS2 --port <serial|BLE address|tcp://host:port> --label <label> [--seconds N] [--interval <ms>] [-o <dir>]
  tinysense train <train.config.json|.ts>
  tinysense quantize <modelDir> --calibration <dir> -o <out.tflite> [--evaluate <dir>] [--fc-per-channel]
  tinysense synth <dir> [--seed N]              # seeded synthetic gesture traces (labelled synthetic)
`;

class UsageError extends Error {}

/** The usage lines of one command (all of USAGE for an unknown one). */
export function commandUsage(command: string | undefined): string {
  const lines = USAGE.split('\n').filter((l) => command !== undefined && (l.startsWith(`  tinysense ${command} `) || l === `  tinysense ${command}`));
  return lines.length ? `usage:\n${lines.join('\n')}\n` : USAGE;
}

function version(): string {
  const manifest = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

/**
 * A numeric option checked: `--duration abc` is a usage error naming the option, not NaN later.
 * undefined when the option was not given.
 */
function numberOption(value: string | undefined, option: string, rule: { min?: number; max?: number; integer?: boolean; what: string }): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  const ok = Number.isFinite(n) && (!rule.integer || Number.isInteger(n)) && (rule.min === undefined || n >= rule.min) && (rule.max === undefined || n <= rule.max);
  if (!ok) {
    const range = rule.min !== undefined && rule.max !== undefined ? ` from ${rule.min} to ${rule.max}` : rule.min !== undefined ? ` of at least ${rule.min}` : '';
    throw new UsageError(`${option} ${value}: give ${rule.integer ? 'a whole number' : 'a number'}${range} (${rule.what})`);
  }
  return n;
}

/** An input file that must exist and be a file: the message names the path, not ENOENT/EISDIR. */
function inputFile(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${path}: no such file (${what})`);
  if (statSync(path).isDirectory()) throw new Error(`${path} is a folder; give the ${what} file`);
  return path;
}

/** An input folder that must exist and be a folder. */
function inputDir(path: string, what: string): string {
  if (!existsSync(path)) throw new Error(`${path}: no such folder (${what})`);
  if (!statSync(path).isDirectory()) throw new Error(`${path} is a file; give the ${what} folder`);
  return path;
}

/**
 * An error's message for the one "tinysense: " prefix main() adds: without rollup's "[plugin x]" tags,
 * inner "tinysense: " prefixes, and with Node's file-system codes turned into sentences naming the path.
 */
export function errorMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const path = typeof err?.path === 'string' ? err.path : undefined;
  if (err?.code === 'ENOENT') return `${path ?? 'a file or folder'}: no such file or folder`;
  if (err?.code === 'EISDIR') return `${path ? `${path} is` : 'a path given is'} a folder where a file was expected`;
  if (err?.code === 'ENOTDIR') return `${path ? `${path}: ` : ''}a path given as a folder is a file (or goes through one)`;
  if (err?.code === 'EACCES' || err?.code === 'EPERM') return `${path ?? 'a file'}: permission denied`;
  const raw = (e as { message?: unknown } | null)?.message;
  let message = typeof raw === 'string' ? raw : String(e);
  for (;;) {
    const next = message.replace(/^\[plugin [^\]]+\]\s*/, '').replace(/^tinysense:\s*/, '');
    if (next === message) return message;
    message = next;
  }
}

const HELP = new Set(['--help', '-h']);

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`tinysense ${version()}\n`);
    return 0;
  }
  if (command !== undefined && !command.startsWith('-') && command !== 'help' && rest.some((a) => HELP.has(a))) {
    process.stdout.write(commandUsage(command));
    return commandUsage(command) === USAGE ? 2 : 0;
  }
  try {
    switch (command) {
      case 'init':
        return await initCommand(rest);
      case 'inspect':
        return inspect(rest);
      case 'compile':
        return compile(rest);
      case 'run':
        return run(rest);
      case 'build':
        return await build(rest);
      case 'simulate':
        return await simulateCommand(rest);
      case 'dev':
        return await devCommand(rest);
      case 'upload':
        return await uploadCommand(rest);
      case 'record':
        return await recordCommand(rest);
      case 'train':
        return await train(rest);
      case 'quantize':
        return await quantize(rest);
      case 'synth':
        return await synth(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        if (command === 'help' && rest[0] !== undefined) {
          process.stdout.write(commandUsage(rest[0]));
          return 0;
        }
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (e instanceof UsageError || (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_'))) {
      process.stderr.write(`tinysense: ${errorMessage(e)}\n${commandUsage(command)}`);
      return 2;
    }
    process.stderr.write(`tinysense: ${errorMessage(e)}\n`);
    return 1;
  }
}

/**
 * Progress on stderr: rewritten in place on a terminal; elsewhere (a file, a pipe, CI) one whole line
 * per step, so it never runs into the next line of output.
 */
function progressLine(stream: NodeJS.WriteStream = process.stderr) {
  let open = false;
  let last = '';
  return {
    update(text: string): void {
      if (text === last) return;
      last = text;
      if (stream.isTTY) {
        stream.write(`\r${text}`);
        open = true;
      } else stream.write(`${text}\n`);
    },
    /** Ends a line rewritten in place, before other output. */
    end(): void {
      if (open) stream.write('\n');
      open = false;
    },
  };
}

/** `init`: a new app folder from a template (host/init.ts). */
async function initCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { board: { type: 'string' }, template: { type: 'string' }, tinysense: { type: 'string' } },
  });
  if (positionals.length > 1) throw new UsageError(`give one folder (got ${positionals.join(', ')})`);
  const dir = need(positionals[0], 'folder for the new app');
  const board = need(values.board, '--board <BOARD>');
  const { InitUsageError, initApp } = await import('./init.js');
  let result: import('./init.js').InitResult;
  try {
    result = initApp({ dir, board, template: values.template, tinysense: values.tinysense });
  } catch (e) {
    if (e instanceof InitUsageError) throw new UsageError(e.message);
    throw e;
  }
  process.stdout.write(
    `wrote a ${result.template} app for ${result.board} into ${dir} (${result.files.length} files: ${result.files.join(', ')}); tinysense: ${result.dependency}
` +
      `next: cd ${dir} && npm install && npm test   (npm run build, npm run simulate)
`,
  );
  return 0;
}

function inspect(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const path = inputFile(need(positionals[0], 'model file'), 'model');
  const loaded = loadModelFile(path);
  const report = loaded.compiled ? inspectCompiled(loaded.compiled) : inspectPack(loaded.pack);
  process.stdout.write(values.json ? JSON.stringify(report, null, 2) + '\n' : formatInspect(path, report));
  return 0;
}

function compile(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { output: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
  });
  const out = need(values.output, '-o <model.tsm>');
  const path = inputFile(need(positionals[0], 'model file'), 'model');
  const loaded = loadModelFile(path);
  const compiled: CompiledModel | undefined = loaded.compiled;
  if (!compiled) throw new UsageError(`${path} is already a model pack`);
  writeFileSync(out, compiled.pack);
  const summary = { output: out, packBytes: compiled.packBytes, arenaBytes: compiled.arenaBytes, constBytes: compiled.constBytes, ops: compiled.ops.length };
  process.stdout.write(
    values.json
      ? JSON.stringify(summary) + '\n'
      : `${out}: ${summary.packBytes} bytes (${summary.constBytes} of constants), ${summary.ops} ops, arena ${summary.arenaBytes} bytes\n`,
  );
  return 0;
}

function run(args: string[]): number {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      input: { type: 'string', short: 'i' },
      output: { type: 'string', short: 'o' },
      'output-dir': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const path = inputFile(need(positionals[0], 'model file'), 'model');
  const input = new Uint8Array(readFileSync(inputFile(need(values.input, '--input <file>'), 'input')));
  if (!values.output && !values['output-dir'] && !values.json) throw new UsageError('give --output, --output-dir or --json');
  const { pack } = loadModelFile(path);
  const model = instantiate(pack);
  const started = process.hrtime.bigint();
  const outputs = runOnce(model, input);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (values.output) {
    const total = new Uint8Array(outputs.reduce((s, o) => s + o.length, 0));
    let at = 0;
    for (const o of outputs) {
      total.set(o, at);
      at += o.length;
    }
    writeFileSync(values.output, total);
  }
  if (values['output-dir']) {
    mkdirSync(values['output-dir'], { recursive: true });
    outputs.forEach((o, i) => writeFileSync(join(values['output-dir']!, `output${i}.bin`), o));
  }
  if (values.json) {
    const report = {
      invokeMs: ms,
      outputs: model.layout.outputs.map((t, i) => ({
        index: i,
        type: t.type,
        shape: t.shape,
        scale: t.scale,
        zeroPoint: t.zeroPoint,
        values: Array.from(model.output(i)),
      })),
    };
    process.stdout.write(JSON.stringify(report) + '\n');
  }
  return 0;
}

async function train(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const { trainFromConfig } = await import('./train/index.js');
  await trainFromConfig(inputFile(need(positionals[0], 'training config'), 'training config'), { log: (line: string) => process.stdout.write(line + '\n') });
  return 0;
}

async function quantize(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      calibration: { type: 'string' },
      output: { type: 'string', short: 'o' },
      evaluate: { type: 'string' },
      'fc-per-channel': { type: 'boolean' },
    },
  });
  const { quantizeToTflite } = await import('./quantize/index.js');
  const modelDir = inputDir(need(positionals[0], 'model folder'), 'trained model');
  const calibration = inputDir(need(values.calibration, '--calibration <dir>'), 'calibration data');
  if (values.evaluate !== undefined) inputDir(values.evaluate, 'evaluation data');
  await quantizeToTflite(modelDir, calibration, need(values.output, '-o <out.tflite>'), {
    evaluateDir: values.evaluate,
    fullyConnectedWeights: values['fc-per-channel'] ? 'per-channel' : 'per-tensor',
    log: (line: string) => process.stdout.write(line + '\n'),
  });
  return 0;
}

async function synth(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { seed: { type: 'string' } } });
  const { writeSyntheticGestures } = await import('./train/index.js');
  const dir = need(positionals[0], 'output folder');
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new Error(`${dir} is a file; give a folder to write the recordings into`);
  const seed = numberOption(values.seed, '--seed', { integer: true, what: 'the random seed' });
  const files = writeSyntheticGestures(dir, seed === undefined ? {} : { seed });
  const labels = [...new Set(files.map((f) => basename(dirname(f))))];
  process.stdout.write(
    `wrote ${files.length} SYNTHETIC recordings (made-up gestures, not sensor data; each CSV starts with a "# synthetic" line) to ${dir}: ` +
      `${labels.map((l) => `${l}/ (${files.filter((f) => basename(dirname(f)) === l).length})`).join(', ')}; seed ${seed ?? 1}\n`,
  );
  return 0;
}

async function build(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      board: { type: 'string' },
      model: { type: 'string' },
      card: { type: 'string' },
      output: { type: 'string', short: 'o' },
      minify: { type: 'boolean' },
      'full-blob': { type: 'boolean' },
      'cycles-per-mac': { type: 'string' },
      'no-typecheck': { type: 'boolean' },
    },
  });
  const cyclesPerMac = numberOption(values['cycles-per-mac'], '--cycles-per-mac', { min: 0.001, what: 'cycles per multiply-accumulate for the latency estimate' });
  if (values.model !== undefined) inputFile(values.model, 'model');
  if (values.card !== undefined) inputFile(values.card, 'model card');
  const { buildApp, formatBudget } = await import('./bundler/index.js');
  const { resolveApp } = await import('./bundler/project.js');
  const app = resolveApp(need(positionals[0], 'app entry or folder'), values.model);
  const board = need(values.board, '--board <BOARD>');
  const outDir = values.output ?? join('dist', `${app.name}-${board}`);
  const { files, report } = await buildApp({
    entry: app.entry,
    board,
    model: app.model,
    models: app.models,
    modelCard: values.card ?? app.modelCard,
    outDir,
    minify: values.minify,
    fullBlob: values['full-blob'],
    cyclesPerMac,
    typecheck: !values['no-typecheck'],
    allowMissingGlobals: app.allowMissingGlobals,
  });
  process.stdout.write(`${formatBudget(report.budget)}\n`);
  for (const w of report.warnings) process.stdout.write(`warning: ${w}\n`);
  process.stdout.write(`wrote ${files.length} files to ${outDir}\n`);
  return 0;
}

/**
 * `simulate`: build, run, summarise (and report). With --watch, again after every edit of the app's
 * folder until `stop` (Ctrl-C): a failed build or a run that throws is printed and the watch goes on.
 */
export async function simulateCommand(args: string[], stop?: Promise<void>): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      board: { type: 'string' },
      trace: { type: 'string' },
      model: { type: 'string' },
      duration: { type: 'string' },
      report: { type: 'string' },
      quiet: { type: 'boolean' },
      serve: { type: 'string' },
      watch: { type: 'boolean' },
      watchdog: { type: 'string' },
      'no-typecheck': { type: 'boolean' },
    },
  });
  // Checked before the (slow) build: a typo is a usage error at once.
  const durationOption = numberOption(values.duration, '--duration', { min: 0, what: 'milliseconds of board time to simulate' });
  const watchdogMs = numberOption(values.watchdog, '--watchdog', { min: 0, what: 'ms of host time a callback may run before the simulator stops it; 0: no limit' });
  if (values.serve !== undefined) numberOption(values.serve, '--serve', { integer: true, min: 0, max: 65535, what: 'a TCP port; 0 picks a free one' });
  if (values.trace !== undefined && !existsSync(values.trace)) throw new Error(`${values.trace}: no such trace file or folder`);
  const target = need(positionals[0], 'app entry, app folder or built folder');
  const board = need(values.board, '--board <BOARD>');
  const builtAlready = existsSync(join(target, 'app.js'));
  if (values.watch && values.serve !== undefined) throw new UsageError('give --watch (rerun on every edit) or --serve (a virtual device), not both');
  if (values.watch && builtAlready) throw new UsageError(`--watch rebuilds the app on every edit: give its entry or folder, not the built folder ${target}`);
  const { simulate, simulationReport } = await import('./sim/index.js').then(async (m) => ({ ...m, ...(await import('./sim/report.js')) }));

  const once = async (): Promise<number> => {
    const sim = await simulate({
      board,
      app: builtAlready ? undefined : target,
      built: builtAlready ? target : undefined,
      model: values.model,
      trace: values.trace,
      watchdogMs,
      typecheck: !values['no-typecheck'],
      onOutput: values.quiet ? undefined : ({ t, line }) => process.stdout.write(`[${(t / 1000).toFixed(3)} s] ${line}\n`),
    });
    if (values.serve !== undefined) return await serveSimulation(sim, values.serve, board);
    const duration = durationOption ?? defaultDuration(sim.trace);
    // Advance in steps so a long run shows progress.
    const step = Math.max(1000, Math.ceil(duration / 20));
    const progress = progressLine();
    for (let t = 0; t < duration; t += step) {
      sim.advance(Math.min(step, duration - t));
      if (values.quiet) progress.update(`simulated ${Math.min(t + step, duration)} / ${duration} ms`);
    }
    progress.end();
    if (values.report) {
      mkdirSync(dirname(values.report), { recursive: true });
      writeFileSync(values.report, simulationReport(sim, `${basename(target)} on ${board}`));
      process.stdout.write(`report: ${values.report}\n`);
    }
    process.stdout.write(`${simulationSummary(sim, duration)}\n`);
    if (sim.errors.length) {
      process.stderr.write(`tinysense: the app threw ${sim.errors.length} error(s); first: ${sim.errors[0].message}\n`);
      return 1;
    }
    return 0;
  };
  if (!values.watch) return await once();

  // --watch: the folder the app's files are in (its folder, or the entry's).
  const { resolveApp } = await import('./bundler/project.js');
  const { watchAppFiles } = await import('./dev/watch.js');
  const dir = statSync(target).isDirectory() ? target : dirname(resolveApp(target, values.model).entry);
  let code = 1;
  const attempt = async (reason: string) => {
    const started = performance.now();
    process.stdout.write(`--- ${reason}: building and simulating ${basename(target)} on ${board}\n`);
    try {
      code = await once();
    } catch (e) {
      code = 1;
      process.stderr.write(`tinysense: ${errorMessage(e)}\n`);
    }
    process.stdout.write(`--- done in ${((performance.now() - started) / 1000).toFixed(1)} s; watching ${dir} for changes (Ctrl-C stops)\n`);
  };
  // One run at a time; edits during a run start one more run after it, not one each.
  let running = attempt('start');
  let pending: string | undefined;
  const watcher = watchAppFiles(dir, (name) => {
    if (pending !== undefined) {
      pending = name;
      return;
    }
    pending = name;
    running = running.then(() => {
      const reason = `${pending} changed`;
      pending = undefined;
      return attempt(reason);
    });
  });
  // Only a watch waits for Ctrl-C (a SIGINT listener keeps Node from exiting on it).
  await (stop ?? interrupted());
  watcher.close();
  await running;
  return code;
}

/** Resolves at Ctrl-C. */
function interrupted(): Promise<void> {
  return new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
}

/** The closing line of `simulate`: events, model runs with their latency and missed deadlines, board time. */
export function simulationSummary(sim: import('./sim/index.js').Simulation, duration: number): string {
  const counts = new Map<string, number>();
  for (const e of sim.events()) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  const timing = sim.timing();
  const r = sim.runSummary();
  const unmeasured = r && !r.measured ? ' (not measured: assumed cycle figures)' : '';
  const runs = !r
    ? 'model time not estimated for this board'
    : `${r.runs} model run${r.runs === 1 ? '' : 's'}` +
      (r.runs ? `, latency ${r.meanMs.toFixed(0)} ms mean, ${r.maxMs.toFixed(0)} ms max${unmeasured}` : '') +
      (r.withDeadline ? `; missed deadlines: ${r.missed} of ${r.withDeadline} (period ${r.periods.join('/')} ms${r.skipped ? `, ${r.skipped} ticks never ran` : ''})` : '');
  return `${duration} ms simulated: ${[...counts].map(([n, c]) => `${c} ${n}`).join(', ') || 'no events'}; ${runs}` +
    `; event loop blocked ${timing.longestBlockMs.toFixed(0)} ms at most; native calls ${JSON.stringify(sim.nativeCalls())}`;
}

/** Long enough to replay the whole trace and a little more. */
function defaultDuration(trace: import('./sim/traces.js').Trace | undefined): number {
  if (!trace) return 10000;
  if (trace.kind === 'scalar') return (trace.t[trace.t.length - 1] ?? 0) + 1000;
  if (trace.kind === 'frames') return (trace.frames[trace.frames.length - 1]?.t ?? 0) + 2000;
  return Math.ceil((1000 * trace.samples.length) / trace.sampleRate) + 1000;
}

/** `simulate --serve PORT`: the simulated board as a network Espruino (telnet console) until Ctrl-C. */
async function serveSimulation(sim: import('./sim/index.js').Simulation, port: string, board: string): Promise<number> {
  const { serveBoard } = await import('./sim/serve.js');
  const { bootFiles } = await import('./upload.js');
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) throw new UsageError(`--serve ${port}: give a TCP port (0 picks a free one)`);
  const espruinoBoard = sim.simulated.espruinoConsole;
  if (!espruinoBoard) throw new UsageError(`--serve: ${board} runs ${sim.app.board.engine ?? 'another engine'}; only Espruino boards have the console the espruino CLI speaks`);
  // The app the simulation started is the board's installed app: load() and E.reboot() start it again.
  for (const [name, bytes] of Object.entries(bootFiles(Buffer.from(sim.app.bundle, 'utf8')))) espruinoBoard.storage.set(name, bytes);
  const served = await serveBoard(espruinoBoard, { port: portNumber, log: (message) => process.stderr.write(`${message}\n`) });
  process.stdout.write(`${board} is on ${served.address} (Ctrl-C stops); try: npx espruino --no-ble -p ${served.address} -e 'print(process.env)'\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await served.close();
  process.stdout.write(`stopped after ${(sim.now / 1000).toFixed(1)} s of board time\n`);
  if (sim.errors.length) {
    process.stderr.write(`tinysense: the app threw ${sim.errors.length} error(s); first: ${sim.errors[0].message}\n`);
    return 1;
  }
  return 0;
}

/** `dev`: the live page (host/dev, docs/dev.md) until Ctrl-C. */
async function devCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      board: { type: 'string' },
      trace: { type: 'string' },
      port: { type: 'string', short: 'p' },
      model: { type: 'string' },
      'http-port': { type: 'string' },
      speed: { type: 'string' },
      paused: { type: 'boolean' },
    },
  });
  if (values.trace && values.port) throw new UsageError('give --trace (simulate) or --port (follow a board), not both');
  const httpPort = values['http-port'] === undefined ? 0 : Number(values['http-port']);
  if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) throw new UsageError(`--http-port ${values['http-port']}: give a TCP port (0 picks a free one)`);
  const { startDev } = await import('./dev/index.js');
  const dev = await startDev({
    app: need(positionals[0], 'app folder or entry'),
    board: need(values.board, '--board <BOARD>'),
    trace: values.trace,
    port: values.port,
    model: values.model,
    httpPort,
    speed: values.speed === undefined ? undefined : Number(values.speed),
    autoplay: !values.paused,
    log: (message) => process.stderr.write(`dev: ${message}\n`),
  });
  process.stdout.write(`tinysense dev: open ${dev.url} (Ctrl-C stops)\n`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await dev.close();
  return 0;
}

/** `upload`: install a build; with --monitor, then stream the app's console and events until `stop` (Ctrl-C). */
export async function uploadCommand(args: string[], stop?: Promise<void>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: 'string' },
      port: { type: 'string', short: 'p' },
      dir: { type: 'string' },
      force: { type: 'boolean' },
      monitor: { type: 'boolean' },
      'boot-code': { type: 'boolean' },
      'app-id': { type: 'string' },
    },
  });
  const { findBuildFolder, uploadApp } = await import('./upload.js');
  const board = need(values.board, '--board <BOARD>');
  const port = need(values.port, '--port <serial|BLE address|tcp://host:port>');
  const dir = values.dir === undefined ? findBuildFolder(board) : inputDir(values.dir, 'build');
  const progress = progressLine();
  const result = await uploadApp({
    dir,
    board,
    port,
    force: values.force,
    layout: values['boot-code'] ? 'boot-code' : undefined,
    appId: values['app-id'],
    onProgress: (p) => {
      if (p.phase === 'checking') process.stderr.write(`checking what the board on ${port} has...\n`);
      else if (p.phase === 'writing') progress.update(`writing ${p.bytes} / ${p.totalBytes} bytes`);
      else if (p.phase === 'planned') {
        progress.end();
        process.stderr.write(`install ${p.mode}${p.plan.reason ? ` (${p.plan.reason})` : ''}\n`);
      } else if (p.phase === 'verifying') progress.update(`verified ${p.bytes} / ${p.totalBytes} bytes`);
      else if (p.phase === 'switching') {
        progress.end();
        process.stderr.write('switching over and starting the new app...\n');
      }
    },
    onDeviceLine: (line) => {
      progress.end();
      process.stdout.write(`board: ${line}\n`);
    },
  });
  progress.end();
  const unchanged = result.skipped.length ? `; unchanged, not sent: ${result.skipped.join(', ')}` : '';
  const listed = result.appLoader ? `; ${result.appLoader.app} and ${result.appLoader.info} (listed by the launcher; .bootcde untouched)` : '';
  process.stdout.write(`installed ${dir} on ${port} (${result.mode}${listed}): sent ${result.sent.join(', ') || 'nothing'} (${result.sentBytes} bytes)${unchanged}; the new app reported it started\n`);
  if (!values.monitor) return 0;
  const { monitorBoard } = await import('./upload.js');
  process.stdout.write(`monitoring ${port}: the app's console and events (Ctrl-C stops)\n`);
  const seen = await monitorBoard({
    port,
    until: stop ?? interrupted(),
    onLine: (line, t) => process.stdout.write(`[${(t / 1000).toFixed(3)} s] ${line}\n`),
    onEvent: (e, t) => process.stdout.write(`[${(t / 1000).toFixed(3)} s] event ${e.name} ${JSON.stringify(e.value)}\n`),
    onNotice: (message) => process.stderr.write(`monitor: ${message}\n`),
  });
  process.stdout.write(`monitor stopped: ${seen.lines} lines, ${seen.events} events\n`);
  return 0;
}

async function recordCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: 'string' },
      port: { type: 'string', short: 'p' },
      label: { type: 'string' },
      seconds: { type: 'string' },
      interval: { type: 'string' },
      output: { type: 'string', short: 'o' },
    },
  });
  const { recordAccel } = await import('./record.js');
  const port = need(values.port, '--port <serial|BLE address|tcp://host:port>');
  const label = need(values.label, '--label <label>');
  const seconds = numberOption(values.seconds, '--seconds', { min: 0.1, what: 'seconds to record' }) ?? 10;
  const pollMs = numberOption(values.interval, '--interval', { min: 10, max: 4000, what: 'ms between accelerometer samples (Bangle.setPollInterval)' });
  process.stderr.write(`recording "${label}" for ${seconds} s from ${port}...\n`);
  const progress = progressLine();
  const result = await recordAccel({
    board: need(values.board, '--board <BOARD>'),
    port,
    label,
    seconds,
    pollMs,
    outDir: values.output,
    onSample: (_sample, count) => {
      if (count % 25 === 0) progress.update(`${count} samples`);
    },
    onDeviceLine: (line) => {
      progress.end();
      process.stderr.write(`board: ${line}\n`);
    },
  });
  progress.end();
  const lost = result.missing ? `; ${result.missing} samples were lost on the way` : '';
  process.stdout.write(`wrote ${result.file}: ${result.samples} samples${lost}\n`);
  return 0;
}
