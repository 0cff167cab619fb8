/**
 * Watching an app's folder for edits: `tinysense dev` (host/dev/session.ts) and `tinysense simulate
 * --watch` rebuild and rerun on a change. Changes come in bursts (an editor writes a temporary file,
 * then renames it), so a change is reported once the folder has been quiet for `quietMs`. Dot files,
 * node_modules and build output (out/, dist/) are not the app's sources and are ignored.
 */
import { watch } from 'node:fs';

export interface AppWatcher {
  close(): void;
}

/** Files under an app folder that are not its sources. */
export const IGNORED = /(^|[\\/])(\.|node_modules([\\/]|$)|out[\\/]|dist[\\/])/;

export function watchAppFiles(dir: string, onChange: (name: string) => void, quietMs = 250): AppWatcher {
  let timer: NodeJS.Timeout | undefined;
  let last = '';
  const watcher = watch(dir, { recursive: true }, (_event, name) => {
    if (!name || IGNORED.test(String(name))) return;
    last = String(name);
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => onChange(last), quietMs);
  });
  return {
    close() {
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
