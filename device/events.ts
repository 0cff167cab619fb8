/**
 * App events: what an app reports (a detection, a gesture, a keyword) as one
 * console line `@tinysense <name> <json>`. On a board it shows on the console
 * (serial, BLE, telnet); the simulator parses it into timestamped events
 * (run.events(name)). ES5 only.
 */

declare function print(...args: unknown[]): void;

export var EVENT_PREFIX = '@tinysense ';

export function report(name: string, value?: unknown): void {
  // The prefix as a literal (EVENT_PREFIX): apps report every frame, and on Espruino a module-level
  // name costs a search of the bundle's scope each time.
  print('@tinysense ' + name + ' ' + JSON.stringify(value === undefined ? null : value));
}
