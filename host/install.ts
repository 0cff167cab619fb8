/**
 * How an app is installed in Espruino Storage so that a power cut at any point leaves the board
 * booting the old app, the new app, or (only where Storage cannot hold both) a boot file that
 * prints why there is no app: never a boot that throws. Pure: strings and arithmetic, shared by
 * `tinysense upload` (host/upload.ts) and the build's budget (host/bundler/budget.ts).
 *
 * Storage facts this rests on (Espruino 2v29 src/jsflash.c, modelled in host/sim/storage.ts):
 * a file costs a 32-byte header plus its size rounded up to 4; erased files are trash until a
 * compaction, which Storage runs by itself when a new file does not fit; rewriting a file erases
 * the old one first; there is no rename. So a switch-over by copy needs the new file twice.
 *
 * Two ways, chosen by the space the board has:
 * - staged: each changed file is written under a temporary name (tsup.N) and verified; then the
 *   journal (tsup.json, written once) commits the switch and the boot file copies each temporary
 *   over its final name in 1 KB chunks, erasing the old file first. Until the journal exists the
 *   old app is untouched; after it, every boot finishes the copy (a pair whose temporary still
 *   exists is copied again). Peak: every old file, every temporary, the journal, and, during the
 *   copy, the largest new file twice.
 * - in place (when staged does not fit): the boot file, then the journal naming the new and the
 *   old files with their sizes and CRCs, then the old versions of the changed files are erased
 *   and the new ones written under their final names. A boot with this journal runs the new app
 *   if every new file checks, else the old app if every old file still checks (the cut came
 *   before the first erase), else prints that the install was interrupted and that there is no
 *   app. Peak: the unchanged files, the new files, the journal.
 *
 * The boot file prints `TSUP started <crc>` (CRC32 of the bundle) once the app's top-level code
 * has run: the uploader reports success only when it has read that line for the bundle it sent.
 */
import { FILE_NAME_MAX, storageCost } from './sim/storage.js';

/** Storage name of the app bundle on the board. */
export const APP_FILE = 'tinysense.app.js';
/** The boot file the loader goes into. */
export const BOOT_FILE = '.bootcde';
/** The journal of a switch-over in progress. */
export const JOURNAL_FILE = 'tsup.json';
export const TEMP_PREFIX = 'tsup.';
export const MAX_NAME = FILE_NAME_MAX;
/** Marker of the installer's own lines in the board's output. */
export const MARK = 'TSUP';
/**
 * Bytes per chunk of the boot file's copy: small enough for the stack (Storage.write copies
 * non-flat data onto it) and read into RAM first (E.toUint8Array), so no flash pointer is held
 * across a write that may compact Storage and move the file it points into.
 */
export const COPY_CHUNK = 1024;

export type InstallMode = 'staged' | 'in-place';

export interface JournalFile {
  /** Final Storage name. */
  name: string;
  size: number;
  crc: number;
  /** Temporary name (staged only). */
  temp?: string;
}

export interface Journal {
  mode: InstallMode;
  /** The changed files of the new app. */
  files: JournalFile[];
  /** The board's versions of those files before the install (in place only: the rollback check). */
  old: JournalFile[];
}

/** The journal as written on the board: [mode, [[name,size,crc,temp]...], [[name,size,crc]...]]. */
export function journalText(j: Journal): string {
  return JSON.stringify([j.mode === 'staged' ? 's' : 'p', j.files.map((f) => (f.temp ? [f.name, f.size, f.crc, f.temp] : [f.name, f.size, f.crc])), j.old.map((f) => [f.name, f.size, f.crc])]);
}

/**
 * The boot file (Espruino runs .bootcde at power-on and on load()). Plain ES5; it never throws:
 * a broken journal is one whose write was cut, which means nothing had been switched yet.
 */
export function loaderCode(): string {
  const S = JSON.stringify;
  return (
    `(function(s){var J=${S(JOURNAL_FILE)},A=${S(APP_FILE)},j,m;` +
    `function say(t){print(${S(MARK + ' ')}+t);}` +
    `function ok(f){var d=s.read(f[0]);return d!==undefined&&d.length==f[1]&&(E.CRC32(d)>>>0)==f[2];}` +
    `function all(l){for(var i=0;i<l.length;i++)if(!ok(l[i]))return false;return true;}` +
    `function temps(){s.list(/^tsup\\.\\d+$/).forEach(function(n){s.erase(n);});}` +
    `try{j=s.read(J);j=j===undefined?null:JSON.parse(j);}catch(e){j=0;}` +
    // A journal that does not parse was cut while being written: nothing was switched yet.
    `if(j===0||(j&&!(j instanceof Array))){s.erase(J);temps();j=null;}` +
    `if(!j)temps();` +
    `else if(j[0]=="s"){` +
    // Staged: erase the old files being replaced, then copy each temporary still there.
    `j[1].forEach(function(f){if(s.read(f[3])!==undefined)s.erase(f[0]);});` +
    `j[1].forEach(function(f){var t=f[3];if(s.read(t)===undefined)return;` +
    `for(var o=0;o<f[1];o+=${COPY_CHUNK}){var c=E.toUint8Array(s.read(t,o,Math.min(${COPY_CHUNK},f[1]-o)));` +
    `if(o)s.write(f[0],c,o);else{s.erase(f[0]);s.write(f[0],c,0,f[1]);}` +
    `if(!(o%${32 * COPY_CHUNK}))say("copy "+f[0]+" "+o+"/"+f[1]);}` +
    `if(ok(f))s.erase(t);else{say("noapp copy of "+f[0]+" does not check");m=1;}});` +
    `if(!m){s.erase(J);temps();}}` +
    `else if(all(j[1])){s.erase(J);}` +
    // In place, new files incomplete: the old app is whole only if the cut came before its first erase.
    `else if(j[2].length&&all(j[2])){s.erase(J);say("rolled back: the interrupted install had not erased the old app");}` +
    `else{m=1;say("noapp the install of a new app was interrupted ("+j[1].filter(ok).length+" of "+j[1].length+" files complete); run tinysense upload again");}` +
    `if(m)return;var a=s.read(A);` +
    `if(a===undefined){say("noapp no app installed ("+A+" missing)");return;}` +
    `var c=E.CRC32(a)>>>0;say("boot "+c);` +
    `try{eval(a);say("started "+c);}catch(e){say("failed "+c+" "+e);}` +
    `})(require("Storage"));\n`
  );
}

/** The Storage names the installer itself uses (never an app's file name). */
export function isInstallerName(name: string): boolean {
  return name.startsWith(TEMP_PREFIX) || name === BOOT_FILE;
}

export interface PlanInput {
  /** Storage size (flash bytes). */
  capacity: number;
  /**
   * Flash bytes of the live files that stay or are replaced, before the install, with the new
   * boot file counted in place of the old one and without leftovers the install erases.
   */
  base: number;
  /** Sizes of the new versions of the changed files. */
  changed: { name: string; bytes: number }[];
  /** Flash bytes of the board's current versions of the changed files (0 where a file is new). */
  oldChanged: number;
}

export interface InstallPlan {
  /** The way that fits, or undefined when neither does. */
  mode: InstallMode | undefined;
  capacity: number;
  /** Peak flash bytes of a staged install (old app bootable until the commit). */
  stagedPeak: number;
  /** Peak flash bytes of an in-place install. */
  inPlacePeak: number;
  /** Why the install cannot keep the old app, or cannot happen at all; undefined when staged fits. */
  reason?: string;
}

/** Bytes of a journal for these files (journals name every file; CRCs are printed as up to 10 digits). */
export function journalBytes(mode: InstallMode, changed: { name: string; bytes: number }[], old: { name: string; bytes: number }[]): number {
  const crc = 4294967295;
  const files = changed.map((f, i) => ({ name: f.name, size: f.bytes, crc, temp: mode === 'staged' ? `${TEMP_PREFIX}${i}` : undefined }));
  return journalText({ mode, files, old: old.map((f) => ({ name: f.name, size: f.bytes, crc })) }).length;
}

export function planInstall(input: PlanInput, old: { name: string; bytes: number }[] = []): InstallPlan {
  const t = input.changed.reduce((n, f) => n + storageCost(f.bytes), 0);
  const largest = input.changed.reduce((n, f) => Math.max(n, storageCost(f.bytes)), 0);
  const stagedJournal = storageCost(journalBytes('staged', input.changed, []));
  const inPlaceJournal = storageCost(journalBytes('in-place', input.changed, old));
  // Staged: everything old + temporaries + journal; then, during the copy, the old versions of the
  // changed files are gone and the largest new file exists twice.
  const stagedPeak = input.base + t + stagedJournal + Math.max(0, largest - input.oldChanged);
  const inPlacePeak = input.base - input.oldChanged + t + inPlaceJournal;
  const kb = (n: number) => `${(n / 1000).toFixed(1)} KB`;
  if (stagedPeak <= input.capacity) return { mode: 'staged', capacity: input.capacity, stagedPeak, inPlacePeak };
  if (inPlacePeak <= input.capacity) {
    return {
      mode: 'in-place', capacity: input.capacity, stagedPeak, inPlacePeak,
      reason: `Storage holds ${kb(input.capacity)}; keeping the old app bootable while the new one is written needs ${kb(stagedPeak)}, ` +
        `so the files are replaced in place (${kb(inPlacePeak)} at most): a power cut between erasing the old files and finishing the new ones leaves no app, and the boot file says so`,
    };
  }
  return {
    mode: undefined, capacity: input.capacity, stagedPeak, inPlacePeak,
    reason: `Storage holds ${kb(input.capacity)}; the install needs ${kb(inPlacePeak)} even replacing the old files in place (the unchanged files, the new ones, the journal and the boot file)`,
  };
}

// ---------------------------------------------------------------- Bangle.js: the App Loader's layout

/**
 * On a Bangle.js, .bootcde is the watch's own boot code (the Bootloader app): an app is not put there
 * but installed as the Bangle App Loader installs one (BangleApps' conventions): its code as
 * `<id>.app.js` and a `<id>.info` JSON that launchers list (they read every `*.info` and show those
 * with `type` "app" or none, starting `src` with load()); the data files (model packs, kernel blob)
 * keep their names. `.bootcde` is never written.
 *
 * Order, so a cut at any point leaves the watch booting its clock and launcher as before: the old
 * `<id>.info` is erased first (the app leaves the launcher), the files are written under their final
 * names and verified, and only then is `<id>.info` written and the app started with load(). A cut
 * before the end leaves the app unlisted until the next upload, never a listed app with half its files.
 *
 * The app file is the bundle followed by one line that prints `TSUP started <crc>` (CRC32 of the
 * bundle) once its top-level code has run: the uploader's proof that the app it sent started (a
 * launch from the launcher prints it too, unseen).
 */
export const APP_LOADER_SUFFIX = '.app.js';
/** The longest id whose `<id>.app.js` is a valid Storage name. */
export const APP_ID_MAX = FILE_NAME_MAX - APP_LOADER_SUFFIX.length;

/** An App Loader id from an app's name: lower case letters, digits and '-', at most APP_ID_MAX long. */
export function appLoaderId(name: string): string {
  const id = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, APP_ID_MAX).replace(/-+$/, '');
  if (!id) throw new Error(`"${name}" gives no App Loader id (letters, digits and '-'): choose one with --app-id`);
  return id;
}

export function appLoaderNames(id: string): { app: string; info: string } {
  return { app: `${id}${APP_LOADER_SUFFIX}`, info: `${id}.info` };
}

/** The app file: the bundle, then the line that says it started. */
export function appLoaderBundle(bundle: string, crc: number): string {
  return `${bundle}${bundle.endsWith('\n') ? '' : '\n'};print(${JSON.stringify(`${MARK} started ${crc >>> 0}`)});\n`;
}

/** `<id>.info` as the App Loader writes it: id, name, type, src, version, and every file of the app (uninstall erases them). */
export function appLoaderInfo(id: string, name: string, files: string[], version = '0.01'): string {
  const { app, info } = appLoaderNames(id);
  return JSON.stringify({ id, name, type: 'app', src: app, version, files: [info, app, ...files.filter((f) => f !== app && f !== info)].join(',') });
}
