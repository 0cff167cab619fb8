/** MEAN int8 and int16 (TFLM\'s QuantizedMeanOrSum; int16 under its own op code). */
import { MAX_DIMS, MEAN, OP } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { LoweredOp, OpContext, RecordBuilder, View } from './context.js';
import { rowMajorStrides } from './shapes.js';

export function lowerMean(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const input = c.input(0);
  const output = c.output();
  const s16 = input.type === 'int16';
  c.expectType(input, s16 ? 'int16' : 'int8');
  c.expectType(output, s16 ? 'int16' : 'int8');
  c.expectRank(input, 1, MAX_DIMS);
  const rank = input.shape.length;
  const axes = new Set<number>();
  for (const a of c.ints(c.input(1))) {
    if (a < -rank || a >= rank) c.fail(`axis ${a} is outside rank ${rank}`);
    axes.add(a < 0 ? a + rank : a);
  }
  const strides = rowMajorStrides(input.shape);
  const kept = input.shape.map((_, k) => k).filter((k) => !axes.has(k));
  const reduced = input.shape.map((_, k) => k).filter((k) => axes.has(k));
  const view = (dimsOf: number[]): View => {
    const pad = MAX_DIMS - dimsOf.length;
    return {
      dims: [...new Array<number>(pad).fill(1), ...dimsOf.map((k) => input.shape[k])],
      step: [...new Array<number>(pad).fill(0), ...dimsOf.map((k) => strides[k])],
      start: 0,
    };
  };
  const count = reduced.reduce((p, k) => p * input.shape[k], 1);
  const outCount = kept.reduce((p, k) => p * input.shape[k], 1);
  if (outCount !== elementCount(output.shape)) c.fail(`output has ${elementCount(output.shape)} values, expected ${outCount}`);
  if (count < 1) c.fail('reduces over an empty axis');
  const [inQ, outQ] = [c.quant(input), c.quant(output)];
  // QuantizedMeanOrSum folds 1/count into the multiplier with 64-bit integer arithmetic.
  const base = c.requant(inQ.scale / outQ.scale, 'output');
  let shift = Math.floor(Math.log2(count));
  while (2 ** (shift + 1) <= count) shift++;
  while (2 ** shift > count) shift--;
  shift = Math.min(shift, 32, 31 + base.shift);
  const multiplier = Number((BigInt(base.multiplier) << BigInt(shift)) / BigInt(count));
  const r = new RecordBuilder(s16 ? OP.MEAN_S16 : OP.MEAN, MEAN)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setView('outer', view(kept))
    .setView('inner', view(reduced))
    .setList('inputZeroPoint', [inQ.zeroPoint, outQ.zeroPoint, count, multiplier, base.shift - shift]);
  return c.finish(r.code, r.words, elementCount(input.shape));
}
