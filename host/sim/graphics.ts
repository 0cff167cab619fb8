/**
 * Bangle.js 2's screen and its `g` (Graphics) for the simulator, with the semantics of Espruino 2v29
 * (libs/graphics/jswrap_graphics.c, graphics.c, lcd_memlcd.c; read for facts, nothing copied):
 *
 * - `g` takes colours as 16-bit RGB565 (getBPP() is 16; lcdMemLCD_init sets bpp 16 "even though we only
 *   use 3"); setColor(r,g,b) with 0..1 floats makes (b*256>>3) | (g*256>>2)<<5 | (r*256>>3)<<11, each
 *   channel clamped to 255; an integer is masked to 16 bits; '#rgb' and '#rrggbb' strings work as there.
 * - The LPM013M126 LCD stores 3 bits a pixel (bit 0 red, 1 green, 2 blue): each pixel written is the
 *   RGB565 colour's top bits plus a 2x2 Bayer dither (lcdMemLCD_convert16toLCD), so mid colours dither.
 * - The theme of a 3-bit Bangle.js 2 (jswrap_banglejs_setTheme): fg black, bg white, fgH black, bgH cyan.
 *   The screen starts black (the LCD buffer is zeroed) until the app clears it.
 * - Fonts: the bitmap fonts "4x6" (the default) and "6x8" with scales ("6x8:2", "4x6:1x2"): a
 *   character cell is 4x6 or 6x8 pixels times the scale, as stringWidth() and getFontHeight() say.
 *   The glyph shapes are the simulator's own 3x5 pixels (Espruino's font tables are not copied),
 *   so a glyph's pixels differ from the watch's while every string's position and size match.
 *   Other fonts (Vector, 12x20, ...) throw: not emulated.
 * - setFontAlign(x, y): -1 left/top (default), 0 centre, 1 right/bottom, with jswrap_graphics_drawString's
 *   integer arithmetic (width * (align + 1) / 2 truncated); a newline starts a line fontHeight lower.
 * - drawLine is graphicsDrawLine's 8.8 fixed-point stepping along the longer axis; rectangles are
 *   inclusive of both corners and clipped to the screen (and setClipRect).
 */

export const SCREEN_WIDTH = 176;
export const SCREEN_HEIGHT = 176;

/** 3x5 glyphs for ' ' (32) to '~' (126): 15 bits, rows top first, 3 bits a row (bit 2 the left column). */
const GLYPHS = [0x0000,0x2482,0x5a00,0x5f7d,0x3c9e,0x42a1,0x2aab,0x2400,0x1491,0x4494,0x0aa8,0x05d0,0x0014,0x01c0,0x0002,0x12a4,0x7b6f,0x2c97,0x62a7,0x628e,0x5bc9,0x798e,0x39ef,0x7292,0x7bef,0x7bce,0x0410,0x0414,0x1511,0x0e38,0x4454,0x6282,0x7b63,0x2bed,0x6bae,0x3923,0x6b6e,0x79a7,0x79a4,0x396b,0x5bed,0x7497,0x126a,0x5bad,0x4927,0x5fed,0x6b6d,0x2b6a,0x6ba4,0x2b73,0x6bad,0x388e,0x7492,0x5b6f,0x5b52,0x5bfd,0x5aad,0x5a92,0x72a7,0x6926,0x4889,0x324b,0x2a00,0x0007,0x4400,0x076b,0x4d6e,0x0723,0x176b,0x05e3,0x15d2,0x075e,0x4d6d,0x2092,0x106a,0x4bb5,0x6497,0x0fed,0x0d6d,0x056a,0x0d74,0x0759,0x0724,0x079e,0x2e91,0x0b6b,0x0b52,0x0bfd,0x0a95,0x0b5e,0x0ef7,0x3513,0x2492,0x6456,0x0780];

/** BAYER2 of lcd_memlcd.c: the value added to each of the three channels' top bits, by (y & 1, x & 1). */
const BAYER = [
  [1, 5],
  [7, 3],
];
const bayer = (b: number) => (b << 13) | (b << 8) | (b << 2);

/** The 3-bit LCD value (bit 0 red, 1 green, 2 blue) an RGB565 colour becomes at (x, y). */
export function lcdValue(color: number, x: number, y: number): number {
  const c = (color & 0b1110011100011100) + bayer(BAYER[y & 1][x & 1]);
  return (c & 0x10000 ? 1 : 0) | (c & 0x00800 ? 2 : 0) | (c & 0x00020 ? 4 : 0);
}

/** The RGB565 colour g.getPixel() gives for a 3-bit LCD value (lcdMemLCD_getPixel). */
export function lcdTo565(v: number): number {
  return (v & 1 ? 0xf800 : 0) | (v & 2 ? 0x07e0 : 0) | (v & 4 ? 0x001f : 0);
}

/** RGB of a 3-bit LCD value (each channel fully on or off), for images of the screen. */
export function lcdRgb(v: number): [number, number, number] {
  return [v & 1 ? 255 : 0, v & 2 ? 255 : 0, v & 4 ? 255 : 0];
}

/** jswrap_graphics_toColor for a 16-bit Graphics: throws what Espruino throws for a bad string. */
export function toColor565(r: unknown, g?: unknown, b?: unknown): number {
  let rf: number;
  let gf: number;
  let bf: number;
  if (typeof r === 'string') {
    const hex = (s: string) => (/^[0-9a-fA-F]+$/.test(s) ? parseInt(s, 16) : NaN);
    if (/^#[0-9a-fA-F]{3}$/.test(r)) [rf, gf, bf] = [1, 2, 3].map((i) => hex(r[i]) / 15);
    else if (/^#[0-9a-fA-F]{6}$/.test(r)) [rf, gf, bf] = [1, 3, 5].map((i) => hex(r.slice(i, i + 2)) / 255);
    else throw new Error("If Color is a String, it must be of the form '#rrggbb' or '#rgb'");
  } else if (g === undefined && b === undefined) {
    return (Number(r) | 0) & 0xffff;
  } else {
    [rf, gf, bf] = [Number(r), Number(g), Number(b)];
  }
  if (![rf, gf, bf].every(Number.isFinite)) return (Number(r) | 0) & 0xffff;
  const c = (f: number) => Math.min(255, Math.max(0, Math.trunc(f * 256)));
  const [ri, gi, bi] = [c(rf), c(gf), c(bf)];
  return (bi >> 3) | ((gi >> 2) << 5) | ((ri >> 3) << 11);
}

export interface FontState {
  name: '4x6' | '6x8';
  scaleX: number;
  scaleY: number;
}

/** Parses a setFont name as jswrap_graphics_setFont does for the bitmap fonts: "6x8", "6x8:2", "4x6:1x2". */
export function parseFont(name: unknown, size?: unknown): FontState {
  const text = name === undefined ? '4x6' : String(name);
  const colon = text.indexOf(':');
  const base = colon < 0 ? text : text.slice(0, colon);
  let scaleX = size === undefined ? 1 : Math.trunc(Number(size)) || 0;
  let scaleY = scaleX;
  if (colon >= 0) {
    const spec = text.slice(colon + 1);
    const x = spec.indexOf('x');
    if (x >= 0) {
      scaleX = Math.min(63, Math.max(0, Math.trunc(Number(spec.slice(0, x))) || 0));
      scaleY = Math.min(63, Math.max(0, Math.trunc(Number(spec.slice(x + 1))) || 0));
    } else scaleX = scaleY = Math.trunc(Number(spec)) || 0;
  }
  scaleX = Math.max(1, scaleX);
  scaleY = Math.max(1, scaleY);
  if (base === '' || base === '4x6') return { name: '4x6', scaleX, scaleY };
  if (base === '6x8') return { name: '6x8', scaleX, scaleY };
  if (['Vector', '6x15', '12x20', '14', '17', '22', '28'].includes(base)) {
    throw new Error(`g.setFont("${text}"): the ${base} font exists on Bangle.js 2 but is not emulated by the tinysense simulator (use "4x6" or "6x8", with a scale such as "6x8:2")`);
  }
  throw new Error(`Unknown font ${JSON.stringify(base)}`);
}

const CELL = { '4x6': { w: 4, h: 6, dx: 0, dy: 0 }, '6x8': { w: 6, h: 8, dx: 1, dy: 1 } } as const;

/** One recorded drawing call. */
export interface DrawCall {
  t: number;
  call: string;
  args: unknown[];
}

/** The LCD: one 3-bit value per pixel, row by row. */
export class Screen {
  readonly width = SCREEN_WIDTH;
  readonly height = SCREEN_HEIGHT;
  readonly pixels = new Uint8Array(SCREEN_WIDTH * SCREEN_HEIGHT);

  at(x: number, y: number): number {
    return this.pixels[y * this.width + x];
  }

  /** RGBA bytes of the screen, each pixel `scale` x `scale`. */
  rgba(scale = 1): { width: number; height: number; data: Uint8Array } {
    const w = this.width * scale;
    const h = this.height * scale;
    const data = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [r, g, b] = lcdRgb(this.at(Math.floor(x / scale), Math.floor(y / scale)));
        const o = (y * w + x) * 4;
        data[o] = r;
        data[o + 1] = g;
        data[o + 2] = b;
        data[o + 3] = 255;
      }
    }
    return { width: w, height: h, data };
  }
}

export const THEME = { fg: 0x0000, bg: 0xffff, fg2: 0x0000, bg2: 0xbfff, fgH: 0x0000, bgH: 0x07ff, dark: false };

/** The drawing state and operations behind `g` (graphicsStructResetState's defaults). */
export class GraphicsState {
  fg = THEME.fg;
  bg = THEME.bg;
  font: FontState = { name: '4x6', scaleX: 1, scaleY: 1 };
  alignX = -1;
  alignY = -1;
  clip = { x1: 0, y1: 0, x2: SCREEN_WIDTH - 1, y2: SCREEN_HEIGHT - 1 };
  /** Pixels written since the start (a cheap "did the app draw" figure). */
  pixelsWritten = 0;

  constructor(readonly screen: Screen) {}

  reset(): void {
    this.fg = THEME.fg;
    this.bg = THEME.bg;
    this.font = { name: '4x6', scaleX: 1, scaleY: 1 };
    this.alignX = -1;
    this.alignY = -1;
    this.clip = { x1: 0, y1: 0, x2: SCREEN_WIDTH - 1, y2: SCREEN_HEIGHT - 1 };
  }

  setPixel(x: number, y: number, color: number): void {
    if (x < this.clip.x1 || y < this.clip.y1 || x > this.clip.x2 || y > this.clip.y2) return;
    this.screen.pixels[y * SCREEN_WIDTH + x] = lcdValue(color, x, y);
    this.pixelsWritten++;
  }

  /** Inclusive of both corners, in any order, clipped. */
  fillRect(x1: number, y1: number, x2: number, y2: number, color: number): void {
    if (x1 > x2) [x1, x2] = [x2, x1];
    if (y1 > y2) [y1, y2] = [y2, y1];
    x1 = Math.max(x1, this.clip.x1);
    y1 = Math.max(y1, this.clip.y1);
    x2 = Math.min(x2, this.clip.x2);
    y2 = Math.min(y2, this.clip.y2);
    for (let y = y1; y <= y2; y++) for (let x = x1; x <= x2; x++) this.setPixel(x, y, color);
  }

  /** graphicsDrawLine: 8.8 fixed point along the longer axis, rounding by +128. */
  drawLine(x1: number, y1: number, x2: number, y2: number): void {
    let xl = Math.abs(x2 - x1);
    let yl = Math.abs(y2 - y1);
    if (xl > yl) {
      if (x1 > x2) [x1, x2, y1, y2] = [x2, x1, y2, y1];
      else if (xl === 0) xl = 1;
      let pos = (y1 << 8) + 128;
      const step = Math.trunc(((y2 - y1) << 8) / xl);
      for (let x = x1; x <= x2; x++) {
        this.setPixel(x, pos >> 8, this.fg);
        pos += step;
      }
    } else {
      if (y1 > y2) [x1, x2, y1, y2] = [x2, x1, y2, y1];
      else if (yl === 0) yl = 1;
      let pos = (x1 << 8) + 128;
      const step = Math.trunc(((x2 - x1) << 8) / yl);
      for (let y = y1; y <= y2; y++) {
        this.setPixel(pos >> 8, y, this.fg);
        pos += step;
      }
    }
  }

  charWidth(): number {
    return CELL[this.font.name].w * this.font.scaleX;
  }

  fontHeight(): number {
    return CELL[this.font.name].h * this.font.scaleY;
  }

  /** Width of the longest line of `text` (stringWidth), from `from` to the next newline when given. */
  stringWidth(text: string, from?: number): number {
    const lines = from === undefined ? text.split('\n') : [text.slice(from).split('\n')[0]];
    return Math.max(0, ...lines.map((l) => [...l].length * this.charWidth()));
  }

  drawString(value: unknown, x0: number, y0: number, solid: boolean): void {
    const text = String(value);
    const height = this.fontHeight();
    let x = x0;
    let y = y0;
    const lineStart = (from: number) => (this.alignX === -1 ? x0 : x0 - Math.trunc((this.stringWidth(text, from) * (this.alignX + 1)) / 2));
    x = lineStart(0);
    if (this.alignY !== -1) y -= Math.trunc((text.split('\n').length * height * (this.alignY + 1)) / 2);
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 10) {
        x = lineStart(i + 1);
        y += height;
        continue;
      }
      this.drawChar(ch, x, y, solid);
      x += this.charWidth();
    }
  }

  private drawChar(ch: number, x: number, y: number, solid: boolean): void {
    const cell = CELL[this.font.name];
    const { scaleX: sx, scaleY: sy } = this.font;
    if (solid) this.fillRect(x, y, x + cell.w * sx - 1, y + cell.h * sy - 1, this.bg);
    const bits = ch >= 32 && ch <= 126 ? GLYPHS[ch - 32] : 0;
    for (let row = 0; row < 5; row++) {
      for (let col = 0; col < 3; col++) {
        if (!(bits & (1 << ((4 - row) * 3 + (2 - col))))) continue;
        const px = x + (cell.dx + col) * sx;
        const py = y + (cell.dy + row) * sy;
        this.fillRect(px, py, px + sx - 1, py + sy - 1, this.fg);
      }
    }
  }
}
