/**
 * SVDF int8 (full integer), TFLM's svdf.cc / svdf_common.cc PrepareSvdf and EvalIntegerSvdfReference.
 * The activation state (input 4, a variable tensor) lives in the pack's state region: it is marked
 * persistent, so the planner never reuses it and a reset zeroes it. TFLM resets an int8 variable to its
 * zero point and an int16 one to 0; the kernel stores (value - that reset value), so zero bytes are
 * TFLM's state after AllocateTensors / Reset.
 */
import { OP, SVDF } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { quantizeMultiplier } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';

export function lowerSvdf(c: OpContext): LoweredOp {
  c.expectCounts([4, 5]);
  if (c.op.inputs.length !== 5) c.fail(`has ${c.op.inputs.length} inputs, expected 5 (TFLM checks it)`);
  const input = c.input(0);
  const weightsFeature = c.input(1);
  const weightsTime = c.input(2);
  const bias = c.optionalInput(3);
  const state = c.input(4);
  const output = c.output();
  c.expectType(input, 'int8');
  c.expectType(weightsFeature, 'int8');
  c.expectType(weightsTime, 'int8', 'int16');
  // TFLM picks the state's element type from the time weights (EvalInt16/EvalInt8SvdfReference).
  c.expectType(state, weightsTime.type);
  c.expectType(output, 'int8');
  c.expectRank(input, 2);
  c.expectRank(output, 2);
  c.expectRank(weightsFeature, 2);
  c.expectRank(weightsTime, 2);
  c.expectRank(state, 2);
  const rank = c.option<number>('rank');
  const [batches, inputSize] = input.shape;
  const filters = weightsFeature.shape[0];
  if (!Number.isInteger(rank) || rank < 1) c.fail(`rank is ${rank}`);
  if (filters % rank !== 0) c.fail(`${filters} filters are not a multiple of the rank ${rank}`);
  const units = filters / rank;
  const memory = weightsTime.shape[1];
  if (output.shape[0] !== batches || output.shape[1] !== units) c.fail(`output shape [${output.shape.join(', ')}] is not [${batches}, ${units}]`);
  if (weightsFeature.shape[1] !== inputSize) c.fail(`feature weights have ${weightsFeature.shape[1]} columns, the input ${inputSize}`);
  if (weightsTime.shape[0] !== filters) c.fail(`time weights have ${weightsTime.shape[0]} rows for ${filters} filters`);
  if (state.shape[0] !== batches || state.shape[1] !== memory * filters) {
    c.fail(`activation state shape [${state.shape.join(', ')}] is not [${batches}, ${memory * filters}]`);
  }
  if (!state.isVariable) c.fail(`activation state tensor ${state.index} (${state.name}) is not a variable tensor`);
  if (c.isConst(state)) c.fail(`activation state tensor ${state.index} (${state.name}) has constant data`);
  // PrepareSvdf reads the bias's scale without checking that there is a bias: TFLM needs one.
  if (!bias) c.fail('int8 SVDF needs a bias (TFLM reads its scale in Prepare)');
  c.expectType(bias, 'int32');
  if (elementCount(bias.shape) !== units) c.fail(`bias has ${elementCount(bias.shape)} values for ${units} units`);
  // The fused activation (RELU in TFLM's keyword models) is not applied by TFLM's integer path: the
  // output is clamped to int8 only. It is ignored here too.
  const inQ = c.quant(input);
  const outQ = c.quant(output);
  const stateQ = c.quant(state);
  const f32 = Math.fround;
  const featureScale = f32(weightsFeature.scales[0] ?? c.fail('feature weights have no scale'));
  const timeScale = f32(weightsTime.scales[0] ?? c.fail('time weights have no scale'));
  const biasScale = bias.scales[0] ?? 0;
  // The effective scales are float products and quotients, then widened to double, as PrepareSvdf does.
  const scale1 = f32(f32(f32(inQ.scale) * featureScale) / f32(stateQ.scale));
  const scale2 = f32(f32(f32(stateQ.scale) * timeScale) / f32(outQ.scale));
  if (!(Math.abs(biasScale - f32(f32(stateQ.scale) * timeScale)) < 1e-5)) {
    c.fail(`bias scale ${biasScale} is not the state scale x time weights scale ${f32(stateQ.scale) * timeScale}`);
  }
  const q1 = quantizeMultiplier(scale1);
  const q2 = quantizeMultiplier(scale2);
  for (const [q, what] of [[q1, 'feature'], [q2, 'output']] as const) {
    if (q.shift > 30 || q.shift < -31) c.fail(`${what} scale is out of range (shift ${q.shift})`);
  }
  const s16 = weightsTime.type === 'int16';
  const stateOperand = { kind: 'arena' as const, tensor: state.index };
  c.reads.push(state.index);
  c.writes.push(state.index);
  const r = new RecordBuilder(OP.SVDF, SVDF)
    .set('input', c.read(input))
    .set('weightsFeature', c.constant(weightsFeature))
    .set('weightsTime', c.constant(weightsTime))
    .set('bias', c.constant(bias))
    .set('state', stateOperand)
    .set('output', c.write(output))
    .setList('batches', [
      batches, inputSize, filters, rank, memory, s16 ? 2 : 1, inQ.zeroPoint, stateQ.zeroPoint,
      // ResetTensorData: an int8 variable starts at its zero point, any other at 0.
      s16 ? 0 : stateQ.zeroPoint, outQ.zeroPoint, q1.multiplier, q1.shift, q2.multiplier, q2.shift,
    ]);
  const op = c.finish(r.code, r.words, batches * filters * (inputSize + memory));
  op.persistent = [state.index];
  return op;
}
