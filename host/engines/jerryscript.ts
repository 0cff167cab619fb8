/**
 * JerryScript v3 with the tinysense firmware (ESP32_JERRYSCRIPT): ES2020,
 * a syntax check at ES2020, the parsed program in the JerryScript heap and
 * the arena in native memory, kernels compiled into the firmware (no blob),
 * installed by flashing the firmware's data partition.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { JERRYSCRIPT_BUDGET } from '../bundler/budget.js';
import { checkJerryScriptCompat } from '../bundler/compat.js';
import { JERRYSCRIPT_PROFILE } from '../sim/engine-profile.js';
import { JerryScriptBoard } from '../sim/jerryscript.js';
import type { Engine } from './engine.js';

export const jerryscript: Engine = {
  name: 'jerryscript',
  title: 'JerryScript',
  version: '3.0',
  language: {
    target: 'es2020',
    lib: ['es2020'],
    generatedCode: 'es2015',
    hoistFunctions: false,
    globalsTypes: 'types/jerryscript.d.ts',
  },
  deviceBinding: join(PACKAGE_ROOT, 'device', 'engines', 'jerryscript.ts'),
  checkCompat: (code, options) => checkJerryScriptCompat(code, options),
  budget: JERRYSCRIPT_BUDGET,
  boardProblems: (board) => [
    ...(board.nativeCall.kernels === 'blob' ? ['JerryScript cannot call a kernel blob: nativeCall.kernels must be "firmware"'] : []),
    ...(!board.nativeHeap ? ['a JerryScript board gives nativeHeap: the firmware allocates the arena there'] : []),
  ],
  boardGlobals: (board) => board.objects.map((name) => ({ name, type: `TinysenseJerry.Globals['${name}']` })),
  simulator: {
    profile: JERRYSCRIPT_PROFILE,
    microphone: true,
    create(info, hooks) {
      const board = new JerryScriptBoard(info, hooks);
      return {
        board,
        memory: () => ({ flatBytesInUse: board.nativeBytes, flatBytesPeak: board.nativePeak }),
        memoryLabel: 'native allocations (tinysense.allocate)',
        // Xtensa's figures are assumed, not measured: the timer labels them so (host/sim/timing.ts).
        modelTimer: () => board.timer,
        start: (bundle, filename) => board.run(bundle, filename),
        nativeCalls: () => ({ ...board.calls }),
        // The firmware's camera native, not an SPI module.
        cameraCaptures: () => board.cameraCaptures,
        micStats: () => board.micStats(),
        observeOps: (observer) => {
          board.onOp = observer;
        },
      };
    },
  },
  install: { espruinoCli: false, how: 'flash the tinysense firmware with the build in its data partition (docs/jerryscript.md)' },
};
