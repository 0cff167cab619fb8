/**
 * Function hoisting, done at build time for Espruino.
 *
 * JavaScript defines every function declaration of a scope before the
 * scope's first statement runs; Espruino defines it when its statement is
 * reached (EspruinoDocs info/Features.md "Function Hoisting: -"; src/jsparse.c
 * jspeStatementFunctionDecl). TypeScript's ES5 class emit depends on
 * hoisting:
 *
 *   var Rect = (function (_super) {
 *       __extends(Rect, _super);      // Rect is still undefined on Espruino:
 *       function Rect(w, h) { ... }   // "TypeError: Can't extend undefined"
 *
 * and so does any code calling a function declared further down. This pass
 * moves the function declarations of every scope (the program and each
 * function body) to the top of that scope, after its directives, keeping
 * their order: the same definitions JavaScript makes at scope entry.
 * Function declarations inside blocks are left where they are (their
 * JavaScript semantics are block-level). The source map maps every token to
 * where it was, for rollup to chain.
 */
import { parse, tokenizer, type AnyNode, type Program, type Statement } from 'acorn';
import { encodeMappings, Segment, SourceMapV3 } from './sourcemap.js';

interface Move {
  start: number;
  end: number;
  /** Where the declaration goes: the start of the scope's first other statement. */
  insertAt: number;
  /** Insert ';' where the declaration was, if the statement before it might run on into the next. */
  needsSemicolon: boolean;
}

function isDirective(s: Statement | AnyNode): boolean {
  return s.type === 'ExpressionStatement' && typeof (s as { directive?: unknown }).directive === 'string';
}

/** The moves one scope's statement list needs. */
function scopeMoves(body: (Statement | AnyNode)[], code: string, moves: Move[]): void {
  let lead = 0;
  while (lead < body.length && (isDirective(body[lead]) || body[lead].type === 'FunctionDeclaration')) lead++;
  if (lead === body.length) return;
  const insertAt = body[lead].start;
  for (let i = lead + 1; i < body.length; i++) {
    const s = body[i];
    if (s.type !== 'FunctionDeclaration') continue;
    const before = code[body[i - 1].end - 1];
    moves.push({ start: s.start, end: s.end, insertAt, needsSemicolon: before !== ';' && before !== '}' });
  }
}

function forEachChild(node: AnyNode, fn: (child: AnyNode) => void): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    if (Array.isArray(value)) {
      for (const c of value) if (c && typeof (c as { type?: unknown }).type === 'string') fn(c as AnyNode);
    } else if (value && typeof (value as { type?: unknown }).type === 'string') {
      fn(value as AnyNode);
    }
  }
}

function collectMoves(program: Program, code: string): Move[] {
  const moves: Move[] = [];
  const visit = (node: AnyNode): void => {
    if (node.type === 'Program') scopeMoves(node.body, code, moves);
    else if ((node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression') && node.body.type === 'BlockStatement') {
      scopeMoves(node.body.body, code, moves);
    }
    forEachChild(node, visit);
  };
  visit(program);
  return moves;
}

/** Builds output from slices of the input, with a token-level source map back to the input. */
class SliceWriter {
  private readonly out: string[] = [];
  private readonly lines: Segment[][] = [[]];
  private line = 0;
  private column = 0;
  private token = 0;

  constructor(
    private readonly code: string,
    /** Token starts of the input with their 0-based line and column, sorted. */
    private readonly tokens: { start: number; line: number; column: number }[],
  ) {}

  private advance(text: string): void {
    const parts = text.split(/\r\n|[\n\r\u2028\u2029]/);
    for (let i = 1; i < parts.length; i++) this.lines.push([]);
    this.line += parts.length - 1;
    this.column = parts.length > 1 ? parts[parts.length - 1].length : this.column + text.length;
  }

  /** Appends input[from, to), mapping each token that starts inside it. */
  slice(from: number, to: number): void {
    if (to <= from) return;
    // Tokens are visited in input order only within a slice; find the first one of this slice.
    let lo = 0;
    let hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid].start < from) lo = mid + 1;
      else hi = mid;
    }
    let at = from;
    for (this.token = lo; this.token < this.tokens.length && this.tokens[this.token].start < to; this.token++) {
      const t = this.tokens[this.token];
      this.write(this.code.slice(at, t.start));
      this.lines[this.line].push([this.column, 0, t.line, t.column]);
      at = t.start;
    }
    this.write(this.code.slice(at, to));
  }

  write(text: string): void {
    this.out.push(text);
    this.advance(text);
  }

  result(fileName: string): { code: string; map: SourceMapV3 } {
    return { code: this.out.join(''), map: { version: 3, sources: [fileName], names: [], mappings: encodeMappings(this.lines) } };
  }
}

export interface HoistResult {
  code: string;
  map: SourceMapV3;
  /** Function declarations moved. */
  moved: number;
}

/** Hoists function declarations in a script; null when nothing needs to move. */
export function hoistFunctionDeclarations(code: string, fileName: string): HoistResult | null {
  const program = parse(code, { ecmaVersion: 'latest', sourceType: 'script', allowHashBang: true });
  const moves = collectMoves(program, code);
  if (moves.length === 0) return null;

  const tokens: { start: number; line: number; column: number }[] = [];
  for (const t of tokenizer(code, { ecmaVersion: 'latest', locations: true, allowHashBang: true })) {
    tokens.push({ start: t.start, line: t.loc!.start.line - 1, column: t.loc!.start.column });
  }
  const byInsert = new Map<number, Move[]>();
  for (const m of moves) byInsert.set(m.insertAt, [...(byInsert.get(m.insertAt) ?? []), m]);
  const byStart = new Map(moves.map((m) => [m.start, m]));
  const positions = [...new Set([...byInsert.keys(), ...byStart.keys()])].sort((a, b) => a - b);

  const writer = new SliceWriter(code, tokens);
  /** Writes input[from, to) with the moves inside it applied (moved declarations are written recursively). */
  const emit = (from: number, to: number, self?: Move): void => {
    let pos = from;
    for (const p of positions) {
      if (p < pos || p >= to) continue;
      const inserted = byInsert.get(p);
      const found = byStart.get(p);
      const removed = found !== self ? found : undefined;
      writer.slice(pos, p);
      pos = p;
      if (inserted) {
        for (const m of inserted) {
          emit(m.start, m.end, m);
          writer.write('\n');
        }
      }
      if (removed) {
        if (removed.needsSemicolon) writer.write(';');
        pos = removed.end;
      }
    }
    writer.slice(pos, to);
  };
  emit(0, code.length);
  return { ...writer.result(fileName), moved: moves.length };
}
