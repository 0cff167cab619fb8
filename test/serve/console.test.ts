// The served board's console over a raw TCP socket, as telnet sees it: Espruino's echo, prompts,
// `=value`, DLE lines, Ctrl-C, reset()/load()/E.reboot() and Storage, with virtual time paced by
// the wall clock. Plus the two pure pieces: bracket counting and result formatting.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBrackets, UNFINISHED } from '../../host/sim/console/brackets.js';
import { formatResult } from '../../host/sim/console/format.js';
import { ServedTestBoard, TcpConsole, patternBytes, sleep, startBoard } from './helpers.js';

describe('input completeness (Espruino counts brackets)', () => {
  const cases: [string, number][] = [
    ['1+2', 0],
    ['function f(a) {', 1],
    ['if (x) { y(); }', 0],
    ['var s = "{ not a bracket"', 0],
    ["var s = 'unfinished", 0], // runs at once, so it can fail
    ['/* open comment', UNFINISHED],
    ['`template ${a} and {', UNFINISHED],
    ['var r = /[(]/; f(', 1],
    ['a = b / c; (', 1],
    ['// comment with (', 0],
    [')', -1],
  ];
  for (const [source, expected] of cases) {
    it(JSON.stringify(source), () => expect(countBrackets(source)).toBe(expected));
  }
});

describe('=value as Espruino shows it', () => {
  it('formats like the board', () => {
    expect(formatResult(undefined)).toBe('undefined');
    expect(formatResult('hi')).toBe('"hi"');
    expect(formatResult([1, 2, 3])).toBe('[ 1, 2, 3 ]');
    expect(formatResult({ a: 1, 'b-c': 'x' })).toBe('{ a: 1, "b-c": "x" }');
    expect(formatResult(new Uint8Array([1, 2]))).toBe('new Uint8Array([1, 2])');
    expect(formatResult(Array.from({ length: 20 }, (_, i) => i))).toBe('[ 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, ... ]');
  });
});

describe('the served console over TCP', () => {
  let served: ServedTestBoard;
  let tty: TcpConsole;

  beforeAll(async () => {
    served = await startBoard('BANGLEJS2');
    tty = await TcpConsole.connect(served.served.port);
  });
  afterAll(async () => {
    tty.close();
    await served.served.close();
  });

  it('echoes what is typed, shows =value and the prompt', async () => {
    const got = await tty.exchange('1+2\r\n', /=3\r\n>$/);
    expect(got).toBe('1+2\r\n=3\r\n>');
  });

  it('an empty line gives a new prompt (what the CLI sends to find one)', async () => {
    expect(await tty.exchange('\n', />$/)).toBe('\r\n>');
  });

  it('continues unbalanced input after a ":" prompt and runs it when balanced', async () => {
    expect(await tty.exchange('function twice(a) {\n', /:$/)).toBe('function twice(a) {\r\n:');
    await tty.exchange('return a * 2 }\n', /=undefined\r\n>$/);
    expect(await tty.exchange('twice(21)\n', />$/)).toContain('=42\r\n>');
  });

  it('DLE runs a line silently: no echo, no =value, only what it prints', async () => {
    expect(await tty.exchange('\x10print("quiet")\n', /quiet\r\n>$/)).toBe('quiet\r\n>');
    expect(await tty.exchange('\x10var silent = 1\n\n', />$/)).toBe('\r\n>');
  });

  it('Ctrl-C clears the line being typed', async () => {
    await tty.exchange('nonsense', /nonsense$/);
    const got = await tty.exchange('\x03' + '7\n', /=7\r\n>$/);
    expect(got).not.toContain('nonsense');
  });

  it('Alt-Enter newlines and ESC[<n>d line numbers (as the CLI sends code) are read correctly', async () => {
    await tty.exchange('\x10\x1b[3dfunction seven() {\x1b\n  return 7;\x1b\n}\n', />?$/);
    expect(await tty.exchange('seven()\n', /=7\r\n>$/)).toContain('=7');
  });

  it('Ctrl-E on an empty line names the board', async () => {
    expect(await tty.exchange('\x05', /BANGLEJS2/)).toContain('Espruino 2v29 BANGLEJS2');
    await tty.exchange('\n', />$/);
  });

  it('the CLI\'s process.env query gets JSON with the board and the built-in modules', async () => {
    const got = await tty.exchange('\x10print("<","<<",JSON.stringify(process.env),">>",">")\n', />> >/);
    const env = JSON.parse(/< << (.*) >> >/.exec(got)![1]) as Record<string, string>;
    expect(env).toMatchObject({ BOARD: 'BANGLEJS2', VERSION: '2v29', MODULES: 'Storage' });
  });

  it('errors print as Uncaught and the console goes on', async () => {
    const got = await tty.exchange('nope()\n', /Uncaught ReferenceError: nope is not defined\r\n>$/);
    expect(got).not.toContain('=');
  });

  it('timers run in real time while served', async () => {
    const started = Date.now();
    await tty.exchange('\x10setTimeout(function(){print("fired")}, 150)\n', /fired/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(130);
  });

  it('Storage writes in chunks (as the CLI uploads a file) and E.CRC32 reads them back', async () => {
    const bytes = patternBytes(1000, 7);
    const b64 = Buffer.from(bytes).toString('base64');
    // The CLI's own form: first chunk with the offset 0 and the total size, then offsets.
    const lines = [0, 384, 768].map((at) => {
      const part = Buffer.from(bytes.subarray(at, at + 384)).toString('base64');
      return `\x10require("Storage").write("blob.bin",atob("${part}"),${at}${at === 0 ? ',1000' : ''})\n`;
    });
    tty.send(lines.join(''));
    const got = await tty.exchange('\x10print(E.CRC32(require("Storage").read("blob.bin")))\n', /\d+\r\n>$/);
    const { crc32 } = await import('../../host/compiler/crc32.js');
    expect(got).toContain(String(crc32(bytes)));
    expect(Buffer.from(served.board.storage.get('blob.bin')!).toString('base64')).toBe(b64);
  });

  it('reset() clears the app: globals and timers go, Storage stays', async () => {
    await tty.exchange('\x10var leftover = 5; setInterval(function(){print("tick")}, 40)\n', /tick/);
    const got = await tty.exchange('\x10reset();\n', /espruino\.com[\s\S]*>$/);
    expect(got).toContain('tinysense simulator of BANGLEJS2');
    const from = tty.received.length;
    await sleep(150);
    expect(tty.received.slice(from)).not.toContain('tick');
    expect(await tty.exchange('typeof leftover\n', />$/)).toContain('="undefined"');
    expect(await tty.exchange('require("Storage").list().indexOf("blob.bin") >= 0\n', />$/)).toContain('=true');
  });

  it('load() runs the boot code (.bootcde) in a fresh interpreter; E.reboot() runs .bootPowerOn first', async () => {
    await tty.exchange('\x10require("Storage").write(".bootcde", "print(\\"booted \\" + typeof leftover2)")\n', />?$/);
    await tty.exchange('\x10var leftover2 = 1; load()\n', /booted undefined/);
    await tty.exchange('\x10require("Storage").write(".bootPowerOn", "print(\\"power on\\")")\n', />?$/);
    const got = await tty.exchange('\x10E.reboot()\n', /booted undefined/);
    expect(got.indexOf('power on')).toBeLessThan(got.lastIndexOf('booted'));
    expect(await served.waitForOutput(/booted undefined/)).toBeTruthy();
  });

  it('a second console sees the board\'s output too', async () => {
    const other = await TcpConsole.connect(served.served.port);
    try {
      await tty.exchange('\x10print("to everyone")\n', /to everyone/);
      await other.waitFor(/to everyone/);
    } finally {
      other.close();
    }
  });
});
