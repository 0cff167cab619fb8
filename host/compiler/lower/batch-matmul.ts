/**
 * BATCH_MATMUL int8, TFLM's batch_matmul.cc: Prepare's checks (ranks 2..5, broadcastable batch dims,
 * equal accumulation depths, output shape), GetQuantizedConvolutionMultipler (float lhs x rhs, double
 * over the output scale), the int8 range as the clamp. TFLM transposes operands into persistent copies for
 * adj_x / !adj_y; here the record's steps walk the operands as they are.
 */
import { BATCH_MATMUL, OP } from '../../../device/records.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { rowMajorStrides } from './shapes.js';

export function lowerBatchMatmul(c: OpContext): LoweredOp {
  c.expectCounts(2);
  const lhs = c.input(0);
  const rhs = c.input(1);
  const output = c.output();
  c.expectType(lhs, 'int8');
  c.expectType(rhs, 'int8');
  c.expectType(output, 'int8');
  c.expectRank(lhs, 2, 5);
  c.expectRank(rhs, 2, 5);
  const adjX = c.option<boolean>('adjX', false);
  const adjY = c.option<boolean>('adjY', false);
  const rank = Math.max(lhs.shape.length, rhs.shape.length);
  const extend = (shape: number[]) => [...new Array<number>(5 - shape.length).fill(1), ...shape];
  const l = extend(lhs.shape);
  const r = extend(rhs.shape);
  const ls = rowMajorStrides(l);
  const rs = rowMajorStrides(r);
  const batch: number[] = [];
  for (let i = 0; i < 3; i++) {
    if (l[i] !== r[i] && l[i] !== 1 && r[i] !== 1) c.fail(`batch dims ${l[i]} and ${r[i]} do not broadcast`);
    batch.push(l[i] === 1 ? r[i] : l[i]);
  }
  const rows = adjX ? l[4] : l[3];
  const depthL = adjX ? l[3] : l[4];
  const depthR = adjY ? r[4] : r[3];
  const cols = adjY ? r[3] : r[4];
  if (depthL !== depthR) c.fail(`lhs accumulation depth ${depthL} is not the rhs's ${depthR}`);
  const expected = [...batch.slice(3 - (rank - 2)), rows, cols];
  if (output.shape.length !== expected.length || expected.some((d, k) => d !== output.shape[k])) {
    c.fail(`output shape [${output.shape.join(', ')}] is not [${expected.join(', ')}]`);
  }
  const [lq, rq, oq] = [c.quant(lhs), c.quant(rhs), c.quant(output)];
  // GetQuantizedConvolutionMultipler without a bias: the scales' product in float, then over the output's in double.
  const m = c.requant(Math.fround(lq.scale * rq.scale) / oq.scale, 'output');
  const [lhsOperand, lhsInPack] = c.readAny(lhs);
  const [rhsOperand, rhsInPack] = c.readAny(rhs);
  const rec = new RecordBuilder(OP.BATCH_MATMUL, BATCH_MATMUL)
    .set('lhs', lhsOperand)
    .set('rhs', rhsOperand)
    .set('output', c.write(output))
    .set('lhsInPack', lhsInPack)
    .set('rhsInPack', rhsInPack)
    .setList('batch', [
      ...batch,
      // A broadcast (size-1) dim does not move, as batch_matmul::extent gives 0 for it.
      ...[0, 1, 2].map((i) => (l[i] === 1 ? 0 : ls[i])),
      ...[0, 1, 2].map((i) => (r[i] === 1 ? 0 : rs[i])),
      rows, cols, depthL,
      adjX ? 1 : ls[3], adjX ? ls[3] : 1,
      adjY ? 1 : rs[3], adjY ? rs[3] : 1,
      -lq.zeroPoint, -rq.zeroPoint, oq.zeroPoint, m.multiplier, m.shift,
    ]);
  return c.finish(rec.code, rec.words, batch[0] * batch[1] * batch[2] * rows * cols * depthL);
}
