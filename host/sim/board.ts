/**
 * What the simulator needs from an emulated board, whatever its engine: the
 * engine's description (host/engines/<engine>.ts `simulator`) creates one,
 * and Simulation (index.ts) and the dev session talk to it only through this
 * interface, never by asking which engine it is.
 */
import type { SandboxBoard } from './sandbox.js';
import type { BoardInfo, EspruinoBoard, EspruinoHooks } from './espruino.js';
import type { MicStats } from './mic.js';
import type { ModelTimer } from './timing.js';
import type { BangleDevice } from './bangle.js';
import type { OpObserver } from './observe.js';
import type { AudioTrace, FrameTrace } from './traces.js';
import type { EngineProfile } from './engine-profile.js';

/** Where a simulated board's sensors and console lines come from and go to. */
export interface SimHooks extends EspruinoHooks {
  /** Frames for a camera the firmware drives (JerryScript's tinysense.sensors.camera). */
  frames?: FrameTrace;
  /** The recording a firmware microphone hears (host/sim/mic.ts). */
  audio?: AudioTrace;
}

/** The files of a board: Storage (Espruino) or flash partitions (JerryScript), by name. */
export interface BoardFiles {
  get(name: string): Uint8Array | undefined;
  set(name: string, bytes: Uint8Array): unknown;
  values(): IterableIterator<Uint8Array>;
}

/** An emulated board: the engine's sandbox (run, evaluate, clock, errors, watchdog) and its files. */
export type EmulatedBoard = SandboxBoard & { readonly storage: BoardFiles };

/** One emulated board and the figures the simulator reports about it. */
export interface SimulatedBoard {
  readonly board: EmulatedBoard;
  /** Memory the app took outside the engine's small objects: flat buffers (Espruino) or native allocations. */
  memory(): { flatBytesInUse: number; flatBytesPeak: number };
  /** What memory() counts, for people. */
  readonly memoryLabel: string;
  /**
   * The model runs and the board time their ops took (host/sim/timing.ts: measured cycle figures on
   * Cortex-M4 boards, assumed and labelled ones elsewhere); undefined when the board has no figures.
   */
  modelTimer(): ModelTimer | undefined;
  /** Starts the app's bundle as the engine's boot would (Espruino charges its code's JsVars first). */
  start(bundle: string, filename: string): void;
  /** Bangle.js 2's screen, button, buzzer and messages (host/sim/bangle.ts), on boards with Bangle. */
  readonly bangle?: BangleDevice;
  /** Native kernel calls made, by entry name. */
  nativeCalls(): Record<string, number>;
  /** Camera frames the app captured (SPI module: the stats of the module the simulator wired up). */
  cameraCaptures(spiCamera: { captures: number }): number;
  /** Microphone samples delivered, dropped and ms blocked (zeros without a microphone). */
  micStats(): MicStats;
  /** Calls observer after every model op the kernels run (host/sim/observe.ts). */
  observeOps(observer: OpObserver): void;
  /** The board the espruino CLI can talk to (`simulate --serve`, host/sim/serve.ts), on Espruino. */
  readonly espruinoConsole?: EspruinoBoard;
}

/** The simulator part of an engine's description (host/engines/). */
export interface EngineSimulator {
  /** What the sandbox takes away from the language so code that fails on the board fails here too. */
  readonly profile: EngineProfile;
  /** The emulated firmware has a microphone (audio traces can be played). */
  readonly microphone: boolean;
  create(info: BoardInfo, hooks: SimHooks): SimulatedBoard;
}
