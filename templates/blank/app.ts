/**
 * A sine from TFLM's hello_world model: every 100 ms the next x (0, 0.5, ... 6) is quantized into the
 * model's input, the model runs once, and the output, dequantized, is reported as a 'y' event.
 * Replace the model (tinysense.json "model") and this loop with your own; docs/api.md in the tinysense
 * package describes everything 'tinysense/device' exports.
 */
import { dequantize, openModel, quantize, report } from 'tinysense/device';

/** The build puts the model pack into Storage (or flash) under this name. */
var model = openModel('sine.tsm');
var input = model.input(0) as Int8Array;
var output = model.output(0) as Int8Array;
var step = 0;

setInterval(function () {
  if (step > 12) return;
  var x = step * 0.5;
  input[0] = quantize(x, model.layout.inputs[0]);
  model.invoke();
  report('y', { x: x, q: output[0], y: dequantize(output[0], model.layout.outputs[0]) });
  step++;
}, 100);
