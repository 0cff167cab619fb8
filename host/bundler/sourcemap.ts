/**
 * The little of source maps (v3) the build needs: decode a map to look up the
 * original position of a bundle position (compat errors name the TypeScript
 * line), and encode the token map of the minifier. Small enough not to need a
 * dependency.
 */

export interface SourceMapV3 {
  version: number;
  file?: string;
  sourceRoot?: string;
  sources: (string | null)[];
  sourcesContent?: (string | null)[];
  names: string[];
  mappings: string;
}

/** [generated column, source index, original line, original column] (all 0-based), or just [generated column]. */
export type Segment = [number] | [number, number, number, number] | [number, number, number, number, number];

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Map([...BASE64].map((c, i) => [c, i]));

function decodeVlqs(text: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const c of text) {
    const digit = BASE64_VALUE.get(c);
    if (digit === undefined) throw new Error(`invalid base64 character ${JSON.stringify(c)} in source map mappings`);
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -Math.floor(value / 2) : Math.floor(value / 2));
      value = 0;
      shift = 0;
    }
  }
  return out;
}

function encodeVlq(n: number): string {
  let v = n < 0 ? -n * 2 + 1 : n * 2;
  let out = '';
  do {
    let digit = v & 31;
    v = Math.floor(v / 32);
    if (v > 0) digit |= 32;
    out += BASE64[digit];
  } while (v > 0);
  return out;
}

/** Decodes `mappings` into segments per generated line, with absolute values. */
export function decodeMappings(mappings: string): Segment[][] {
  const lines: Segment[][] = [];
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  for (const lineText of mappings.split(';')) {
    const segments: Segment[] = [];
    let generated = 0;
    for (const segText of lineText.split(',')) {
      if (segText === '') continue;
      const v = decodeVlqs(segText);
      generated += v[0];
      if (v.length >= 4) {
        source += v[1];
        line += v[2];
        column += v[3];
        if (v.length >= 5) {
          name += v[4];
          segments.push([generated, source, line, column, name]);
        } else {
          segments.push([generated, source, line, column]);
        }
      } else {
        segments.push([generated]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** Encodes segments per generated line (absolute values, sorted by column) into `mappings`. */
export function encodeMappings(lines: Segment[][]): string {
  let source = 0;
  let line = 0;
  let column = 0;
  let name = 0;
  return lines
    .map((segments) => {
      let generated = 0;
      return segments
        .map((s) => {
          let text = encodeVlq(s[0] - generated);
          generated = s[0];
          if (s.length !== 1) {
            text += encodeVlq(s[1] - source) + encodeVlq(s[2] - line) + encodeVlq(s[3] - column);
            source = s[1];
            line = s[2];
            column = s[3];
            if (s.length === 5) {
              text += encodeVlq(s[4] - name);
              name = s[4];
            }
          }
          return text;
        })
        .join(',');
    })
    .join(';');
}

export interface OriginalPosition {
  source: string;
  /** 1-based. */
  line: number;
  /** 0-based. */
  column: number;
}

/** Looks up original positions in one decoded map. */
export class SourceMapLookup {
  private readonly lines: Segment[][];

  constructor(private readonly map: SourceMapV3) {
    this.lines = decodeMappings(map.mappings);
  }

  /**
   * The original position of generated `line` (1-based) and `column`
   * (0-based): the last mapped segment at or before the column on that line,
   * else the first mapped segment after it.
   */
  original(line: number, column: number): OriginalPosition | undefined {
    const segments = this.lines[line - 1];
    if (!segments) return undefined;
    let best: Segment | undefined;
    for (const s of segments) {
      if (s.length === 1) continue;
      if (s[0] <= column) best = s;
      else {
        best ??= s;
        break;
      }
    }
    if (!best || best.length === 1) return undefined;
    const source = this.map.sources[best[1]];
    if (source === null || source === undefined) return undefined;
    return { source: (this.map.sourceRoot ?? '') + source, line: best[2] + 1, column: best[3] };
  }
}
