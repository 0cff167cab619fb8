// Types of the globals of tinysense's JerryScript firmware (firmware/esp-idf, kernels-c/jerryscript),
// for apps. Types only: host/bundler/globals.ts declares the globals the board has (boards/<ID>.json
// "objects"), e.g. `declare var tinysense: TinysenseJerry.Globals['tinysense']`. The timers
// (setTimeout ...) come with every engine (device/engine-globals.d.ts).
declare namespace TinysenseJerry {
  interface Console { log(...text: unknown[]): void; warn(...text: unknown[]): void; error(...text: unknown[]): void }
  interface Globals {
    /** The firmware's natives: kernels, native memory, flash partitions and sensors (docs/jerryscript.md). */
    tinysense: import('tinysense/device').JerryNatives;
    print(...text: unknown[]): void;
    console: Console;
  }
}
