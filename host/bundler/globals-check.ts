/**
 * The build's globals check: an app that uses a global the target board lacks (Bangle in a Jolt.js
 * build, E in a JerryScript build) is refused, naming the global, where it is used, the boards that
 * have it and the target. The type check alone would not do: `declare var Bangle: any` in the app, or
 * --no-typecheck, silences it, and the bundle then fails on the board with a ReferenceError.
 *
 * Each module of the app (not the device API's own sources, which test for the engine at run time, nor
 * the Espruino helpers) is parsed after TypeScript has compiled it; every identifier that reads a
 * variable no enclosing scope declares is a global, and a global that another board defines
 * (globals.ts knownGlobals) and the target does not is reported with its position in the original
 * source. `typeof X` is a feature test and is allowed.
 *
 * Opt-out for prototyping: "allowMissingGlobals": true in tinysense.json (TinysenseOptions.missingGlobals
 * 'warn'): the same findings are warnings.
 */
import { relative, sep } from 'node:path';
import type { Plugin, RollupLog, TransformPluginContext } from 'rollup';
import type { Board } from './boards.js';
import { boardLabel, missingGlobalMessage, missingGlobals } from './globals.js';
import { SourceMapLookup, type SourceMapV3 } from './sourcemap.js';

/** An ESTree node as rollup's parser gives it (acorn's shape). */
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    if (Array.isArray(value)) for (const c of value) { if (isNode(c)) out.push(c); }
    else if (isNode(value)) out.push(value);
  }
  return out;
}

const FUNCTIONS = new Set(['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression']);

/** The names a binding pattern declares. */
function patternNames(pattern: Node | null | undefined, into: Set<string>): void {
  if (!pattern) return;
  switch (pattern.type) {
    case 'Identifier':
      into.add(pattern.name as string);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties as Node[]) patternNames(p.type === 'RestElement' ? p : (p.value as Node), into);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements as (Node | null)[]) patternNames(e, into);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left as Node, into);
      break;
    case 'RestElement':
      patternNames(pattern.argument as Node, into);
      break;
  }
}

/**
 * The names declared in a function's body or the program, nested functions' own bodies excluded. Block
 * scoping is folded into the function (a name declared in any block counts for the whole function):
 * that can only miss a use, never report one that is not there.
 */
function declaredIn(body: Node, into: Set<string>): Set<string> {
  const visit = (node: Node): void => {
    switch (node.type) {
      case 'VariableDeclarator':
        patternNames(node.id as Node, into);
        break;
      case 'FunctionDeclaration':
      case 'ClassDeclaration':
        if (node.id) into.add((node.id as Node).name as string);
        break;
      case 'CatchClause':
        patternNames(node.param as Node | null, into);
        break;
      case 'ImportSpecifier':
      case 'ImportDefaultSpecifier':
      case 'ImportNamespaceSpecifier':
        into.add((node.local as Node).name as string);
        break;
    }
    if (FUNCTIONS.has(node.type)) return;
    for (const c of children(node)) visit(c);
  };
  for (const c of children(body)) visit(c);
  return into;
}

/** An identifier that reads or writes a variable (not a property name, label, or declared name). */
function isReference(node: Node, parent: Node | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === node || parent.computed === true;
    case 'Property':
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent.value === node || parent.computed === true;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'ImportSpecifier':
    case 'ImportDefaultSpecifier':
    case 'ImportNamespaceSpecifier':
    case 'ExportSpecifier':
    case 'MetaProperty':
      return false;
    case 'VariableDeclarator':
      return parent.init === node;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassDeclaration':
    case 'ClassExpression':
      return parent.id !== node && !(parent.params as Node[] | undefined)?.includes(node);
    case 'UnaryExpression':
      return parent.operator !== 'typeof';
    default:
      return true;
  }
}

/** A free reference: a global the code reads, at an offset of the code. */
export interface GlobalUse {
  name: string;
  start: number;
}

/** The globals a module's code reads (`typeof X` excepted), in order of appearance. */
export function freeReferences(program: Node): GlobalUse[] {
  const uses: GlobalUse[] = [];
  const walk = (node: Node, parent: Node | undefined, scopes: Set<string>[]): void => {
    if (node.type === 'Identifier') {
      const name = node.name as string;
      if (isReference(node, parent) && !scopes.some((s) => s.has(name))) uses.push({ name, start: node.start });
      return;
    }
    let inner = scopes;
    if (FUNCTIONS.has(node.type) || node.type === 'ClassExpression') {
      const own = new Set<string>(['arguments']);
      if (node.type !== 'FunctionDeclaration' && node.id) own.add((node.id as Node).name as string);
      for (const p of (node.params as Node[] | undefined) ?? []) patternNames(p, own);
      if (node.body && FUNCTIONS.has(node.type)) declaredIn(node.body as Node, own);
      inner = [...scopes, own];
    }
    for (const c of children(node)) walk(c, node, inner);
  };
  walk(program, undefined, [declaredIn(program, new Set())]);
  return uses;
}

/** 1-based line and 0-based column of an offset. */
function lineColumn(code: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = code.indexOf('\n'); i !== -1 && i < offset; i = code.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: offset - lineStart };
}

export interface GlobalsCheckOptions {
  /** Modules not checked (the device API's sources, the Espruino helpers). */
  skip(id: string): boolean;
  /** 'error' (default): fail the build; 'warn': warnings (tinysense.json "allowMissingGlobals"). */
  mode?: 'error' | 'warn';
}

/** A TypeScript "Cannot find name 'X'" (TS2304, or TS2552 with a suggestion) for a global of another board. */
const CANNOT_FIND = /Cannot find name '([A-Za-z_$][\w$]*)'/;

export interface GlobalsCheck {
  /** The rollup plugin that looks at every app module. */
  plugin: Plugin;
  /**
   * At the end of the build (the tinysense plugin's buildEnd, which joins it with the type errors):
   * the error when the app uses globals the board lacks, else undefined (none, or mode 'warn').
   */
  failure(): string | undefined;
  /**
   * True for a TypeScript diagnostic this check reports itself, better ("Cannot find name 'Bangle'" in
   * a Jolt.js build): the type check leaves it out.
   */
  covers(log: RollupLog): boolean;
}

export function globalsCheck(board: Board, options: GlobalsCheckOptions): GlobalsCheck {
  const missing = missingGlobals(board);
  let problems: string[] = [];
  /** The missing globals used, for the message's grammar. */
  let names = new Set<string>();
  const plugin: Plugin = {
    name: 'tinysense-globals',
    buildStart() {
      problems = [];
      names = new Set();
    },
    transform: {
      order: 'post',
      handler(this: TransformPluginContext, code, id) {
        if (id.startsWith('\0') || options.skip(id)) return null;
        let program: Node;
        try {
          program = this.parse(code) as unknown as Node;
        } catch {
          return null; // not JavaScript (a JSON module ...): another plugin's error, if any
        }
        const uses = freeReferences(program).filter((u) => missing.has(u.name));
        if (uses.length === 0) return null;
        const map = this.getCombinedSourcemap() as unknown as SourceMapV3;
        const lookup = map.mappings ? new SourceMapLookup(map) : undefined;
        for (const use of uses) {
          const at = lineColumn(code, use.start);
          const original = lookup?.original(at.line, at.column);
          const where = original ? `${original.line}:${original.column + 1}` : `${at.line}:${at.column + 1}`;
          const line = `${relative(process.cwd(), id).split(sep).join('/')}:${where}: ${missingGlobalMessage(use.name, board, missing.get(use.name)!)}`;
          if (!problems.includes(line)) problems.push(line);
          names.add(use.name);
        }
        return null;
      },
    },
    // Allowed ("allowMissingGlobals"): warnings, which the build report lists.
    buildEnd(error) {
      if (error || options.mode !== 'warn') return;
      for (const p of problems) this.warn(`${p} (allowed: "allowMissingGlobals" in tinysense.json)`);
      problems = [];
    },
  };
  return {
    plugin,
    failure() {
      if (problems.length === 0 || options.mode === 'warn') return undefined;
      const found = problems;
      const several = names.size > 1;
      problems = [];
      names = new Set();
      return `the app uses ${several ? 'globals' : 'a global'} that ${boardLabel(board)} does not have ` +
        `(set "allowMissingGlobals": true in tinysense.json to build anyway, while prototyping):\n  ${found.join('\n  ')}`;
    },
    covers(log) {
      if (log.plugin !== 'typescript' || (log.pluginCode !== 'TS2304' && log.pluginCode !== 'TS2552')) return false;
      const name = CANNOT_FIND.exec(log.message)?.[1];
      return name !== undefined && missing.has(name);
    },
  };
}
