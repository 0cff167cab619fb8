/**
 * Data movement: TRANSPOSE and STRIDED_SLICE (one GATHER_VIEW walk each), PAD/PADV2, CONCATENATION, and
 * the reshape family (RESHAPE, SQUEEZE, EXPAND_DIMS), whose output aliases its input or, when that cannot
 * be, is a COPY. None requantizes: TFLM requires the input's quantization on the output.
 */
import { CONCAT, CONCAT_INPUT, COPY, GATHER, MAX_DIMS, OP, PAD } from '../../../device/records.js';
import { ELEMENT_BYTES, Tensor, elementCount } from '../graph.js';
import { LoweredOp, OpContext, RecordBuilder, View } from './context.js';
import { extend, rowMajorStrides, sameShape } from './shapes.js';

export function elemSizeOf(c: OpContext, t: Tensor): number {
  const size = ELEMENT_BYTES[t.type];
  if (size !== 1 && size !== 2 && size !== 4) c.fail(`tensor ${t.index} (${t.name}) of type ${t.typeName} cannot be moved`);
  return size;
}

export function expectSameQuant(c: OpContext, a: Tensor, b: Tensor): void {
  if (a.type !== b.type) c.fail(`tensors ${a.index} and ${b.index} differ in type (${a.typeName}, ${b.typeName})`);
  if (a.type === 'float32' || a.type === 'int32') return;
  // Unquantized integer tensors (the audio front end's int16 and uint32): nothing to compare.
  if (a.scales.length === 0 && b.scales.length === 0) return;
  const [qa, qb] = [c.quant(a), c.quant(b)];
  if (qa.scale !== qb.scale || qa.zeroPoint !== qb.zeroPoint) {
    c.fail(`tensors ${a.index} and ${b.index} must share scale and zero point (TFLM does not requantize here)`);
  }
}

/**
 * One GATHER_VIEW record: output = the input walked by `view`. Its reads and writes are its own, so an op
 * that lowers to several records (SPLIT, UNPACK) gives each the lifetimes of its own tensors.
 */
export function gatherRecord(c: OpContext, input: Tensor, output: Tensor, view: View): LoweredOp {
  const elem = elemSizeOf(c, input);
  if (view.dims.reduce((p, d) => p * d, 1) !== elementCount(output.shape)) c.fail('the walk does not produce the output shape');
  const [ref, inPack] = c.readAny(input);
  const r = new RecordBuilder(OP.GATHER_VIEW, GATHER)
    .set('input', ref)
    .set('output', c.write(output))
    .set('elemSize', elem)
    .set('inputInPack', inPack)
    .setView('view', view);
  return { ...c.finish(r.code, r.words), reads: inPack ? [] : [input.index], writes: [output.index] };
}

export function lowerTranspose(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  expectSameQuant(c, input, output);
  const rank = input.shape.length;
  if (rank > MAX_DIMS) c.fail(`rank ${rank} above ${MAX_DIMS}`);
  const perm = c.ints(c.input(1));
  if (perm.length !== rank || [...perm].sort((x, y) => x - y).some((p, i) => p !== i)) c.fail(`permutation [${perm.join(',')}] is not a permutation of ${rank} axes`);
  const strides = rowMajorStrides(input.shape);
  const dims = perm.map((p) => input.shape[p]);
  if (!sameShape(dims, output.shape)) c.fail(`output shape [${output.shape.join(',')}] is not the permuted input shape [${dims.join(',')}]`);
  const pad = MAX_DIMS - rank;
  return gatherRecord(c, input, output, {
    dims: [...new Array<number>(pad).fill(1), ...dims],
    step: [...new Array<number>(pad).fill(0), ...perm.map((p) => strides[p])],
    start: 0,
  });
}

/** STRIDED_SLICE as TFLM's reference computes it (StridedSliceStartForAxis/EndForAxis, offset ignored). */
export function lowerStridedSlice(c: OpContext): LoweredOp {
  c.expectCounts(4);
  const input = c.input(0);
  const output = c.output();
  expectSameQuant(c, input, output);
  const rank = input.shape.length;
  if (rank > 5) c.fail(`rank ${rank} above 5`);
  const [begin, end, strides] = [c.ints(c.input(1)), c.ints(c.input(2)), c.ints(c.input(3))];
  if (begin.length !== rank || end.length !== rank || strides.length !== rank) c.fail('begin, end and strides must each have one value per input dimension');
  if (c.option<number>('ellipsisMask', 0) !== 0 || c.option<number>('newAxisMask', 0) !== 0) c.fail('ellipsis_mask and new_axis_mask are not supported (TFLM ignores them)');
  const beginMask = c.option<number>('beginMask', 0);
  const endMask = c.option<number>('endMask', 0);
  const shrinkMask = c.option<number>('shrinkAxisMask', 0);
  const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
  const inStrides = rowMajorStrides(input.shape);
  const dims: number[] = [];
  const step: number[] = [];
  let start = 0;
  for (let k = 0; k < rank; k++) {
    const size = input.shape[k];
    const stride = strides[k];
    if (stride === 0) c.fail(`stride of dimension ${k} is 0`);
    let s = begin[k];
    if (s < 0) s += size;
    s = stride > 0 ? clamp(s, 0, size) : clamp(s, -1, size - 1);
    if (beginMask & (1 << k)) s = stride > 0 ? 0 : size - 1;
    let e: number;
    if (shrinkMask & (1 << k)) {
      e = s >= size ? s : s + 1;
    } else {
      e = end[k];
      if (e < 0) e += size;
      e = stride > 0 ? clamp(e, 0, size) : clamp(e, -1, size - 1);
      if (endMask & (1 << k)) e = stride > 0 ? size : -1;
    }
    const count = stride > 0 ? Math.max(0, Math.ceil((e - s) / stride)) : Math.max(0, Math.ceil((s - e) / -stride));
    dims.push(count);
    step.push(stride * inStrides[k]);
    if (count > 0) start += s * inStrides[k];
  }
  const pad = MAX_DIMS - rank;
  return gatherRecord(c, input, output, {
    dims: [...new Array<number>(pad).fill(1), ...dims],
    step: [...new Array<number>(pad).fill(0), ...step],
    start,
  });
}

export function lowerPad(c: OpContext): LoweredOp {
  c.expectCounts([2, 3]);
  const input = c.input(0);
  const output = c.output();
  expectSameQuant(c, input, output);
  const rank = input.shape.length;
  if (rank > MAX_DIMS) c.fail(`rank ${rank} above ${MAX_DIMS}`);
  const paddings = c.ints(c.input(1));
  if (paddings.length !== 2 * rank) c.fail(`paddings hold ${paddings.length} values, expected ${2 * rank}`);
  const before: number[] = [];
  for (let k = 0; k < rank; k++) {
    const [lo, hi] = [paddings[2 * k], paddings[2 * k + 1]];
    if (lo < 0 || hi < 0) c.fail(`negative padding on dimension ${k}`);
    if (input.shape[k] + lo + hi !== output.shape[k]) c.fail(`output dimension ${k} is ${output.shape[k]}, expected ${input.shape[k] + lo + hi}`);
    before.push(lo);
  }
  let padValue = 0;
  const constantValues = c.optionalInput(2);
  if (constantValues) {
    const data = c.constData(constantValues) ?? c.fail('constant_values must be a constant');
    if (constantValues.type !== input.type || data.length !== ELEMENT_BYTES[input.type]) c.fail('constant_values must be one value of the input type');
    if (input.type === 'int8') {
      // TFLM's PadPrepare: the pad value is copied as is, so it must be quantized as the output is.
      const [scale, zeroPoint] = [constantValues.scales[0] ?? 0, Number(constantValues.zeroPoints[0] ?? 0)];
      const out = [output.scales[0] ?? 0, Number(output.zeroPoints[0] ?? 0)];
      if (scale !== out[0] || zeroPoint !== out[1]) {
        c.fail(`constant_values is quantized with scale ${scale} and zero point ${zeroPoint}, the output with scale ${out[0]} and zero point ${out[1]}: they must be equal`);
      }
    }
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    // The kernel stores the low elem_size bytes of pad_value, so a float keeps its bit pattern.
    padValue = data.length === 1 ? view.getInt8(0) : data.length === 2 ? view.getInt16(0, true) : view.getInt32(0, true);
  } else if (input.type === 'int8') {
    padValue = c.quant(output).zeroPoint;
  }
  // int16 (and the unquantized types) pad with 0 when no constant_values is given, whatever the zero point
  // (TFLM's PadEval: only int8 uses the output zero point).
  const pad = MAX_DIMS - rank;
  const r = new RecordBuilder(OP.PAD, PAD)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('elemSize', elemSizeOf(c, input))
    .setList('inputDims', extend(input.shape))
    .setList('outputDims', extend(output.shape))
    .setList('before', [...new Array<number>(pad).fill(0), ...before])
    .set('padValue', padValue);
  return c.finish(r.code, r.words);
}

export function lowerConcatenation(c: OpContext): LoweredOp {
  if (c.op.inputs.length < 1 || c.op.outputs.length !== 1) c.fail('needs at least one input and one output');
  const output = c.output();
  const rank = output.shape.length;
  let axis = c.option<number>('axis');
  if (axis < 0) axis += rank;
  if (axis < 0 || axis >= rank) c.fail(`axis ${c.option<number>('axis')} is outside rank ${rank}`);
  if (c.option<string>('fusedActivationFunction', 'NONE') !== 'NONE') c.fail('a fused activation on CONCATENATION is not supported');
  const elem = elemSizeOf(c, output);
  const outer = output.shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inputs = c.op.inputs.map((_, k) => c.input(k));
  const r = new RecordBuilder(OP.CONCATENATION, CONCAT, inputs.length * CONCAT_INPUT.words);
  let axisTotal = 0;
  inputs.forEach((t, k) => {
    if (t.type === 'int16') {
      // TFLM's ConcatenationPrepare: int16 copies without rescaling and requires zero points of 0 (scales may differ).
      if (t.type !== output.type) c.fail(`tensors ${t.index} and ${output.index} differ in type (${t.typeName}, ${output.typeName})`);
      for (const u of [t, output]) if ((u.zeroPoints[0] ?? 0) !== 0) c.fail(`int16 tensor ${u.index} (${u.name}) has zero point ${u.zeroPoints[0]}, TFLM requires 0`);
    } else expectSameQuant(c, t, output);
    if (t.shape.length !== rank || t.shape.some((d, j) => j !== axis && d !== output.shape[j])) c.fail(`input ${k} shape [${t.shape.join(',')}] does not fit the output`);
    axisTotal += t.shape[axis];
    const [ref, inPack] = c.readAny(t);
    const at = CONCAT.words + k * CONCAT_INPUT.words;
    r.words[at + CONCAT_INPUT.input] = ref;
    r.words[at + CONCAT_INPUT.inPack] = inPack;
    r.words[at + CONCAT_INPUT.rowBytes] = (elementCount(t.shape) / Math.max(outer, 1)) * elem;
  });
  if (axisTotal !== output.shape[axis]) c.fail(`inputs add up to ${axisTotal} along the axis, output has ${output.shape[axis]}`);
  r.set('output', c.write(output)).set('outerSize', outer).set('inputCount', inputs.length);
  return c.finish(r.code, r.words);
}

/** A reshape whose input is computed in the op before it and must stay: copy (rare; normally reshapes alias). */
export function copyOp(c: OpContext, input: Tensor, output: Tensor): LoweredOp {
  const [ref, inPack] = c.readAny(input);
  const r = new RecordBuilder(OP.COPY, COPY)
    .set('input', ref)
    .set('output', c.write(output))
    .set('bytes', elementCount(input.shape) * ELEMENT_BYTES[input.type])
    .set('inputInPack', inPack);
  return c.finish(r.code, r.words);
}

/** Ops that only reinterpret the shape: the output shares its input's memory. */
export const ALIASING_OPS = new Set(['RESHAPE', 'SQUEEZE', 'EXPAND_DIMS']);
