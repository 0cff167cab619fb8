/**
 * When is a console input line complete? Espruino executes a line on Enter
 * only when its brackets balance (jsiCountBracketsInInput in
 * src/jsinteractive.c); otherwise it shows the `:` continuation prompt. This
 * is the same count over a small JS scanner, with the same special cases:
 * an unfinished string executes at once (so it can error), an unfinished
 * comment or template literal waits for more input.
 */

/** What the line returns when an unfinished comment or template means "more is coming" (Espruino's value). */
export const UNFINISHED = 1000;

const KEYWORDS_BEFORE_EXPRESSION = new Set(['return', 'typeof', 'instanceof', 'in', 'of', 'new', 'delete', 'void', 'throw', 'case', 'do', 'else', 'yield', 'await']);

/** Open minus close brackets in `source`; <= 0 means Enter executes it. */
export function countBrackets(source: string): number {
  let depth = 0;
  // After a value (name, number, closing bracket) a '/' divides; elsewhere it starts a regular expression.
  let afterValue = false;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '/' && source[i + 1] === '/') {
      const end = source.indexOf('\n', i);
      i = end < 0 ? n : end;
      continue;
    }
    if (c === '/' && source[i + 1] === '*') {
      const end = source.indexOf('*/', i + 2);
      if (end < 0) return UNFINISHED;
      i = end + 2;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = skipQuoted(source, i, c);
      if (end < 0) return 0;
      i = end;
      afterValue = true;
      continue;
    }
    if (c === '`') {
      const end = skipTemplate(source, i);
      if (end < 0) return UNFINISHED;
      i = end;
      afterValue = true;
      continue;
    }
    if (c === '/' && !afterValue) {
      const end = skipRegex(source, i);
      if (end > 0) {
        i = end;
        afterValue = true;
        continue;
      }
    }
    if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let end = i + 1;
      while (end < n && /[A-Za-z0-9_$.\u0080-\uffff]/.test(source[end])) end++;
      afterValue = !KEYWORDS_BEFORE_EXPRESSION.has(source.slice(i, end));
      i = end;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    if (c === ')' || c === ']' || c === '}') {
      depth--;
      // A closing bracket before its opening: execute now so the parser reports it.
      if (depth < 0) return depth;
    }
    afterValue = c === ')' || c === ']' || c === '}';
    i++;
  }
  return depth;
}

/** Index after the closing quote, or -1 when the string does not end on this input. */
function skipQuoted(source: string, start: number, quote: string): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === quote) return i + 1;
    else if (c === '\n') return -1;
  }
  return -1;
}

/** Index after the closing backtick (nested `${...}` included), or -1 when unfinished. */
function skipTemplate(source: string, start: number): number {
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') i++;
    else if (c === '`') return i + 1;
    else if (c === '$' && source[i + 1] === '{') {
      let braces = 1;
      i += 2;
      while (i < source.length && braces > 0) {
        const d = source[i];
        if (d === '{') braces++;
        else if (d === '}') braces--;
        else if (d === '`') {
          const end = skipTemplate(source, i);
          if (end < 0) return -1;
          i = end - 1;
        } else if (d === '"' || d === "'") {
          const end = skipQuoted(source, i, d);
          if (end < 0) return -1;
          i = end - 1;
        }
        i++;
      }
      if (braces > 0) return -1;
      i--;
    }
  }
  return -1;
}

/** Index after a regular expression literal starting at `start`, or -1 when it is not one. */
function skipRegex(source: string, start: number): number {
  let inClass = false;
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (c === '\n') return -1;
    if (c === '\\') i++;
    else if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    else if (c === '/' && !inClass) {
      let end = i + 1;
      while (end < source.length && /[a-z]/.test(source[end])) end++;
      return end;
    }
  }
  return -1;
}
