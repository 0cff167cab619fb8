/**
 * Wrist gestures on Bangle.js 2: reads the accelerometer at 25 Hz, keeps the
 * last 1.28 s (32 samples of x, y, z) in a ring, and every 8 samples (320 ms)
 * runs a small int8 1D CNN over them. A gesture (circle or shake) whose score
 * passes THRESHOLD is reported once with report('gesture', name); while the
 * same gesture goes on it stays quiet (SUPPRESS_MS after its last confident
 * window).
 *
 * The model (gesture.tflite) was trained on SYNTHETIC data (README.md): it
 * shows the pipeline, not real wrist gestures.
 *
 * Build and simulate:
 *   npx tinysense build examples/gesture --board BANGLEJS2
 *   npx tinysense simulate examples/gesture --board BANGLEJS2 --trace examples/gesture/traces/heldout.csv --duration 20000
 */
import { AccelSample, openAccelerometer, openModel, report, sampleWindow } from 'tinysense/device';

// getTime is a global of the Espruino firmware: the build type-checks the app against the board's
// globals (docs/api.md, "Board globals"); the accelerometer comes through tinysense/device.

/** Classes in the model's output order (model/training.json "classes"). */
var GESTURES = ['circle', 'idle', 'shake'];
var IDLE = 1;
/** 40 ms = 25 Hz, the rate the model was trained at (train.config.json window.resampleHz). */
var POLL_MS = 40;
/** Samples per window (window.length) and channels (x, y, z). */
var WINDOW = 32;
var CHANNELS = 3;
/** Run the model every STRIDE samples. */
var STRIDE = 8;
/** Report a gesture when its probability is at least this. */
var THRESHOLD = 0.8;
var SUPPRESS_MS = 1000;

var model = openModel('gesture.tsm');
var input = model.input(0) as Int8Array;
var scores = model.output(0) as Int8Array;
var out = model.layout.outputs[0];
/** THRESHOLD as an int8 score (softmax output: scale 1/256, zero point -128). */
var minScore = Math.round(THRESHOLD / out.scale) + out.zeroPoint;

/**
 * The last WINDOW samples as the accelerometer gave them (g); write() puts them into the input
 * oldest first, quantized with the input's scale and zero point, in one native call.
 */
var recent = sampleWindow(model.layout.inputs[0], { channels: CHANNELS, frames: WINDOW });
var lastGesture = -1;
var quietUntil = 0;

function classify(): void {
  // The whole window is written every time: the arena may reuse the input's bytes.
  recent.write(input);
  model.invoke();
  var best = 0;
  for (var c = 1; c < GESTURES.length; c++) if (scores[c] > scores[best]) best = c;
  if (best === IDLE || scores[best] < minScore) return;
  var now = getTime() * 1000;
  if (best !== lastGesture || now >= quietUntil) report('gesture', GESTURES[best]);
  lastGesture = best;
  quietUntil = now + SUPPRESS_MS;
}

function onAccel(a: AccelSample): void {
  recent.push(a.x, a.y, a.z);
  if (recent.count >= WINDOW && recent.count % STRIDE === 0) classify();
}

openAccelerometer(1000 / POLL_MS, onAccel);
