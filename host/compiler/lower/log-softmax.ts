/**
 * ops-elem: LOG_SOFTMAX int8 -> the LOG_SOFTMAX record -> ts_log_softmax_s8 (kernels-c/src/log_softmax.c).
 * log_softmax.cc's CalculateOpData: output scale exactly 16/256 and zero point 127, input and output of
 * one type and shape; PreprocessLogSoftmaxScalingExp (beta 1, 5 integer bits) for the parameters.
 */
import { LOG_SOFTMAX, OP } from '../../../device/records.js';
import { elementCount } from '../graph.js';
import { inputRadius, quantizeMultiplier } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';
import { sameShape } from './shapes.js';

export function lowerLogSoftmax(c: OpContext): LoweredOp {
  c.expectCounts(1);
  const input = c.input(0);
  const output = c.output();
  if (input.type !== output.type) c.fail(`input is ${input.typeName}, output is ${output.typeName}`);
  c.expectType(input, 'int8');
  if (!sameShape(input.shape, output.shape)) c.fail('input and output shapes differ');
  const outQ = c.quant(output);
  if (outQ.scale !== Math.fround(16 / 256) || outQ.zeroPoint !== 127) c.fail('int8 LOG_SOFTMAX output must have scale 16/256 and zero point 127 (as TFLM requires)');
  const scaledDiffIntegerBits = 5;
  // PreprocessSoftmaxScaling: QuantizeMultiplierGreaterThanOne of beta x scale x 2^26, capped at 2^31 - 1.
  const real = Math.min(c.quant(input).scale * 2 ** (31 - scaledDiffIntegerBits), 2 ** 31 - 1);
  if (!(real > 1)) c.fail(`input scale ${c.quant(input).scale} is too small for TFLM's log softmax (QuantizeMultiplierGreaterThanOne)`);
  const q = quantizeMultiplier(real);
  if (q.shift < 1 || q.shift > 30) c.fail(`input scale ${c.quant(input).scale} gives a left shift of ${q.shift}, outside what TFLM's log softmax computes`);
  // (1 << (31 - left_shift)) / multiplier, then QuantizeMultiplierSmallerThanOneExp.
  const reverse = 2 ** (31 - q.shift) / q.multiplier;
  if (!(reverse > 0 && reverse < 1)) c.fail(`reverse scaling divisor ${reverse} is not in (0, 1)`);
  const rq = quantizeMultiplier(reverse);
  if (rq.shift > 0) c.fail(`reverse scaling divisor ${reverse} rounds to 1`);
  const depth = input.shape.length > 0 ? input.shape[input.shape.length - 1] : 1;
  const r = new RecordBuilder(OP.LOG_SOFTMAX, LOG_SOFTMAX)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('outerSize', depth === 0 ? 0 : elementCount(input.shape) / depth)
    .set('depth', depth)
    .setList('inputMultiplier', [q.multiplier, q.shift, rq.multiplier, -rq.shift, -inputRadius(scaledDiffIntegerBits, q.shift)]);
  return c.finish(r.code, r.words);
}
