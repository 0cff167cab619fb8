/**
 * The tinysense command line: `tinysense <command> ...`. Exit codes: 0 done,
 * 1 the model or input is wrong (the message says what), 2 usage error.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { CompiledModel } from './compiler/compile.js';
import { inspectCompiled, inspectPack, formatInspect } from './inspect.js';
import { instantiate, loadModelFile, runOnce } from './model.js';

const USAGE = `usage:
  tinysense inspect <model.tflite|model.tsm> [--json]
  tinysense compile <model.tflite> -o <model.tsm> [--json]
  tinysense run <model.tflite|model.tsm> --input <in.bin> (--output <out.bin> | --output-dir <dir>) [--json]
  tinysense build <app.ts|app folder> --board <BOARD> [--model <m.tflite|m.tsm>] [--card <card.json>] [-o <dir>] [--minify] [--cycles-per-mac N]
  tinysense simulate <app.ts|app folder|built dir> --board <BOARD> [--trace <file|dir>] [--model <m>] [--duration <ms>] [--report <out.html>] [--serve <port>]
  tinysense upload --board <BOARD> --port <serial|BLE address|tcp://host:port> [--dir <build folder>] [--force]
  tinysense record --board BANGLEJS2 --port <serial|BLE address|tcp://host:port> --label <label> [--seconds N] [--interval <ms>] [-o <dir>]
  tinysense train <train.config.json|.ts>
  tinysense quantize <modelDir> --calibration <dir> -o <out.tflite> [--evaluate <dir>] [--fc-per-channel]
  tinysense synth <dir> [--seed N]              # seeded synthetic gesture traces (labelled synthetic)
`;

class UsageError extends Error {}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new UsageError(`missing ${what}`);
  return value;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
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
        process.stdout.write(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${command}`);
    }
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      process.stderr.write(`tinysense: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`tinysense: ${(e as Error).message}\n`);
    return 1;
  }
}

function inspect(args: string[]): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean' } } });
  const path = need(positionals[0], 'model file');
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
  const path = need(positionals[0], 'model file');
  const out = need(values.output, '-o <model.tsm>');
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
  const path = need(positionals[0], 'model file');
  const input = new Uint8Array(readFileSync(need(values.input, '--input <file>')));
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
  await trainFromConfig(need(positionals[0], 'training config'), { log: (line: string) => process.stdout.write(line + '\n') });
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
  await quantizeToTflite(need(positionals[0], 'model folder'), need(values.calibration, '--calibration <dir>'), need(values.output, '-o <out.tflite>'), {
    evaluateDir: values.evaluate,
    fullyConnectedWeights: values['fc-per-channel'] ? 'per-channel' : 'per-tensor',
    log: (line: string) => process.stdout.write(line + '\n'),
  });
  return 0;
}

async function synth(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { seed: { type: 'string' } } });
  const { writeSyntheticGestures } = await import('./train/index.js');
  await writeSyntheticGestures(need(positionals[0], 'output folder'), values.seed === undefined ? {} : { seed: Number(values.seed) });
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
      'cycles-per-mac': { type: 'string' },
    },
  });
  const { buildApp, formatBudget } = await import('./build/index.js');
  const { resolveApp } = await import('./build/project.js');
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
    cyclesPerMac: values['cycles-per-mac'] === undefined ? undefined : Number(values['cycles-per-mac']),
  });
  process.stdout.write(`${formatBudget(report.budget)}\n`);
  for (const w of report.warnings) process.stdout.write(`warning: ${w}\n`);
  process.stdout.write(`wrote ${files.length} files to ${outDir}\n`);
  return 0;
}

async function simulateCommand(args: string[]): Promise<number> {
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
    },
  });
  const { simulate, simulationReport } = await import('./sim/index.js').then(async (m) => ({ ...m, ...(await import('./sim/report.js')) }));
  const target = need(positionals[0], 'app entry, app folder or built folder');
  const builtAlready = existsSync(join(target, 'app.js'));
  const sim = await simulate({
    board: need(values.board, '--board <BOARD>'),
    app: builtAlready ? undefined : target,
    built: builtAlready ? target : undefined,
    model: values.model,
    trace: values.trace,
    onOutput: values.quiet ? undefined : ({ t, line }) => process.stdout.write(`[${(t / 1000).toFixed(3)} s] ${line}\n`),
  });
  if (values.serve !== undefined) return await serveSimulation(sim, values.serve, values.board!);
  const duration = values.duration !== undefined ? Number(values.duration) : defaultDuration(sim.trace);
  // Advance in steps so a long run shows progress.
  const step = Math.max(1000, Math.ceil(duration / 20));
  for (let t = 0; t < duration; t += step) {
    sim.advance(Math.min(step, duration - t));
    if (values.quiet) process.stderr.write(`\rsimulated ${Math.min(t + step, duration)} / ${duration} ms`);
  }
  if (values.quiet) process.stderr.write('\n');
  if (values.report) {
    mkdirSync(dirname(values.report), { recursive: true });
    writeFileSync(values.report, simulationReport(sim, `${basename(target)} on ${values.board}`));
    process.stdout.write(`report: ${values.report}\n`);
  }
  const events = sim.events();
  const counts = new Map<string, number>();
  for (const e of events) counts.set(e.name, (counts.get(e.name) ?? 0) + 1);
  process.stdout.write(`${duration} ms simulated: ${[...counts].map(([n, c]) => `${c} ${n}`).join(', ') || 'no events'}; native calls ${JSON.stringify(sim.nativeCalls())}\n`);
  if (sim.errors.length) {
    process.stderr.write(`tinysense: the app threw ${sim.errors.length} error(s); first: ${sim.errors[0].message}\n`);
    return 1;
  }
  return 0;
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
  const { EspruinoBoard } = await import('./sim/espruino.js');
  const { serveBoard } = await import('./sim/serve.js');
  const { bootFiles } = await import('./upload.js');
  const portNumber = Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535) throw new UsageError(`--serve ${port}: give a TCP port (0 picks a free one)`);
  if (!(sim.board instanceof EspruinoBoard)) throw new UsageError(`--serve: ${board} runs JerryScript; only Espruino boards have the console the espruino CLI speaks`);
  // The app the simulation started is the board's installed app: load() and E.reboot() start it again.
  for (const [name, bytes] of Object.entries(bootFiles(Buffer.from(sim.app.bundle, 'utf8')))) sim.board.storage.set(name, bytes);
  const served = await serveBoard(sim.board, { port: portNumber, log: (message) => process.stderr.write(`${message}\n`) });
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

async function uploadCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      board: { type: 'string' },
      port: { type: 'string', short: 'p' },
      dir: { type: 'string' },
      force: { type: 'boolean' },
    },
  });
  const { findBuildFolder, uploadApp } = await import('./upload.js');
  const board = need(values.board, '--board <BOARD>');
  const port = need(values.port, '--port <serial|BLE address|tcp://host:port>');
  const dir = values.dir ?? findBuildFolder(board);
  const result = await uploadApp({
    dir,
    board,
    port,
    force: values.force,
    onProgress: (p) => {
      if (p.phase === 'checking') process.stderr.write(`checking what the board on ${port} has...\n`);
      else if (p.phase === 'writing') process.stderr.write(`\rwriting ${p.bytes} / ${p.totalBytes} bytes`);
      else if (p.phase === 'planned') process.stderr.write(`install ${p.mode}${p.plan.reason ? ` (${p.plan.reason})` : ''}\n`);
      else if (p.phase === 'verifying') process.stderr.write(`\rverified ${p.bytes} / ${p.totalBytes} bytes`);
      else if (p.phase === 'switching') process.stderr.write('\nswitching over and starting the new app...\n');
    },
    onDeviceLine: (line) => process.stdout.write(`board: ${line}\n`),
  });
  const unchanged = result.skipped.length ? `; unchanged, not sent: ${result.skipped.join(', ')}` : '';
  process.stdout.write(`installed ${dir} on ${port} (${result.mode}): sent ${result.sent.join(', ') || 'nothing'} (${result.sentBytes} bytes)${unchanged}; the new app reported it started\n`);
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
  const seconds = values.seconds === undefined ? 10 : Number(values.seconds);
  process.stderr.write(`recording "${label}" for ${seconds} s from ${port}...\n`);
  const result = await recordAccel({
    board: need(values.board, '--board <BOARD>'),
    port,
    label,
    seconds,
    pollMs: values.interval === undefined ? undefined : Number(values.interval),
    outDir: values.output,
    onSample: (_sample, count) => {
      if (count % 25 === 0) process.stderr.write(`\r${count} samples`);
    },
    onDeviceLine: (line) => process.stderr.write(`\nboard: ${line}\n`),
  });
  const lost = result.missing ? `; ${result.missing} samples were lost on the way` : '';
  process.stdout.write(`\nwrote ${result.file}: ${result.samples} samples${lost}\n`);
  return 0;
}
