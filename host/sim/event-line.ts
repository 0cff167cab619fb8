/**
 * The app's event lines (device/events.ts report()): `@tinysense <name> <JSON value>` on the console.
 * One parser for the simulator, the dev page and a board followed over its port.
 */
import { EVENT_PREFIX } from '../../device/events.js';

/** The event in `line` from `at` (where EVENT_PREFIX starts); a value that is not JSON stays text. */
export function parseEventLine(line: string, at = 0): { name: string; value: unknown } | null {
  if (!line.startsWith(EVENT_PREFIX, at)) return null;
  const rest = line.slice(at + EVENT_PREFIX.length);
  const space = rest.indexOf(' ');
  const name = space < 0 ? rest : rest.slice(0, space);
  let value: unknown = null;
  try {
    value = space < 0 ? null : JSON.parse(rest.slice(space + 1));
  } catch {
    value = rest.slice(space + 1);
  }
  return { name, value };
}
