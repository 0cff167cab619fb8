#!/usr/bin/env node
// `npm run bench`: host invoke time (median of many) and a per-operator breakdown for the shared
// reference models, through the same WebAssembly kernels and device runtime `tinysense run` uses.
// Figures are wall-clock on this machine: compare ratios within one run, not absolute times.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compileTflite, instantiate } from '../dist/host/model.js';
import { PACKAGE_ROOT } from '../dist/host/paths.js';

// The model corpus committed in the repository (models/; host/paths.ts MODELS_DIR).
const SHARED = resolve(PACKAGE_ROOT, 'models');
const MODELS = [
  { name: 'person_detect', model: 'person_detection/person_detect_int8.tflite', input: 'testdata/person_96x96_int8.bin', runs: 30 },
  { name: 'micro_speech', model: 'micro_speech/micro_speech_quantized_int8.tflite', input: 'testdata/yes_features_49x40_int8.bin', runs: 300 },
  // The audio front end: one invoke is one 30 ms window -> one 40-feature frame.
  { name: 'audio_preprocessor', model: 'micro_speech/audio_preprocessor_int8.tflite', input: 'testdata/yes_30ms_s16le.raw', runs: 1000, frames: true },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const now = () => Number(process.hrtime.bigint()) / 1e6;

for (const m of MODELS) {
  const compiled = compileTflite(new Uint8Array(readFileSync(join(SHARED, m.model))));
  const model = instantiate(compiled.pack);
  const input = model.input(0);
  const inputBytes = readFileSync(join(SHARED, m.input));
  new Uint8Array(input.buffer, input.byteOffset, input.byteLength).set(inputBytes);
  for (let i = 0; i < 3; i++) model.invoke(); // warm up the JIT
  const totals = [];
  const perOp = compiled.ops.map(() => []);
  for (let r = 0; r < m.runs; r++) {
    const t0 = now();
    model.invoke();
    totals.push(now() - t0);
  }
  for (let r = 0; r < m.runs; r++) {
    compiled.ops.forEach((_, i) => {
      const t0 = now();
      model.invokeOp(i);
      perOp[i].push(now() - t0);
    });
  }
  const byKernel = new Map();
  compiled.ops.forEach((op, i) => {
    const k = byKernel.get(op.name) ?? { count: 0, ms: 0, macs: 0 };
    k.count++;
    k.ms += median(perOp[i]);
    k.macs += op.macs;
    byKernel.set(op.name, k);
  });
  const total = median(totals);
  console.log(`\n${m.name}: ${total.toFixed(3)} ms per invoke (median of ${m.runs}), ${compiled.macs} MACs, ` +
    (m.frames ? `${Math.round(1000 / total)} feature frames/s` : `${(compiled.macs / total / 1e3).toFixed(1)} MMAC/s`) +
    `; arena ${compiled.arenaBytes} B, pack ${compiled.packBytes} B`);
  console.log('  op                    count   ms (sum of medians)  share   MACs');
  const opSum = [...byKernel.values()].reduce((s, k) => s + k.ms, 0);
  for (const [name, k] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`  ${name.padEnd(20)} ${String(k.count).padStart(5)}   ${k.ms.toFixed(3).padStart(10)}          ${(100 * k.ms / opSum).toFixed(1).padStart(5)}%  ${k.macs}`);
  }
}

// The keyword spotter of examples/keyword (device/audio.ts): front end every 20 ms, classifier every
// `strideFrames` frames, decisions; host time per second of audio (5 s stream: silence, yes, silence, no, silence).
{
  const { createKeywordSpotter } = await import('../dist/device/audio.js');
  const pack = (file) => compileTflite(new Uint8Array(readFileSync(join(SHARED, file)))).pack;
  const frontEnd = pack('micro_speech/audio_preprocessor_int8.tflite');
  const classifier = pack('micro_speech/micro_speech_quantized_int8.tflite');
  const pcm = (word) => {
    const b = readFileSync(join(SHARED, 'testdata', `${word}_1000ms_s16le.raw`));
    return new Int16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  };
  const words = ['silence', 'yes', 'silence', 'no', 'silence'];
  const stream = new Int16Array(16000 * words.length);
  words.forEach((w, i) => stream.set(pcm(w), 16000 * i));
  console.log('\nkeyword spotter (examples/keyword pipeline), host ms per second of audio (median of 5 runs of the 5 s stream):');
  for (const strideFrames of [1, 2]) {
    const times = [];
    let heard = [];
    for (let r = 0; r < 6; r++) {
      heard = [];
      const spotter = createKeywordSpotter({
        frontEnd: instantiate(frontEnd), classifier: instantiate(classifier), labels: ['silence', 'unknown', 'yes', 'no'],
        strideFrames, onKeyword: (d) => heard.push(`${d.label}@${d.timeMs}`),
      });
      const t0 = now();
      for (let at = 0; at < stream.length; at += 640) spotter.push(stream.subarray(at, at + 640));
      if (r > 0) times.push((now() - t0) / words.length); // run 0 warms up the JIT
    }
    console.log(`  stride ${strideFrames} frame(s): ${median(times).toFixed(2)} ms per s of audio; heard ${heard.join(', ')}`);
  }
}
