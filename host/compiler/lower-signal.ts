/**
 * Lowering of TFLM's audio front-end ("signal" custom operators, as in
 * micro_speech's audio_preprocessor_int8.tflite) and of the int32 element-wise
 * ops, CAST and data movement around them. Each function is the host side of
 * the op's Prepare in tflite-micro signal/micro/kernels/*.cc; the kernels are
 * in kernels-c/src/signal.c, the records in the header's audio section.
 *
 * Stateful ops (SignalFilterBankSpectralSubtraction) mark their state tensor
 * `persistent`: the compiler keeps it out of the planner's reuse, declares it
 * in the pack (docs/model-pack.md, flags bit 0) and the runtime zeroes it on
 * reset.
 */
import {
  CAST, ELEMENTWISE, ELEMENTWISE_S32, MAX_DIMS, SIGNAL_ENERGY, SIGNAL_FFT_AUTO_SCALE, SIGNAL_FILTER_BANK,
  SIGNAL_FILTER_BANK_LOG, SIGNAL_FILTER_BANK_SQRT, SIGNAL_OP, SIGNAL_PCAN, SIGNAL_RFFT, SIGNAL_SPECTRAL_SUBTRACTION,
  SIGNAL_WINDOW,
} from '../../device/records.js';
import { Tensor, elementCount } from './graph.js';
import { LoweredOp, OpContext, RecordBuilder, broadcastView, extend } from './lower.js';
import { lowerSubInt8 } from './lower-sub.js';

type Lowering = (c: OpContext) => LoweredOp;

/** Element type codes of the pack's tensor table (pack.ts DTYPE), plus 6 for uint32 (CAST only). */
function typeCode(t: Tensor): number {
  switch (t.type === 'other' ? t.typeName : t.type) {
    case 'int8': return 1;
    case 'int16': return 2;
    case 'int32': return 3;
    case 'uint8': return 5;
    case 'uint32': return 6;
    default: return 0;
  }
}

function expectTypeName(c: OpContext, t: Tensor, ...names: string[]): void {
  const name = t.type === 'other' ? t.typeName : t.type;
  if (!names.includes(name)) c.fail(`tensor ${t.index} (${t.name}) is ${t.typeName}, expected ${names.join(' or ')}`);
}

/** A custom option (flexbuffer map entry) as a safe integer. */
function custom(c: OpContext, name: string, fallback?: number): number {
  const options = c.op.options.custom as Record<string, unknown> | undefined;
  const raw = options && typeof options === 'object' ? options[name] : undefined;
  if (raw === undefined) {
    if (fallback === undefined) c.fail(`custom option ${name} is missing`);
    return fallback;
  }
  const v = typeof raw === 'boolean' ? Number(raw) : typeof raw === 'bigint' ? Number(raw) : (raw as number);
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) c.fail(`custom option ${name} is ${String(raw)}, expected an integer`);
  return v;
}

function inRange(c: OpContext, v: number, lo: number, hi: number, what: string): number {
  if (!Number.isInteger(v) || v < lo || v > hi) c.fail(`${what} is ${v}, outside [${lo}, ${hi}]`);
  return v;
}

function int16Data(c: OpContext, t: Tensor): Int16Array {
  expectTypeName(c, t, 'int16');
  const data = c.constData(t) ?? c.fail(`tensor ${t.index} (${t.name}) must be a constant`);
  const copy = new Uint8Array(data);
  return new Int16Array(copy.buffer, 0, copy.length >> 1);
}

function lowerWindow(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const window = c.input(1);
  const output = c.output();
  expectTypeName(c, input, 'int16');
  expectTypeName(c, output, 'int16');
  const n = elementCount(input.shape);
  const w = elementCount(window.shape);
  if (elementCount(output.shape) !== n) c.fail('input and output sizes differ');
  if (window.shape.length !== 1 || w < 1 || n % w !== 0) c.fail(`window of ${w} does not divide the input of ${n}`);
  int16Data(c, window);
  const shift = inRange(c, custom(c, 'shift'), 0, 31, 'shift');
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_WINDOW, SIGNAL_WINDOW)
    .set('input', c.read(input))
    .set('window', c.constant(window))
    .set('output', c.write(output))
    .set('size', n)
    .set('windowSize', w)
    .set('shift', shift);
  return c.finish(r.code, r.words, n);
}

function lowerFftAutoScale(c: OpContext): LoweredOp {
  c.expectCounts(1, 2);
  const input = c.input(0);
  const output = c.output(0);
  const scaleBits = c.output(1);
  expectTypeName(c, input, 'int16');
  expectTypeName(c, output, 'int16');
  expectTypeName(c, scaleBits, 'int32');
  if (elementCount(scaleBits.shape) !== 1) c.fail('the scale bit output must be a scalar');
  const n = elementCount(input.shape);
  if (elementCount(output.shape) !== n) c.fail('input and output sizes differ');
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_FFT_AUTO_SCALE, SIGNAL_FFT_AUTO_SCALE)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('scaleBits', c.write(scaleBits))
    .set('size', n);
  return c.finish(r.code, r.words);
}

/** kissfft's twiddles (kf_cexp with FIXED_POINT=16: floor(.5 + 32767 * cos/sin)). */
function fixedCexp(phase: number): [number, number] {
  return [Math.floor(0.5 + 32767 * Math.cos(phase)), Math.floor(0.5 + 32767 * Math.sin(phase))];
}

/** SignalRfft int16: the kiss_fftr state the kernel's Init would build, as pack constants. */
function lowerRfft(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  expectTypeName(c, input, 'int16');
  expectTypeName(c, output, 'int16');
  const fftLength = custom(c, 'fft_length');
  if (fftLength < 4 || fftLength > 1 << 16 || (fftLength & (fftLength - 1)) !== 0) c.fail(`fft_length ${fftLength} is not a power of two from 4 to 65536`);
  if (input.shape.length < 1) c.fail('input must have at least one dimension');
  const inputLength = input.shape[input.shape.length - 1];
  if (inputLength > fftLength) c.fail(`input length ${inputLength} exceeds fft_length ${fftLength}`);
  const frames = elementCount(input.shape) / Math.max(inputLength, 1);
  if (elementCount(output.shape) !== frames * (fftLength + 2)) c.fail(`output has ${elementCount(output.shape)} values, expected ${frames * (fftLength + 2)}`);
  const ncfft = fftLength / 2;
  const tw = new Int16Array(2 * ncfft);
  for (let i = 0; i < ncfft; i++) {
    const pi = 3.14159265358979323846264338327950288;
    const [re, im] = fixedCexp((-2 * pi * i) / ncfft);
    tw[2 * i] = re;
    tw[2 * i + 1] = im;
  }
  const stw = new Int16Array(Math.max(2, ncfft));
  for (let i = 0; i < ncfft / 2; i++) {
    const [re, im] = fixedCexp(-3.14159265358979323846264338327 * ((i + 1) / ncfft + 0.5));
    stw[2 * i] = re;
    stw[2 * i + 1] = im;
  }
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_RFFT, SIGNAL_RFFT)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('twiddles', { kind: 'const', id: c.consts.add(new Uint8Array(tw.buffer)) })
    .set('superTwiddles', { kind: 'const', id: c.consts.add(new Uint8Array(stw.buffer)) })
    .set('fftLength', fftLength)
    .set('inputLength', inputLength)
    .set('frames', frames);
  return c.finish(r.code, r.words, frames * fftLength * Math.log2(fftLength));
}

function lowerEnergy(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  expectTypeName(c, input, 'int16');
  expectTypeName(c, output, 'uint32');
  const bins = elementCount(output.shape);
  if (elementCount(input.shape) !== 2 * bins) c.fail(`input has ${elementCount(input.shape)} values, expected ${2 * bins} (complex)`);
  const start = inRange(c, custom(c, 'start_index'), 0, bins, 'start_index');
  const end = inRange(c, custom(c, 'end_index'), start, bins, 'end_index');
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_ENERGY, SIGNAL_ENERGY)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('start', start)
    .set('end', end);
  return c.finish(r.code, r.words);
}

function lowerFilterBank(c: OpContext): LoweredOp {
  c.expectCounts(6);
  const input = c.input(0);
  const output = c.output();
  expectTypeName(c, input, 'uint32');
  expectTypeName(c, output, 'uint64');
  const channels = custom(c, 'num_channels');
  if (elementCount(output.shape) !== channels) c.fail(`output has ${elementCount(output.shape)} values for ${channels} channels`);
  const bins = elementCount(input.shape);
  const [weights, unweights, freqStarts, weightStarts, widths] = [1, 2, 3, 4, 5].map((k) => int16Data(c, c.input(k)));
  if (weights.length !== unweights.length) c.fail('weights and unweights differ in length');
  for (const [a, what] of [[freqStarts, 'channel frequency starts'], [weightStarts, 'channel weight starts'], [widths, 'channel widths']] as const) {
    if (a.length !== channels + 1) c.fail(`${what} hold ${a.length} values, expected ${channels + 1}`);
  }
  for (let i = 0; i <= channels; i++) {
    if (widths[i] < 0 || freqStarts[i] < 0 || weightStarts[i] < 0 || freqStarts[i] + widths[i] > bins || weightStarts[i] + widths[i] > weights.length) {
      c.fail(`channel ${i} reaches outside the input or the weights`);
    }
  }
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_FILTER_BANK, SIGNAL_FILTER_BANK)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('weights', c.constant(c.input(1)))
    .set('unweights', c.constant(c.input(2)))
    .set('freqStarts', c.constant(c.input(3)))
    .set('weightStarts', c.constant(c.input(4)))
    .set('widths', c.constant(c.input(5)))
    .set('numChannels', channels)
    .set('numBins', bins)
    .set('numWeights', weights.length);
  return c.finish(r.code, r.words, 2 * weights.length);
}

function lowerFilterBankSqrt(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const scaleBits = c.input(1);
  const output = c.output();
  expectTypeName(c, input, 'uint64');
  expectTypeName(c, scaleBits, 'int32');
  expectTypeName(c, output, 'uint32');
  const n = elementCount(input.shape);
  if (elementCount(output.shape) !== n) c.fail('input and output sizes differ');
  if (elementCount(scaleBits.shape) !== 1) c.fail('scale bits must be one value');
  const [ref, inPack] = c.readAny(scaleBits);
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_FILTER_BANK_SQRT, SIGNAL_FILTER_BANK_SQRT)
    .set('input', c.read(input))
    .set('scaleBits', ref)
    .set('output', c.write(output))
    .set('scaleBitsInPack', inPack)
    .set('numChannels', n);
  return c.finish(r.code, r.words);
}

/**
 * TFLM keeps the noise estimate in a persistent buffer and copies it to the
 * second output after each invoke; here the second output IS the state (the
 * same bytes), kept alive across invokes and zeroed by a reset.
 */
function lowerSpectralSubtraction(c: OpContext): LoweredOp {
  c.expectCounts(1, 2);
  const input = c.input(0);
  const output = c.output(0);
  const noise = c.output(1);
  for (const t of [input, output, noise]) expectTypeName(c, t, 'uint32');
  const channels = custom(c, 'num_channels');
  for (const t of [input, output, noise]) if (elementCount(t.shape) !== channels) c.fail(`tensor ${t.index} does not hold ${channels} channels`);
  const u16 = (name: string) => inRange(c, custom(c, name), 0, 65535, name);
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION, SIGNAL_SPECTRAL_SUBTRACTION)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('noiseEstimate', c.write(noise))
    .set('numChannels', channels)
    .set('smoothing', u16('smoothing'))
    .set('oneMinusSmoothing', u16('one_minus_smoothing'))
    .set('alternateSmoothing', u16('alternate_smoothing'))
    .set('alternateOneMinusSmoothing', u16('alternate_one_minus_smoothing'))
    .set('smoothingBits', inRange(c, custom(c, 'smoothing_bits'), 0, 31, 'smoothing_bits'))
    .set('spectralSubtractionBits', inRange(c, custom(c, 'spectral_subtraction_bits'), 0, 63, 'spectral_subtraction_bits'))
    .set('minSignalRemaining', u16('min_signal_remaining'))
    .set('clamping', custom(c, 'clamping', 0) ? 1 : 0);
  const op = c.finish(r.code, r.words);
  op.persistent = [noise.index];
  return op;
}

function lowerPcan(c: OpContext): LoweredOp {
  c.expectCounts(3);
  const input = c.input(0);
  const noise = c.input(1);
  const lut = c.input(2);
  const output = c.output();
  for (const t of [input, noise, output]) expectTypeName(c, t, 'uint32');
  const n = elementCount(input.shape);
  if (elementCount(noise.shape) !== n || elementCount(output.shape) !== n) c.fail('input, noise estimate and output sizes differ');
  const lutValues = int16Data(c, lut);
  // WideDynamicFunction reads lut[4 * msb - 6 .. + 2], msb up to 32.
  if (lutValues.length < 125) c.fail(`gain LUT holds ${lutValues.length} values, expected at least 125`);
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_PCAN, SIGNAL_PCAN)
    .set('input', c.read(input))
    .set('noiseEstimate', c.read(noise))
    .set('gainLut', c.constant(lut))
    .set('output', c.write(output))
    .set('numChannels', n)
    .set('snrShift', inRange(c, custom(c, 'snr_shift'), 0, 63, 'snr_shift'))
    .set('lutSize', lutValues.length);
  return c.finish(r.code, r.words);
}

function lowerFilterBankLog(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  expectTypeName(c, input, 'uint32');
  expectTypeName(c, output, 'int16');
  const n = elementCount(input.shape);
  if (elementCount(output.shape) !== n) c.fail('input and output sizes differ');
  const r = new RecordBuilder(SIGNAL_OP.SIGNAL_FILTER_BANK_LOG, SIGNAL_FILTER_BANK_LOG)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('numChannels', n)
    .set('outputScale', inRange(c, custom(c, 'output_scale'), 0, 65535, 'output_scale'))
    .set('correctionBits', inRange(c, custom(c, 'input_correction_bits'), 0, 31, 'input_correction_bits'));
  return c.finish(r.code, r.words);
}

function lowerCast(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  const from = typeCode(input);
  const to = typeCode(output);
  if (!from || !to) c.fail(`CAST from ${input.typeName} to ${output.typeName} is not supported`);
  const n = elementCount(input.shape);
  if (elementCount(output.shape) !== n) c.fail('input and output sizes differ');
  const r = new RecordBuilder(SIGNAL_OP.CAST, CAST)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('size', [n, from, to]);
  return c.finish(r.code, r.words);
}

function lowerElementwiseS32(c: OpContext, kind: number): LoweredOp {
  c.expectCounts(2);
  const a = c.input(0);
  const b = c.input(1);
  const output = c.output();
  for (const t of [a, b, output]) c.expectType(t, 'int32');
  if (output.shape.length > MAX_DIMS) c.fail(`rank above ${MAX_DIMS}`);
  const act = c.option<string>('fusedActivationFunction', 'NONE');
  // int32 activation bounds: CalculateActivationRange on the raw values.
  const ranges: Record<string, [number, number]> = {
    NONE: [-(2 ** 31), 2 ** 31 - 1], RELU: [0, 2 ** 31 - 1], RELU6: [0, 6], RELU_N1_TO_1: [-1, 1],
  };
  const range = ranges[act] ?? c.fail(`fused activation ${act} is not supported on int32`);
  if (kind === ELEMENTWISE.DIV) {
    const data = c.constData(b);
    if (data && new Int32Array(new Uint8Array(data).buffer).some((v) => v === 0)) c.fail('division by a constant zero');
  }
  const [aRef, aInPack] = c.readAny(a);
  const [bRef, bInPack] = c.readAny(b);
  const r = new RecordBuilder(SIGNAL_OP.ELEMENTWISE_S32, ELEMENTWISE_S32)
    .set('input1', aRef)
    .set('input2', bRef)
    .set('output', c.write(output))
    .set('input1InPack', aInPack)
    .set('input2InPack', bInPack)
    .set('kind', kind)
    .set('actMin', range[0])
    .set('actMax', range[1])
    .setList('outputShape', extend(output.shape))
    .setView('view1', broadcastView(c, a.shape, output.shape))
    .setView('view2', broadcastView(c, b.shape, output.shape));
  return c.finish(r.code, r.words, elementCount(output.shape));
}

function isInt32Op(c: OpContext): boolean {
  const t = c.op.outputs.length > 0 ? c.output() : null;
  return t !== null && t.type === 'int32';
}

/** Adds the audio front-end lowerings to `table`; int32 ADD and MUL go here, int8 ones stay where they were. */
export function registerSignalLowerings(table: Record<string, Lowering>): void {
  const int8Add = table.ADD;
  const int8Mul = table.MUL;
  const prev = { ADD: int8Add, MUL: int8Mul };
  table.ADD = (c) => (isInt32Op(c) ? lowerElementwiseS32(c, ELEMENTWISE.ADD) : prev.ADD(c));
  table.MUL = (c) => (isInt32Op(c) ? lowerElementwiseS32(c, ELEMENTWISE.MUL) : prev.MUL(c));
  table.SUB = (c) => (isInt32Op(c) ? lowerElementwiseS32(c, ELEMENTWISE.SUB) : lowerSubInt8(c));
  table.DIV = (c) => lowerElementwiseS32(c, ELEMENTWISE.DIV);
  table.MINIMUM = (c) => lowerElementwiseS32(c, ELEMENTWISE.MIN);
  table.MAXIMUM = (c) => lowerElementwiseS32(c, ELEMENTWISE.MAX);
  table.CAST = lowerCast;
  table.SignalWindow = lowerWindow;
  table.SignalFftAutoScale = lowerFftAutoScale;
  table.SignalRfft = lowerRfft;
  table.SignalEnergy = lowerEnergy;
  table.SignalFilterBank = lowerFilterBank;
  table.SignalFilterBankSquareRoot = lowerFilterBankSqrt;
  table.SignalFilterBankSpectralSubtraction = lowerSpectralSubtraction;
  table.SignalPCAN = lowerPcan;
  table.SignalFilterBankLog = lowerFilterBankLog;
}
