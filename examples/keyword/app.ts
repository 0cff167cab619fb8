/**
 * Wake words on an ESP32 running tinysense's JerryScript firmware with an I2S
 * microphone (INMP441-style): "yes" and "no", with TFLM's micro_speech models.
 *
 * Every POLL_MS the app takes the audio the I2S driver has gathered and pushes
 * it through the keyword spotter (createKeywordSpotter, docs/api.md): the audio front end turns
 * each 30 ms window (every 20 ms) into 40 int8 features, exactly as TFLM's
 * audio_preprocessor_int8.tflite does; the last 49 frames (~1 s) go through
 * the micro_speech classifier every STRIDE_FRAMES frames; the scores are
 * averaged over a second and a word is reported once, with its time, when its
 * mean passes the threshold (TFLM's RecognizeCommands).
 *
 * Build and simulate (the trace plays silence, "yes", silence, "no", silence):
 *   npx tinysense build examples/keyword --board ESP32_JERRYSCRIPT
 *   npx tinysense simulate examples/keyword --board ESP32_JERRYSCRIPT --trace examples/keyword/traces/yes-no.json
 */
import { createKeywordSpotter, openMicrophone, openModel, report } from 'tinysense/device';

/** The classifier's outputs, in order (TFLM micro_speech). */
var LABELS = ['silence', 'unknown', 'yes', 'no'];
var SAMPLE_RATE = 16000;
/**
 * How often the app drains the microphone. The ESP-IDF I2S driver keeps 5
 * DMA buffers of 240 samples for a reader (75 ms at 16 kHz, docs/traces.md)
 * and drops the oldest when they are full, so this must stay well under that.
 */
var POLL_MS = 40;
/**
 * Classify every 2nd feature frame (40 ms). TFLM's example classifies every
 * frame; halving it halves the classifier's cost (336,000 MACs per invoke)
 * and, on the recordings in the tests, hears the same words within 20 ms.
 */
var STRIDE_FRAMES = 2;
/** RecognizeCommands settings (TFLM micro_speech defaults). */
var THRESHOLD = 200;
var SUPPRESSION_MS = 1500;
var AVERAGE_WINDOW_MS = 1000;

var spotter = createKeywordSpotter({
  frontEnd: openModel('frontend.tsm'),
  classifier: openModel('speech.tsm'),
  labels: LABELS,
  strideFrames: STRIDE_FRAMES,
  detectionThreshold: THRESHOLD,
  suppressionMs: SUPPRESSION_MS,
  averageWindowMs: AVERAGE_WINDOW_MS,
  onKeyword: function (d) {
    // timeMs is audio time: the end of the newest window the classifier saw, from the microphone's start.
    report('keyword', { word: d.label, score: d.score, audioMs: d.timeMs });
  },
});

// 100 ms of buffer: a late poll (a slow callback) still gets everything the DMA ring kept.
var mic = openMicrophone(SAMPLE_RATE, { bufferSamples: 1600 });
report('listening', { sampleRate: SAMPLE_RATE, labels: LABELS });

setInterval(function () {
  for (;;) {
    var chunk = mic.read();
    if (chunk.length > 0) spotter.push(chunk);
    if (chunk.length < 1600) break;
  }
}, POLL_MS);
