/**
 * Messages from the dev server to the page (Server-Sent Events, one JSON
 * object per event): a `snapshot` with everything so far when a page connects
 * or the run restarts, then `tick`s with what is new, and `status` when only
 * the state changed (building, a build error).
 */
import type { DevOp } from './models.js';

export interface DevState {
  source: 'simulator' | 'port';
  /** What the page shows, in words (the simulator and its trace, or the board on a port). */
  sourceLabel: string;
  app: string;
  board: string;
  trace?: string;
  traces: string[];
  /** Current time, ms (virtual in the simulator; the board's clock from the first line on a port). */
  t: number;
  duration: number | null;
  playing: boolean;
  speed: number;
  /** Increments at every restart (a rebuild, seek backwards, trace switch). */
  generation: number;
  building: boolean;
  buildError?: string;
  errors: string[];
  /** Host CPU ms spent simulating per simulated second (null before any). */
  cpuMsPerSimulatedSecond: number | null;
  ticks: number;
}

export type SensorInfo =
  | { kind: 'none' }
  | { kind: 'scalar'; columns: string[] }
  | { kind: 'audio'; sampleRate: number; bucketMs: number }
  | { kind: 'frames'; width: number; height: number };

export interface ModelInfo {
  file: string;
  view: 'classes' | 'features';
  labels: string[];
  ops: DevOp[];
  arenaBytes: number;
  packBytes: number;
  deviceMsPerInvoke?: number;
  cyclesBasis?: string;
}

export interface InvokeRecord {
  /** Time, ms. */
  t: number;
  /** Model index (ModelInfo order). */
  m: number;
  /** Output 0 dequantized. */
  out: number[];
  /** Host ms of the invoke (its ops' kernel calls). */
  ms: number;
}

export interface DevData {
  sensor: { t: number[]; values: number[][] };
  audio: { t: number[]; min: number[]; max: number[] };
  /** Camera frames as they became current: gray8 pixels, base64. */
  frames: { t: number; source: string; pixels: string }[];
  invokes: InvokeRecord[];
  events: { t: number; name: string; value: unknown }[];
  console: { t: number; line: string }[];
  memory: {
    jsHeapBytes: number;
    /** The build's estimate of the JS heap the app takes (budget). */
    jsHeapBudgetUsed?: number;
    flatInUse: number;
    flatPeak: number;
    flatLabel: string;
    arenaBytes: number;
    storageBytes?: number;
    storageUsed?: number;
    storageBudgetUsed?: number;
  };
  /** Per model: invokes so far and host ms per op (last call, mean). */
  ops: { invokes: number; hostLast: number[]; hostMean: number[] }[];
  /** Bangle.js 2: the screen as a PNG data URL, when it changed since the last message (host/sim/bangle.ts). */
  screenImage?: string;
}

export interface DevSnapshot extends DevData {
  type: 'snapshot';
  generation: number;
  state: DevState;
  sensorInfo: SensorInfo;
  models: ModelInfo[];
  screen: { present: boolean; width?: number; height?: number; emulated?: boolean; reason?: string; image?: string };
}

export interface DevTick extends DevData {
  type: 'tick';
  generation: number;
  state: DevState;
}

export interface DevStatus {
  type: 'status';
  state: DevState;
}

export type DevMessage = DevSnapshot | DevTick | DevStatus;
