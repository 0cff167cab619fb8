/**
 * Person detection on an nRF52840 board (Jolt.js, nRF52840 DK; Bangle.js 2
 * copies the model to RAM) with an SPI camera module, or on an ESP32 running
 * tinysense's JerryScript firmware with its camera: once a second, capture a
 * 96x96 grayscale frame, run TFLM's person_detect model on the kernel blob and
 * report the scores.
 *
 * Build and simulate:
 *   npx tinysense build examples/person/app.ts --board JOLTJS --model models/person_detection/person_detect_int8.tflite
 *   npx tinysense simulate examples/person --board JOLTJS --trace examples/person/traces/hall.json --report out/report.html
 */
import { imagePreprocessor, openCamera, openModel, report } from 'tinysense/device';

var PERIOD_MS = 1000;
/** Report a person when the int8 person score beats the no-person score by this much. */
var MARGIN = 0;

// On Espruino boards the camera module is on SPI1: SCK D2, MOSI D3, MISO D4, chip select D5.
var camera = openCamera(96, 96, { sck: 2, mosi: 3, miso: 4, cs: 5 });
var model = openModel('person.tsm');
var input = model.input(0) as Int8Array;
// The camera's 8-bit gray frame -> the input's int8 as TFLM's person example feeds it (gray - 128:
// raw), in one native call instead of a JavaScript loop over 9,216 pixels that took as long as the model.
var toInput = imagePreprocessor(model.layout.inputs[0], { format: 'gray8', width: 96, height: 96, raw: true });

setInterval(function () {
  toInput.run(camera.grab(), input);
  model.invoke();
  var scores = model.output(0) as Int8Array;
  var noPerson = scores[0];
  var person = scores[1];
  report('scores', [noPerson, person]);
  if (person - noPerson > MARGIN) report('person', person);
}, PERIOD_MS);
