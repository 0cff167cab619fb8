/**
 * Optional minification without a dependency: drops comments and
 * indentation, keeping every token and every line break between tokens.
 * Keeping the line breaks keeps automatic semicolon insertion exactly as it
 * was, which matters on Espruino: it does not insert semicolons the way
 * JavaScript does (EspruinoDocs info/Features.md), so joining lines could
 * change what runs. Names are not mangled. Returns a token-level source map
 * from the minified code to the input, for rollup to chain.
 */
import { tokenizer, tokTypes } from 'acorn';
import { encodeMappings, Segment, SourceMapV3 } from './sourcemap.js';

const WORD = /[A-Za-z0-9_$\\\u0080-\uffff]/;

/** Two tokens written side by side would read differently without a space between them. */
function needsSpace(prev: string, next: string, prevIsNumber: boolean): boolean {
  const a = prev[prev.length - 1];
  const b = next[0];
  if (WORD.test(a) && WORD.test(b)) return true;
  if ((a === '+' || a === '-') && (b === a || (a === '-' && b === '>'))) return true; // a + +b, a - -b, --> comment
  if (a === '/' && (b === '/' || b === '*')) return true; // a / /re/ would start a comment
  if (a === '<' && b === '!') return true; // <!-- comment
  if (a === '?' && b === '.') return true; // a ? .5 : b is not a?.5
  if (prevIsNumber && b === '.') return true; // 1 .toString()
  return false;
}

export interface MinifyResult {
  code: string;
  map: SourceMapV3;
}

export function minify(code: string, fileName: string): MinifyResult {
  const out: string[] = [];
  const lines: Segment[][] = [[]];
  let line = 0;
  let column = 0;
  let prevEnd = 0;
  let prevText = '';
  let prevIsNumber = false;
  for (const token of tokenizer(code, { ecmaVersion: 'latest', locations: true, allowHashBang: true })) {
    if (token.type === tokTypes.eof) break;
    const text = code.slice(token.start, token.end);
    const gap = code.slice(prevEnd, token.start);
    if (prevText !== '') {
      if (/[\n\r\u2028\u2029]/.test(gap)) {
        out.push('\n');
        lines.push([]);
        line++;
        column = 0;
      } else if (gap !== '' && needsSpace(prevText, text, prevIsNumber)) {
        out.push(' ');
        column++;
      }
    }
    const start = token.loc!.start;
    lines[line].push([column, 0, start.line - 1, start.column]);
    out.push(text);
    // Tokens spanning lines (template chunks) move the output position across lines.
    const breaks = text.split(/\r\n|[\n\r\u2028\u2029]/);
    for (let i = 1; i < breaks.length; i++) {
      lines.push([]);
      line++;
    }
    column = breaks.length > 1 ? breaks[breaks.length - 1].length : column + text.length;
    prevEnd = token.end;
    prevText = text;
    prevIsNumber = token.type === tokTypes.num;
  }
  out.push('\n');
  return { code: out.join(''), map: { version: 3, sources: [fileName], names: [], mappings: encodeMappings(lines) } };
}
