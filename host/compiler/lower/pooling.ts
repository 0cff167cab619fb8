/** AVERAGE_POOL_2D and MAX_POOL_2D, int8 and int16 (the same record; int16 under its own op codes). */
import { OP, POOL } from '../../../device/records.js';
import { windowPadding } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { nhwc } from './shapes.js';

function lowerPool(c: OpContext, code: number): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  const s16 = input.type === 'int16';
  c.expectType(input, s16 ? 'int16' : 'int8');
  c.expectType(output, s16 ? 'int16' : 'int8');
  c.expectRank(input, 4);
  c.expectRank(output, 4);
  const strideW = c.option<number>('strideW');
  const strideH = c.option<number>('strideH');
  const filterW = c.option<number>('filterWidth');
  const filterH = c.option<number>('filterHeight');
  const padding = c.option<'SAME' | 'VALID'>('padding');
  for (const [v, what] of [[strideW, 'stride w'], [strideH, 'stride h'], [filterW, 'filter w'], [filterH, 'filter h']] as const) {
    if (!Number.isInteger(v) || v < 1) c.fail(`${what} is ${v}`);
  }
  if (padding !== 'SAME' && padding !== 'VALID') c.fail(`padding ${String(padding)} is not supported`);
  const padH = windowPadding(padding, input.shape[1], filterH, strideH, 1).pad;
  const padW = windowPadding(padding, input.shape[2], filterW, strideW, 1).pad;
  if (input.shape[0] !== output.shape[0] || input.shape[3] !== output.shape[3]) c.fail('input and output batch or depth differ');
  const act = c.activation(output);
  const r = new RecordBuilder(s16 ? (code === OP.AVERAGE_POOL_2D ? OP.AVERAGE_POOL_2D_S16 : OP.MAX_POOL_2D_S16) : code, POOL)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .setList('inputDims', nhwc(input.shape))
    .setList('outputDims', nhwc(output.shape))
    .setList('strideW', [strideW, strideH, padW, padH, filterW, filterH, act.min, act.max]);
  return c.finish(r.code, r.words);
}


export const lowerAveragePool = (c: OpContext): LoweredOp => lowerPool(c, OP.AVERAGE_POOL_2D);
export const lowerMaxPool = (c: OpContext): LoweredOp => lowerPool(c, OP.MAX_POOL_2D);
