/**
 * Espruino's JS heap, counted the way `process.memory()` counts it: in JsVars (14 bytes each on the
 * nRF52840 boards, whose 12,000 variables take 14-bit references: src/jsutils.h). Shared by the
 * build's budget (host/bundler/budget.ts) and the simulator's memory model (host/sim/memory.ts), so
 * both estimate the same figure.
 *
 * What an app takes (Espruino 2v29 source, and calibrated on the real interpreter, below):
 * - a flat string of n bytes: 1 + ceil(n / bytesPerVar) JsVars (src/jsvar.c jsvNewFlatStringOfLength),
 *   contiguous; the kernel blob is one (E.nativeCall runs it from a flat string);
 * - a flat typed array (the arena, a model pack copied into RAM, a sensor's frame buffer): that flat
 *   string plus its ArrayBuffer and view JsVars;
 * - everything else the app and the device runtime make while they start (function declarations,
 *   closures, the record layout tables, the models' views, the loader's scope): measured, and
 *   proportional to the code: ESPRUINO_JSVARS_PER_CODE_BYTE JsVars per byte of the bundle without
 *   comments and indentation (what `minify` leaves, so a minified build gets the same estimate).
 *
 * Calibration (bench/espruino/heap-measured.json, bench/espruino/real.js): the bundles of
 * `tinysense build` run by the project's boot file in Espruino 2v29's LINUX board built for 32-bit
 * Arm with 12,000 JsVars (14-byte JsVars, as Jolt.js and Bangle.js 2), under qemu-arm; the app's
 * JsVars are process.memory().usage at steady state less the same interpreter with no app. After
 * the flat buffers above, gesture left 1,900 JsVars for 40,334 code bytes (0.047 per byte), person
 * 1,994 for 40,367 (0.049), keyword 2,544 for 45,864 (0.055): 0.051 is the middle, and the whole
 * estimate is within 6% of every measured figure (docs/espruino.md).
 */

/** JsVars of everything but the flat buffers, per byte of code without comments and indentation (measured, above). */
export const ESPRUINO_JSVARS_PER_CODE_BYTE = 0.051;

/** JsVars of a flat string of `bytes` (src/jsvar.c jsvNewFlatStringOfLength: a header JsVar, then the data). */
export function flatStringJsVars(bytes: number, bytesPerVar: number): number {
  return 1 + Math.ceil(bytes / bytesPerVar);
}

/** JsVars of a flat Uint8Array of `bytes`: the flat string, the ArrayBuffer and the view. */
export function typedArrayJsVars(bytes: number, bytesPerVar: number): number {
  return flatStringJsVars(bytes, bytesPerVar) + 2;
}

/** JsVars the app's code and the objects it makes at start take, besides its flat buffers (the calibrated part). */
export function codeJsVars(codeBytes: number): number {
  return Math.ceil(codeBytes * ESPRUINO_JSVARS_PER_CODE_BYTE);
}

/** A buffer the device runtime allocates for a sensor, found in the bundle. */
export interface SensorBuffer {
  what: string;
  bytes: number;
}

/**
 * The frame buffers of the SPI cameras a bundle opens (device/sensors/camera.ts: one Uint8Array of
 * width x height + 1 bytes, the burst-read command and the frame), from its `openCamera(W, H, ...)`
 * calls with literal sizes. A call with computed sizes is not counted (the estimate is then low).
 */
export function cameraBuffers(code: string): SensorBuffer[] {
  const out: SensorBuffer[] = [];
  for (const m of code.matchAll(/\bopenCamera\(\s*(\d+)\s*,\s*(\d+)\s*,/g)) {
    const width = Number(m[1]);
    const height = Number(m[2]);
    out.push({ what: `camera frame buffer (${width}x${height})`, bytes: width * height + 1 });
  }
  return out;
}
