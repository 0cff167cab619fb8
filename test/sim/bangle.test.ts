// Bangle.js 2 in the simulator: the screen behind `g`, BTN1 and setWatch from the trace, Bangle.buzz,
// E.showMessage and E.getBattery, as Espruino 2v29 has them, and only on the board that has them.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBoard, simBoardInfo } from '../../host/bundler/boards.js';
import { Simulation } from '../../host/sim/index.js';
import { lcdValue, toColor565 } from '../../host/sim/graphics.js';
import { decodePng, encodePng } from '../../host/sim/png.js';
import { simulationReport } from '../../host/sim/report.js';
import { parseCsvTrace } from '../../host/sim/traces.js';

const info = (id: string) => {
  const b = loadBoard(id);
  return { ...simBoardInfo(b), engine: b.engine };
};
const BANGLE = info('BANGLEJS2');
const JOLT = info('JOLTJS');

function run(bundle: string, csv?: string, board = BANGLE) {
  return new Simulation({ bundle, storage: {}, board }, { trace: csv ? parseCsvTrace(csv) : undefined });
}

/** The screen's 3-bit value at (x, y): bit 0 red, bit 1 green, bit 2 blue. */
const px = (sim: Simulation, x: number, y: number) => sim.bangle!.screen.at(x, y) as number;
const WHITE = 7;
const BLACK = 0;

describe('g on Bangle.js 2', () => {
  it('clears to the theme background, fills rectangles inclusively and converts colours as the LCD does', () => {
    const sim = run(`
      g.clear();
      g.setColor(1, 0, 0).fillRect(10, 20, 12, 22);
      g.setColor("#00f").fillRect({ x: 40, y: 40, w: 2, h: 2 });
      print(g.getWidth(), g.getHeight(), g.getBPP(), g.getColor(), g.toColor(0, 1, 0));
    `);
    expect(sim.errors).toEqual([]);
    expect(sim.output.map((o) => o.line)).toEqual(['176 176 16 31 2016']);
    expect(px(sim, 0, 0)).toBe(WHITE);
    for (const [x, y] of [[10, 20], [12, 22], [11, 21]]) expect(px(sim, x, y)).toBe(1); // red
    expect(px(sim, 13, 22)).toBe(WHITE);
    expect(px(sim, 12, 23)).toBe(WHITE);
    // { x, y, w, h } ends at x + w, y + h (Espruino's _jswrap_graphics_getRect): 3 x 3 pixels here.
    expect(px(sim, 42, 42)).toBe(4); // blue
    expect(px(sim, 43, 42)).toBe(WHITE);
  });

  it('dithers mid colours 2x2 as lcd_memlcd.c does, and draws lines with graphicsDrawLine\'s stepping', () => {
    // 50% grey: RGB565 0x8410; the Bayer offsets 1,5 / 7,3 decide which pixels carry into white.
    const grey = toColor565(0.5, 0.5, 0.5);
    expect(grey).toBe(0x8410);
    expect([lcdValue(grey, 0, 0), lcdValue(grey, 1, 0), lcdValue(grey, 0, 1), lcdValue(grey, 1, 1)]).toEqual([0, 7, 7, 0]);
    const sim = run(`g.clear(); g.setColor(0.5,0.5,0.5).fillRect(0,0,1,1); g.setColor(0).drawLine(20, 10, 30, 13);`);
    expect([px(sim, 0, 0), px(sim, 1, 0), px(sim, 0, 1), px(sim, 1, 1)]).toEqual([0, 7, 7, 0]);
    // 8.8 fixed point: pos = (10 << 8) + 128, step = trunc((3 << 8) / 10) = 76 (truncation loses 0.8 a step),
    // so y = (2688 + 76 i) >> 8: the line reaches 13 only at x = 29, as on the watch.
    const rows = Array.from({ length: 11 }, (_, i) => [10, 11, 12, 13].find((y) => px(sim, 20 + i, y) === BLACK));
    expect(rows).toEqual([10, 10, 11, 11, 11, 11, 12, 12, 12, 13, 13]);
  });

  it('draws text in 4x6 cells (the default) and 6x8 cells with scale and alignment', () => {
    const sim = run(`
      g.clear();
      g.setColor(0).drawString("I", 0, 0);
      g.setFont("6x8:2").setFontAlign(0, 0).drawString("II", 88, 88);
      print(g.getFont(), g.getFontHeight(), g.stringWidth("II"));
    `);
    expect(sim.output.map((o) => o.line)).toEqual(['6x8:2 16 24']);
    // "I" in the 4x6 cell at (0,0): the top bar is columns 0..2 of row 0, the stem column 1 of rows 1..3.
    expect([px(sim, 0, 0), px(sim, 1, 0), px(sim, 2, 0), px(sim, 3, 0)]).toEqual([BLACK, BLACK, BLACK, WHITE]);
    expect([px(sim, 0, 2), px(sim, 1, 2), px(sim, 2, 2)]).toEqual([WHITE, BLACK, WHITE]);
    // "II" centred at (88,88) in 6x8:2: 24 x 16 pixels from (76,80); each glyph at +1 cell pixel (2 screen pixels).
    const inked: [number, number][] = [];
    for (let y = 60; y < 120; y++) for (let x = 50; x < 130; x++) if (px(sim, x, y) === BLACK) inked.push([x, y]);
    const xs = inked.map((p) => p[0]);
    const ys = inked.map((p) => p[1]);
    expect([Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)]).toEqual([78, 95, 82, 91]);
  });

  it('records drawing calls with their virtual time and refuses what it does not emulate', () => {
    const sim = run(`g.clear(); setTimeout(function () { g.drawString("late", 1, 1); }, 500);`);
    sim.advance(600);
    expect(sim.bangle!.draws.map((d) => [d.t, d.call])).toEqual([[0, 'clear'], [500, 'drawString']]);
    const bad = run(`g.setFont("Vector", 20);`);
    expect(bad.errors[0].message).toMatch(/Vector font exists on Bangle.js 2 but is not emulated/);
    const unknown = run(`g.drawImage("x", 0, 0);`);
    expect(unknown.errors[0].message).toBe('g.drawImage is not emulated by the tinysense simulator');
    const noSuchFont = run(`g.setFont("Nope");`);
    expect(noSuchFont.errors[0].message).toBe('Unknown font "Nope"');
  });

  it('renders the screen into a PNG in the report', () => {
    const sim = run(`g.clear(); g.setColor(0,1,0).fillRect(0,0,9,9);`);
    const html = simulationReport(sim, 'screen');
    const m = /<img[^>]+data-testid="bangle-screen"[^>]+src="data:image\/png;base64,([^"]+)"/.exec(html);
    expect(m).not.toBeNull();
    const png = decodePng(Buffer.from(m![1], 'base64'));
    expect([png.width, png.height]).toEqual([352, 352]); // 2x
    const at = (x: number, y: number) => Array.from(png.data.subarray((y * png.width + x) * 4, (y * png.width + x) * 4 + 4));
    expect(at(5, 5)).toEqual([0, 255, 0, 255]);
    expect(at(25, 5)).toEqual([255, 255, 255, 255]);
  });

  it('encodes PNGs any decoder reads back', () => {
    const rgba = new Uint8Array([255, 0, 0, 255, 0, 0, 255, 128]);
    expect(decodePng(encodePng(2, 1, rgba))).toEqual({ width: 2, height: 1, data: rgba });
  });
});

describe('BTN1 and setWatch from the trace', () => {
  const csv = 't,x,y,z,btn1\n0,0,0,-1,0\n1000,0,0,-1,1\n1200,0,0,-1,0\n3000,0,0,-1,1\n3010,0,0,-1,0\n4000,0,0,-1,1\n4100,0,0,-1,0\n';

  it('runs the watch on the rising edge after the 25 ms debounce, with the edge time, and skips bounces', () => {
    // lastTime is the watch's previous debounced change (the release at 1200 for the press at 4000: the
    // 10 ms press at 3000 never settled), undefined before the first, as jsinteractive.c keeps it.
    const sim = run(`
      setWatch(function (e) { print("press " + Math.round(getTime() * 1000) + " " + e.state + " " + e.time + " " + e.lastTime + " " + digitalRead(BTN1)); }, BTN1, { repeat: true });
    `, csv);
    sim.advance(5000);
    expect(sim.errors).toEqual([]);
    // 1000: pressed (runs at 1025); 3000: released after 10 ms, inside the debounce (no call); 4000: pressed.
    expect(sim.output.map((o) => [o.t, o.line])).toEqual([
      [1025, 'press 1025 true 1 undefined 1'],
      [4025, 'press 4025 true 4 1.2 1'],
    ]);
  });

  it('calls a watch without repeat once, honours edge "falling", and clearWatch stops it', () => {
    const sim = run(`
      setWatch(function () { print("once"); }, BTN);
      setWatch(function (e) { print("up " + e.state); }, BTN1, { repeat: true, edge: "falling", debounce: 0 });
      var w = setWatch(function () { print("never"); }, BTN1, { repeat: true });
      clearWatch(w);
    `, csv);
    sim.advance(5000);
    expect(sim.output.map((o) => [o.t, o.line])).toEqual([
      [1025, 'once'],
      [1200, 'up false'],
      [3010, 'up false'],
      [4100, 'up false'],
    ]);
  });

  it('a bounce restarts the debounce: the callback comes 25 ms after the last edge, with that edge\'s time', () => {
    const sim = run(`setWatch(function (e) { print(e.time + " " + e.pin + " at " + Math.round(getTime() * 1000)); }, BTN1);`, 't,btn1\n0,0\n3000,1\n3010,0\n3020,1\n');
    sim.advance(4000);
    expect(sim.output.map((o) => o.line)).toEqual(['3.02 17 at 3045']);
  });

  it('an error in a watch callback names it', () => {
    const sim = run(`setWatch(function () { throw new Error("boom"); }, BTN1);`, 't,btn1\n0,0\n100,1\n');
    sim.advance(500);
    expect(sim.output.map((o) => [o.t, o.line])).toEqual([[125, 'Uncaught Error: boom']]);
  });

  it('exists only on Bangle.js 2', () => {
    const sim = run(`print(typeof g, typeof BTN1, typeof setWatch, "getBattery" in E);`, undefined, JOLT);
    expect(sim.output.map((o) => o.line)).toEqual(["undefined undefined undefined false"]);
  });
});

describe('Bangle.buzz, E.showMessage, E.getBattery', () => {
  it('records each buzz with its start and duration (queued after a running one) and resolves its Promise at the end', async () => {
    const sim = run(`
      var p = Bangle.buzz(100, 0.5);
      print(p instanceof Promise);
      Bangle.buzz();
      Bangle.buzz(9000, 7);
      p.then(function () { print("buzzed " + Math.round(getTime() * 1000)); });
    `);
    expect(sim.bangle!.buzzes).toEqual([
      { t: 0, ms: 100, strength: 0.5 },
      { t: 100, ms: 200, strength: 1 },
      { t: 300, ms: 5000, strength: 1 },
    ]);
    sim.advance(150);
    await Promise.resolve();
    expect(sim.output.map((o) => o.line)).toEqual(['true', 'buzzed 150']);
  });

  it('E.showMessage clears the screen and draws the title bar and the message; E.getBattery reads the trace', () => {
    const sim = run(`E.showMessage("Hi", "Title"); print(E.getBattery()); setTimeout(function () { print(E.getBattery()); }, 2000);`, 't,battery\n0,87\n1500,86.6\n');
    sim.advance(2500);
    expect(sim.output.map((o) => o.line)).toEqual(['87', '87']);
    const b = sim.bangle!;
    expect(b.messages).toEqual([{ t: 0, message: 'Hi', title: 'Title' }]);
    // Title bar: cyan (green + blue = 6) from y 0 to 4 + 8; the message's ink is black, the rest white.
    expect(px(sim, 2, 2)).toBe(6);
    expect(px(sim, 2, 12)).toBe(6);
    expect(px(sim, 2, 13)).toBe(WHITE);
    let ink = 0;
    for (let y = 13; y < 176; y++) for (let x = 0; x < 176; x++) if (px(sim, x, y) === BLACK) ink++;
    expect(ink).toBeGreaterThan(20);
    const noTrace = run(`print(E.getBattery())`);
    expect(noTrace.output[0].line).toBe('100');
  });
});

// Written for looking at: a small watch face after a button press and a message, as a PNG and as the
// report, in out/sim/ (like the dev page's screenshots in out/dev/screenshots/).
describe('a screenshot', () => {
  it('writes out/sim/bangle-screen.png and out/sim/bangle-report.html', () => {
    const sim = run(`
      g.clear(); g.setFont("6x8:2").setFontAlign(0, 0).drawString("12:34", 88, 60);
      g.setColor(0, 0, 1).fillRect(20, 90, 155, 100); g.setColor(1, 0, 0).drawLine(20, 110, 155, 130);
      g.setFont("6x8").setColor(0).drawString("tinysense", 88, 150);
      setWatch(function () { Bangle.buzz(100); g.setColor(0, 0.5, 0).fillRect(60, 20, 116, 40); }, BTN1, { repeat: true });
    `, 't,btn1,battery\n0,0,80\n1000,1,80\n1300,0,80\n');
    sim.advance(2000);
    expect(sim.errors).toEqual([]);
    const screen = sim.bangle!.screen.rgba(2);
    mkdirSync(join('out', 'sim'), { recursive: true });
    const png = encodePng(screen.width, screen.height, screen.data);
    writeFileSync(join('out', 'sim', 'bangle-screen.png'), png);
    writeFileSync(join('out', 'sim', 'bangle-report.html'), simulationReport(sim, 'a watch face'));
    expect(Buffer.compare(decodePng(png).data, screen.data)).toBe(0);
    // The press at 1000 ms ran the watch at 1025: a buzz then, and the green box (dithered half green).
    expect(sim.bangle!.buzzes).toEqual([{ t: 1025, ms: 100, strength: 1 }]);
    expect([px(sim, 60, 20), px(sim, 61, 20), px(sim, 60, 21), px(sim, 61, 21)].sort()).toEqual([0, 0, 2, 2]);
  });
});

// The same drawing on Espruino 2v29's own Graphics (the Linux build of RELEASE_2V29, when this machine
// has it): lines, rectangles and clipping pixel for pixel, and every string's inked box. Glyph shapes are
// the simulator's own, so text is compared by where it lands, not by its pixels.
const ESPRUINO_LINUX = process.env.ESPRUINO_LINUX ?? '/work/espruino-build/x86/bin/espruino';
describe.skipIf(!existsSync(ESPRUINO_LINUX))('parity with Espruino 2v29 Graphics (Linux build)', () => {
  const scene = `
    G.setColor(1);
    G.drawLine(20, 10, 30, 13); G.drawLine(5, 100, 9, 60); G.drawLine(170, 2, 100, 30); G.drawLine(50, 50, 50, 50);
    G.fillRect(60, 70, 55, 66); G.drawRect(100, 100, 120, 110); G.fillRect({ x: 130, y: 5, w: 7, h: 3 });
    G.setClipRect(0, 0, 87, 175); G.fillRect(80, 150, 100, 152); G.setClipRect(0, 0, 175, 175);
    G.drawString("Hello\\nworld!", 3, 120);
    G.setFont("6x8:2").setFontAlign(0, 0).drawString("12:34", 88, 88);
    G.setFont("4x6:1x3").setFontAlign(1, 1).drawString("right\\nbottom", 175, 175);
    G.setFont("6x8").setFontAlign(-1, 0).drawString("mid", 0, 40);`;
  const dump = `var out = [], row; for (var y = 0; y < 176; y++) { row = ""; for (var x = 0; x < 176; x++) row += G.getPixel(x, y) ? "1" : "0"; out.push(row); } print("ROWS " + JSON.stringify(out));`;

  it('draws the same pixels (text: the same inked boxes)', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'gfx-')), 'scene.js');
    writeFileSync(file, `var G = Graphics.createArrayBuffer(176, 176, 1); G.clear();${scene}\n${dump}\n`);
    const text = execFileSync(ESPRUINO_LINUX, [file], { encoding: 'latin1', timeout: 20000, input: '' });
    const rows = JSON.parse(/ROWS (\[.*\])/.exec(text)![1]) as string[];
    const real = (x: number, y: number) => rows[y][x] === '1';
    const sim = run(`var G = g; g.clear(); g.setColor(0);${scene.replace('G.setColor(1);', '')}`);
    expect(sim.errors).toEqual([]);
    const ours = (x: number, y: number) => px(sim, x, y) === BLACK;
    // Shapes: every pixel outside the text areas.
    const textAreas = [[0, 118, 30, 133], [52, 78, 124, 98], [130, 130, 175, 175], [0, 34, 20, 46]];
    const inText = (x: number, y: number) => textAreas.some(([x1, y1, x2, y2]) => x >= x1 && x <= x2 && y >= y1 && y <= y2);
    const diff: string[] = [];
    for (let y = 0; y < 176; y++) for (let x = 0; x < 176; x++) if (!inText(x, y) && real(x, y) !== ours(x, y)) diff.push(`${x},${y}`);
    expect(diff).toEqual([]);
    // Text: the box of ink in each area (alignment, scale, line breaks), to the glyphs' extent.
    for (const [x1, y1, x2, y2] of textAreas) {
      const box = (f: (x: number, y: number) => boolean) => {
        const xs: number[] = [];
        const ys: number[] = [];
        for (let y = y1; y <= y2; y++) for (let x = x1; x <= x2; x++) if (f(x, y)) (xs.push(x), ys.push(y));
        return [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)];
      };
      const [a, b] = [box(real), box(ours)];
      // Ours are 3x5 in each cell, Espruino's glyphs sit a pixel either way in theirs: a glyph pixel
      // (2 screen pixels at scale 2) at the left and top, two at the right and bottom.
      expect(Math.abs(b[0] - a[0]), `left of text at ${x1},${y1}: ${b[0]} vs ${a[0]}`).toBeLessThanOrEqual(2);
      expect(Math.abs(b[1] - a[1]), `top of text at ${x1},${y1}: ${b[1]} vs ${a[1]}`).toBeLessThanOrEqual(3);
      expect(Math.abs(b[2] - a[2]), `right of text at ${x1},${y1}: ${b[2]} vs ${a[2]}`).toBeLessThanOrEqual(4);
      expect(Math.abs(b[3] - a[3]), `bottom of text at ${x1},${y1}: ${b[3]} vs ${a[3]}`).toBeLessThanOrEqual(6);
    }
  });
});
