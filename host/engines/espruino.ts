/**
 * Espruino 2v29 (Bangle.js 2, Jolt.js, nRF52840 DK, ESP32): ES5 with the
 * Espruino-safe TypeScript helpers, the compatibility rules and simulator
 * profile from one facts file (espruino-2v29.ts), JsVar budget, the kernel
 * blob through E.nativeCall, and upload through the espruino CLI.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import { ESPRUINO_BUDGET } from '../bundler/budget.js';
import { checkEspruinoCompat } from '../bundler/compat.js';
import { ESPRUINO_PROFILE } from '../sim/engine-profile.js';
import { EspruinoBoard } from '../sim/espruino.js';
import { pinNames } from '../bundler/boards.js';
import type { BoardGlobal, Engine } from './engine.js';
import { GLOBALS as ESPRUINO_GLOBALS } from './espruino-2v29.js';

/** SPI1..SPIn and the like: the board's hardware instances. */
function numbered(prefix: string, count: number, type: string): BoardGlobal[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i + 1}`, type }));
}

/** The helpers the Espruino bundle gets instead of tslib. */
export const ESPRUINO_TSLIB = join(PACKAGE_ROOT, 'host', 'bundler', 'espruino-tslib.js');

/** Helpers espruino-tslib.js provides. */
export const ESPRUINO_HELPERS = ['__extends', '__assign', '__rest', '__spreadArray', '__read', '__values', '__makeTemplateObject', '__awaiter', '__generator'];

/** Helpers TypeScript may emit that an Espruino build refuses, and why. */
export const REFUSED_HELPERS: Record<string, string> = {
  __asyncValues: "'for await' needs Symbol.asyncIterator, which Espruino does not have",
  __asyncGenerator: 'async generators need Symbol.asyncIterator, which Espruino does not have',
  __asyncDelegator: 'async generators need Symbol.asyncIterator, which Espruino does not have',
  __await: 'async generators need Symbol.asyncIterator, which Espruino does not have',
  __decorate: 'decorators are not supported in Espruino builds',
  __param: 'decorators are not supported in Espruino builds',
  __metadata: 'decorators are not supported in Espruino builds',
  __esDecorate: 'decorators are not supported in Espruino builds',
  __runInitializers: 'decorators are not supported in Espruino builds',
  __setFunctionName: 'decorators are not supported in Espruino builds',
  __propKey: 'decorators are not supported in Espruino builds',
  __classPrivateFieldGet: '#private fields are lowered to WeakMap, which Espruino does not have (use private)',
  __classPrivateFieldSet: '#private fields are lowered to WeakMap, which Espruino does not have (use private)',
  __classPrivateFieldIn: '#private fields are lowered to WeakMap, which Espruino does not have (use private)',
  __addDisposableResource: "'using' needs Symbol.dispose, which Espruino does not have",
  __disposeResources: "'using' needs Symbol.dispose, which Espruino does not have",
};

export const espruino: Engine = {
  name: 'espruino',
  title: 'Espruino',
  version: '2v29',
  language: {
    target: 'es5',
    lib: ['es5', 'es2015.promise'],
    generatedCode: 'es5',
    tslib: ESPRUINO_TSLIB,
    helpers: { provided: ESPRUINO_HELPERS, refused: REFUSED_HELPERS },
    hoistFunctions: true,
    globalsTypes: 'types/espruino.d.ts',
  },
  deviceBinding: join(PACKAGE_ROOT, 'device', 'engines', 'espruino.ts'),
  checkCompat: (code, options) => checkEspruinoCompat(code, options),
  budget: ESPRUINO_BUDGET,
  boardProblems: (board) => [
    ...(board.jsHeap.kind !== 'jsvars' ? ['an Espruino board gives jsHeap as jsvars (variables x bytesPerVariable)'] : []),
    ...(!board.stack ? ['an Espruino board gives stack.freeBytes: Storage.write copies onto the stack'] : []),
  ],
  boardGlobals: (board) => {
    const typed = (name: string): BoardGlobal => ({ name, type: `Espruino.Globals['${name}']` });
    return [
      // The Bangle.js firmware adds E.getBattery, E.showMessage ... (libs/banglejs/jswrap_bangle.c).
      ...ESPRUINO_GLOBALS.map((name) => (name === 'E' && board.objects.includes('Bangle') ? { name, type: 'Espruino.E & Espruino.BangleE' } : typed(name))),
      ...board.objects.map(typed),
      ...pinNames(board).map((name) => ({ name, type: 'Espruino.Pin' })),
      ...numbered('SPI', board.interfaces.spi, 'Espruino.SPI'),
      ...numbered('I2C', board.interfaces.i2c, 'Espruino.I2C'),
      ...numbered('Serial', board.interfaces.usart, 'Espruino.Serial'),
    ];
  },
  simulator: {
    profile: ESPRUINO_PROFILE,
    microphone: false,
    create(info, hooks) {
      const board = new EspruinoBoard(info, hooks);
      return {
        board,
        memory: () => ({ flatBytesInUse: board.memory.ramInUse, flatBytesPeak: board.memory.ramPeak }),
        memoryLabel: 'flat buffers in the JS heap',
        modelTimer: () => board.native.timer,
        start: (bundle, filename) => board.startApp(bundle, filename),
        bangle: board.bangle,
        nativeCalls: () => ({ ...board.native.calls }),
        // The camera is the SPI module the simulator wired to the board's SPI bus.
        cameraCaptures: (spiCamera) => spiCamera.captures,
        micStats: () => ({ delivered: 0, dropped: 0, blockedMs: 0 }),
        observeOps: (observer) => {
          board.native.onOp = observer;
        },
        espruinoConsole: board,
      };
    },
  },
  install: { espruinoCli: true, how: 'tinysense upload (the espruino CLI writes the files to Storage)' },
};
