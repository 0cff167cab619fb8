/**
 * The tinysense command line: `tinysense <command> ...`. Exit codes: 0 done,
 * 1 the model or input is wrong (the message says what), 2 usage error.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CompiledModel } from './compiler/compile.js';
import { inspectCompiled, inspectPack, formatInspect } from './inspect.js';
import { instantiate, loadModelFile, runOnce } from './model.js';

const USAGE = `usage:
  tinysense inspect <model.tflite|model.tsm> [--json]
  tinysense compile <model.tflite> -o <model.tsm> [--json]
  tinysense run <model.tflite|model.tsm> --input <in.bin> (--output <out.bin> | --output-dir <dir>) [--json]
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
