/** What the binary element-wise lowerings (int8 ADD/MUL/SUB, int32 ADD/SUB/MUL/DIV/MIN/MAX) share. */
import type { Layout } from '../../../device/records.js';
import type { Tensor } from '../graph.js';
import { Requant, quantizeMultiplier } from '../quant.js';
import { OpContext, RecordBuilder } from './context.js';
import { broadcastView, extend } from './shapes.js';

/**
 * A record with the operands every binary element-wise record starts with: both inputs (arena or pack),
 * the output, its extended shape and the two broadcast walks; the caller adds its own parameters.
 */
export function binaryRecord(c: OpContext, code: number, layout: Layout, a: Tensor, b: Tensor, output: Tensor): RecordBuilder {
  const [aRef, aInPack] = c.readAny(a);
  const [bRef, bInPack] = c.readAny(b);
  return new RecordBuilder(code, layout)
    .set('input1', aRef)
    .set('input2', bRef)
    .set('output', c.write(output))
    .set('input1InPack', aInPack)
    .set('input2InPack', bInPack)
    .setList('outputShape', extend(output.shape))
    .setView('view1', broadcastView(c, a.shape, output.shape))
    .setView('view2', broadcastView(c, b.shape, output.shape));
}

/** QuantizeMultiplierSmallerThanOneExp: the ratio must lie in (0, 1). */
export function smallerThanOne(c: OpContext, real: number, what: string): Requant {
  if (!(real > 0 && real < 1)) c.fail(`${what} rescale ${real} is not in (0, 1)`);
  return quantizeMultiplier(real);
}
