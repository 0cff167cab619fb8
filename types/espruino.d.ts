// Types of Espruino 2v29's built-ins, for apps (written for tinysense from the JSON blocks of Espruino's
// src/jswrap_*.c and libs/*/jswrap_*.c at tag RELEASE_2V29; a subset: what a sensor app uses). This file
// declares TYPES only. Which globals exist, and so which of these types an app sees, depends on the
// board: host/bundler/globals.ts declares them per board from boards/<ID>.json ("objects", "pins",
// "interfaces") and host/engines/espruino-2v29.ts (GLOBALS, on every board), e.g. `declare var Bangle:
// Espruino.Globals['Bangle']` for Bangle.js 2 only.
declare namespace Espruino {
  /** A pin: D0..Dn, LED1, BTN1 ... (jswrap_pin.c). A plain number is accepted where a pin is. */
  interface Pin {
    read(): boolean;
    write(value: boolean | number): void;
    set(): void;
    reset(): void;
    toggle(): boolean;
    mode(mode: PinMode): void;
    getMode(): PinMode;
    analog(): number;
    getInfo(): { port: string; num: number; in_addr?: number; out_addr?: number; analog?: { ADC: number; channel: number }; functions: object };
  }
  type PinLike = Pin | number;
  type PinMode = 'analog' | 'input' | 'input_pullup' | 'input_pulldown' | 'output' | 'opendrain' | 'af_output' | 'af_opendrain' | 'opendrain_pullup' | 'auto';
  type Data = string | number | ArrayBuffer | ArrayBufferView | ReadonlyArray<number | string> | { data: Data; count: number };

  interface SPISetup { sck?: PinLike; miso?: PinLike; mosi?: PinLike; baud?: number; mode?: 0 | 1 | 2 | 3; order?: 'msb' | 'lsb'; bits?: number }
  /** SPI1..SPIn (hardware), or `new SPI()` (software, jswrap_spi_i2c.c). */
  interface SPI {
    setup(options: SPISetup): void;
    send(data: number, cs?: PinLike): number;
    send(data: string, cs?: PinLike): string;
    send(data: Data, cs?: PinLike): Uint8Array;
    write(...data: (Data | PinLike)[]): void;
    send4bit(data: Data, bit0: number, bit1: number, cs?: PinLike): void;
    send8bit(data: Data, bit0: number, bit1: number, cs?: PinLike): void;
  }
  interface SPIConstructor { new (): SPI; find(pin: PinLike): SPI | undefined }

  interface I2CSetup { scl?: PinLike; sda?: PinLike; bitrate?: number }
  /** I2C1..I2Cn (hardware), or `new I2C()` (software). */
  interface I2C {
    setup(options: I2CSetup): void;
    writeTo(address: number | { address: number; stop: boolean }, ...data: Data[]): void;
    readFrom(address: number | { address: number; stop: boolean }, quantity: number): Uint8Array;
  }
  interface I2CConstructor { new (): I2C; find(pin: PinLike): I2C | undefined }

  /** Serial1..Serialn, USB, Bluetooth (jswrap_serial.c). */
  interface Serial {
    setup(baudrate?: number, options?: { rx?: PinLike; tx?: PinLike; ck?: PinLike; cts?: PinLike; bytesize?: number; parity?: 'o' | 'e' | null; stopbits?: number; flow?: 'xon' | 'none' | null }): void;
    write(...data: Data[]): void;
    print(text: string): void;
    println(text: string): void;
    read(chars?: number): string;
    available(): number;
    on(event: 'data', listener: (data: string) => void): void;
  }

  /** require('Storage') (jswrap_storage.c): named files in flash. */
  interface Storage {
    read(name: string, offset?: number, length?: number): string | undefined;
    readArrayBuffer(name: string): ArrayBuffer | undefined;
    readJSON(name: string, noExceptions?: boolean): unknown;
    write(name: string, data: Data, offset?: number, size?: number): boolean;
    writeJSON(name: string, data: unknown): boolean;
    list(regex?: RegExp | string, filter?: { sf?: boolean }): string[];
    erase(name: string): void;
    eraseAll(): void;
    getFree(checkInternalFlash?: boolean): number;
    getStats(checkInternalFlash?: boolean): { totalBytes: number; freeBytes: number; fileBytes: number; fileCount: number; trashBytes: number; trashCount: number };
    compact(showMessage?: boolean): void;
    hash(regex?: RegExp): number;
  }
  interface Require {
    (module: 'Storage'): Storage;
    (module: string): any;
  }

  interface MemoryUsage { free: number; usage: number; total: number; history: number; gc: number; gctime: number; blocksize?: number; stackEndAddress?: number; flash_start?: number; flash_binary_end?: number; flash_code_start?: number; flash_length?: number }
  interface Process {
    env: { VERSION: string; BOARD: string; SERIAL?: string; CONSOLE?: string; MODULES?: string; RAM?: number; FLASH?: number; EXPTR?: number; [key: string]: unknown };
    version: string;
    memory(gc?: boolean): MemoryUsage;
    on(event: 'uncaughtException', listener: (error: unknown) => void): void;
  }
  interface Console { log(...text: unknown[]): void; warn?(...text: unknown[]): void; error?(...text: unknown[]): void }

  /** The E object (jswrap_espruino.c): Espruino's own utilities. */
  interface E {
    nativeCall(address: number, signature: string, data?: string): (...args: number[]) => number;
    getAddressOf(value: unknown, flatAddress: boolean): number;
    toFlatString(...args: unknown[]): string | undefined;
    toArrayBuffer(str: string): ArrayBuffer;
    toUint8Array(...args: unknown[]): Uint8Array;
    toString(...args: unknown[]): string;
    toJS(value: unknown): string;
    CRC32(data: unknown): number;
    getSizeOf(value: unknown, depth?: number): number;
    getTemperature(): number;
    getAnalogVRef(): number;
    getClock(): number | { sysclk: number; [key: string]: number };
    defrag(): void;
    kickWatchdog(): void;
    enableWatchdog(timeout: number, isAuto?: boolean): void;
    setTimeZone(zone: number): void;
    setBootCode(code: string, alwaysExec?: boolean): void;
    dumpStr(): string;
    reboot(): void;
    hwRand(): number;
    sum(array: ArrayLike<number>): number;
    variance(array: ArrayLike<number>, mean: number): number;
    convolve(a: ArrayLike<number>, b: ArrayLike<number>, offset: number): number;
    FFT(real: ArrayLike<number>, imaginary?: ArrayLike<number>, inverse?: boolean): void;
    interpolate(array: ArrayLike<number>, index: number): number;
    clip(x: number, min: number, max: number): number;
    on(event: 'init' | 'kill', listener: () => void): void;
    on(event: 'errorFlag', listener: (flags: string[]) => void): void;
  }

  /** What the Bangle.js firmware adds to E (libs/banglejs/jswrap_bangle.c, libs/js/banglejs). */
  interface BangleE {
    getBattery(): number;
    showMessage(message: string, options?: string | { title?: string; img?: string }): void;
    showPrompt(message: string, options?: { title?: string; buttons?: Record<string, unknown> }): Promise<unknown>;
    showAlert(message?: string, options?: string | { title?: string }): Promise<void>;
    showMenu(menu?: object): unknown;
  }

  /** A Graphics instance (libs/graphics/jswrap_graphics.c): `g` on Bangle.js, or Graphics.createArrayBuffer(). */
  interface Graphics {
    getWidth(): number;
    getHeight(): number;
    clear(reset?: boolean): Graphics;
    reset(): Graphics;
    flip(all?: boolean): void;
    setColor(color: number | string): Graphics;
    setColor(r: number, g: number, b: number): Graphics;
    setBgColor(color: number | string): Graphics;
    setFont(name: string, size?: number): Graphics;
    setFontAlign(x: -1 | 0 | 1, y?: -1 | 0 | 1, rotation?: 0 | 1 | 2 | 3): Graphics;
    drawString(text: string, x: number, y: number, solid?: boolean): Graphics;
    stringWidth(text: string): number;
    drawLine(x1: number, y1: number, x2: number, y2: number): Graphics;
    drawRect(x1: number, y1: number, x2: number, y2: number): Graphics;
    fillRect(x1: number, y1: number, x2: number, y2: number): Graphics;
    clearRect(x1: number, y1: number, x2: number, y2: number): Graphics;
    drawCircle(x: number, y: number, r: number): Graphics;
    fillCircle(x: number, y: number, r: number): Graphics;
    drawPoly(points: ArrayLike<number>, closed?: boolean): Graphics;
    fillPoly(points: ArrayLike<number>): Graphics;
    setPixel(x: number, y: number, color?: number): Graphics;
    getPixel(x: number, y: number): number;
    drawImage(image: string | ArrayBuffer | object, x: number, y: number, options?: object): Graphics;
  }
  interface GraphicsConstructor {
    createArrayBuffer(width: number, height: number, bpp: number, options?: object): Graphics;
    createCallback(width: number, height: number, bpp: number, callback: (x: number, y: number, color: number) => void): Graphics;
  }

  interface AccelData { x: number; y: number; z: number; diff: number; mag: number }
  /** The Bangle object (libs/banglejs/jswrap_bangle.c). */
  interface Bangle {
    on(event: 'accel', listener: (accel: AccelData) => void): void;
    on(event: 'HRM-raw', listener: (hrm: { raw: number; filt: number; bpm: number; confidence: number; vcPPG?: number }) => void): void;
    on(event: 'HRM', listener: (hrm: { bpm: number; confidence: number }) => void): void;
    on(event: 'mag', listener: (mag: { x: number; y: number; z: number; dx: number; dy: number; dz: number; heading: number }) => void): void;
    on(event: 'pressure', listener: (p: { temperature: number; pressure: number; altitude: number }) => void): void;
    on(event: 'GPS', listener: (fix: { lat: number; lon: number; alt: number; speed: number; course: number; time: Date; satellites: number; fix: number }) => void): void;
    on(event: 'touch', listener: (button: number, xy?: { x: number; y: number }) => void): void;
    on(event: 'swipe', listener: (directionLR: -1 | 0 | 1, directionUD: -1 | 0 | 1) => void): void;
    on(event: 'step', listener: (steps: number) => void): void;
    on(event: 'lock', listener: (locked: boolean) => void): void;
    on(event: 'lcdPower' | 'charging', listener: (on: boolean) => void): void;
    on(event: string, listener: (...args: any[]) => void): void;
    removeListener(event: string, listener: (...args: any[]) => void): void;
    removeAllListeners(event?: string): void;
    setPollInterval(ms: number): void;
    getAccel(): AccelData;
    setHRMPower(on: boolean | number, appId?: string): boolean;
    setCompassPower(on: boolean | number, appId?: string): boolean;
    setBarometerPower(on: boolean | number, appId?: string): boolean;
    setGPSPower(on: boolean | number, appId?: string): boolean;
    getPressure(): Promise<{ temperature: number; pressure: number; altitude: number }>;
    buzz(ms?: number, strength?: number): Promise<void>;
    beep(ms?: number, freq?: number): Promise<void>;
    setLCDPower(on: boolean | number): void;
    setLCDBrightness(brightness: number): void;
    isLCDOn(): boolean;
    setLocked(locked: boolean): void;
    isLocked(): boolean;
    isCharging(): boolean;
    getStepCount(): number;
    appRect: { x: number; y: number; w: number; h: number; x2: number; y2: number };
  }

  /** The NRF object (libs/bluetooth/jswrap_bluetooth.c): Bluetooth LE. */
  interface NRF {
    getAddress(): string;
    getBattery(): number;
    sleep(): void;
    wake(): void;
    disconnect(): void;
    setAdvertising(data: object | ArrayLike<number>, options?: object): void;
    setServices(data: object, options?: object): void;
    updateServices(data: object): void;
    setTxPower(power: number): void;
    findDevices(callback: (devices: object[]) => void, options?: number | object): void;
    on(event: 'connect', listener: (address: string) => void): void;
    on(event: 'disconnect', listener: (reason: number) => void): void;
    on(event: string, listener: (...args: any[]) => void): void;
  }

  /** Jolt.js (libs/joltjs/jswrap_jolt.c): a Qwiic connector's pins. */
  interface Qwiic { sda: Pin; scl: Pin; fet?: Pin; gnd?: Pin; vcc?: Pin; setPower(on: boolean | number): Qwiic; i2c: I2C }
  interface Jolt {
    Q0: Qwiic;
    Q1: Qwiic;
    Q2: Qwiic;
    Q3: Qwiic;
    setDriverMode(driver: 0 | 1, mode: boolean | 'output' | 'motor' | 'auto'): void;
  }

  /** The ESP32 object (targets/esp32/jswrap_esp32.c). */
  interface ESP32 {
    getState(): { sdkVersion: string; freeHeap: number; BLE: boolean; Wifi: boolean; minHeap: number };
    deepSleep(us: number): void;
    reboot(): void;
    setBLE_Debug(level: number): void;
  }

  type WatchOptions = boolean | { repeat?: boolean; edge?: 'rising' | 'falling' | 'both' | 1 | -1 | 0; debounce?: number; irq?: boolean; data?: PinLike; hispeed?: boolean };
  interface WatchEvent { state: boolean; time: number; lastTime: number; data?: boolean }

  /**
   * Every global an Espruino board may have, by name, with its type. host/bundler/globals.ts declares
   * the ones the target board has: `declare var NAME: Espruino.Globals['NAME']`.
   */
  interface Globals {
    // On every board (host/engines/espruino-2v29.ts GLOBALS).
    E: E;
    process: Process;
    console: Console;
    require: Require;
    print(...text: unknown[]): void;
    setWatch(callback: (event: WatchEvent) => void, pin: PinLike, options?: WatchOptions): number;
    clearWatch(id?: number): void;
    getTime(): number;
    setTime(time: number): void;
    changeInterval(id: number, ms: number): void;
    digitalWrite(pin: PinLike | ReadonlyArray<PinLike>, value: boolean | number): void;
    digitalRead(pin: PinLike | ReadonlyArray<PinLike>): number;
    digitalPulse(pin: PinLike, value: boolean, time: number | ReadonlyArray<number>): void;
    analogRead(pin: PinLike): number;
    analogWrite(pin: PinLike, value: number, options?: { freq?: number; soft?: boolean; forceSoft?: boolean }): void;
    pinMode(pin: PinLike, mode?: PinMode, automatic?: boolean): void;
    getPinMode(pin: PinLike): PinMode;
    shiftOut(pins: PinLike | ReadonlyArray<PinLike>, options: { clk?: PinLike; clkPol?: boolean; repeat?: number }, data: Data): void;
    peek8(address: number, count?: number): number;
    peek16(address: number, count?: number): number;
    peek32(address: number, count?: number): number;
    poke8(address: number, value: number | ReadonlyArray<number>): void;
    poke16(address: number, value: number | ReadonlyArray<number>): void;
    poke32(address: number, value: number | ReadonlyArray<number>): void;
    load(filename?: string): void;
    save(): void;
    reset(clearFlash?: boolean): void;
    dump(): void;
    getSerial(): string;
    atob(base64: string): string;
    btoa(binary: string): string;
    Pin: { new (value: number | string): Pin };
    SPI: SPIConstructor;
    I2C: I2CConstructor;
    // On some boards (boards/<ID>.json "objects").
    Graphics: GraphicsConstructor;
    NRF: NRF;
    Bangle: Bangle;
    g: Graphics;
    Jolt: Jolt;
    Q0: Qwiic;
    Q1: Qwiic;
    Q2: Qwiic;
    Q3: Qwiic;
    ESP32: ESP32;
    Bluetooth: Serial;
    USB: Serial;
  }
}
