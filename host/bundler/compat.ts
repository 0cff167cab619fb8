/**
 * Engine compatibility check of a built bundle: parses what will run on the
 * board and rejects every construct the engine lacks, naming the original
 * TypeScript file and line through the bundle's source map.
 *
 * Every Espruino rule names what it checked in Espruino's own source (git tag
 * RELEASE_2V29 of github.com/espruino/Espruino) or its feature list
 * (EspruinoDocs info/Features.md). The bundle is TypeScript down-levelled to
 * ES5, so most syntax rules fire only for plain JavaScript that reached the
 * bundle untransformed (a .js dependency) or hand-written code; the API rules
 * (Map, Math.imul, X.prototype.method ...) matter for every app, because
 * down-levelling does not polyfill.
 */
import { parse, type AnyNode, type Identifier, type Program, type Statement } from 'acorn';
import type { SourceMapV3 } from './sourcemap.js';
import { OriginalPosition, SourceMapLookup } from './sourcemap.js';
import type { EngineName } from './boards.js';
import { BUILTIN_CONSTRUCTORS, FUNCTION_MEMBERS, MISSING_GLOBALS, STATICS, methodsOnNoType } from '../engines/espruino-2v29.js';

export type Severity = 'error' | 'warning';

type NodeOf<T extends AnyNode['type']> = Extract<AnyNode, { type: T }>;
type Visitors = { [T in AnyNode['type']]?: (node: NodeOf<T>, ctx: RuleContext) => void };

export interface CompatRule {
  id: string;
  severity: Severity;
  /** What the rule rejects. */
  what: string;
  /** Why the engine cannot run it, naming the source that says so. */
  why: string;
  visit: Visitors;
}

export interface CompatIssue {
  rule: string;
  severity: Severity;
  message: string;
  /** Position in the bundle (line 1-based, column 0-based). */
  line: number;
  column: number;
  /** Position in the original source, when the bundle has a source map. */
  original?: OriginalPosition;
}

export interface CompatResult {
  engine: EngineName;
  issues: CompatIssue[];
  errors: CompatIssue[];
  warnings: CompatIssue[];
  /** No errors (warnings allowed). */
  ok: boolean;
}

export interface CompatOptions {
  /** The bundle's source map: issues then name the original file and line. */
  map?: SourceMapV3;
}

/** What a rule sees while the bundle is walked. */
export interface RuleContext {
  code: string;
  /** Ancestors of the visited node, nearest last. */
  ancestors: AnyNode[];
  /** Every name declared anywhere in the bundle (a declared `Map` is the app's own, not the missing global). */
  declared: Set<string>;
  /** Member paths assigned anywhere in the bundle ("Math.imul", "Array.prototype.flat"): polyfills. */
  assignedMembers: Set<string>;
  report(node: AnyNode, message: string): void;
}

// ---------------------------------------------------------------------------------------------
// Espruino 2v29 built-ins. Each list is what a JSON block in src/jswrap_*.c declares; what is
// not listed does not exist on the board.

/** Globals that do not exist (no "class"/"function"/"variable" block in src/jswrap_*.c). */
// What Espruino lacks, derived from host/engines/espruino-2v29.ts (the simulator's profile reads it too).
export const ESPRUINO_MISSING_GLOBALS: readonly string[] = MISSING_GLOBALS;
/** Static members that exist, per built-in. */
export const ESPRUINO_STATICS: Readonly<Record<string, readonly string[]>> = STATICS;
/** Constructors whose built-in methods are looked up by value type, not through X.prototype. */
export const ESPRUINO_BUILTIN_CONSTRUCTORS: readonly string[] = BUILTIN_CONSTRUCTORS;
/**
 * Instance methods no Espruino built-in type has. A warning: the receiver's type is unknown in the
 * bundle and an app object may define a method of the same name.
 */
export const ESPRUINO_MISSING_METHODS: readonly string[] = methodsOnNoType();

// ---------------------------------------------------------------------------------------------
// Helpers over the AST.

function isNode(v: unknown): v is AnyNode {
  return typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string';
}

function forEachChild(node: AnyNode, fn: (child: AnyNode) => void): void {
  for (const [key, value] of Object.entries(node)) {
    if (key === 'loc') continue;
    if (Array.isArray(value)) {
      for (const c of value) if (isNode(c)) fn(c);
    } else if (isNode(value)) {
      fn(value);
    }
  }
}

function parentOf(ctx: RuleContext): AnyNode | undefined {
  return ctx.ancestors[ctx.ancestors.length - 1];
}

/** An identifier that reads or writes a variable (not a property name, label or declaration). */
function isReference(node: Identifier, parent: AnyNode | undefined): boolean {
  if (!parent) return true;
  switch (parent.type) {
    case 'MemberExpression':
      return parent.object === node || parent.computed;
    case 'Property':
      return parent.value === node || parent.computed;
    case 'MethodDefinition':
    case 'PropertyDefinition':
      return parent.key !== node || parent.computed;
    case 'LabeledStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'MetaProperty':
      return false;
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
      return !parent.params.includes(node) && parent.id !== node;
    case 'VariableDeclarator':
      return parent.init === node;
    case 'ClassDeclaration':
    case 'ClassExpression':
      return parent.superClass === node;
    case 'CatchClause':
      return false;
    default:
      return true;
  }
}

/** "a.b.c" for a chain of non-computed member accesses on an identifier, else undefined. */
function memberPath(node: AnyNode): string | undefined {
  if (node.type === 'Identifier') return node.name;
  if (node.type !== 'MemberExpression') return undefined;
  const object = memberPath(node.object);
  if (object === undefined) return undefined;
  if (!node.computed && node.property.type === 'Identifier') return `${object}.${node.property.name}`;
  if (node.computed && node.property.type === 'Literal' && typeof node.property.value === 'string') return `${object}.${node.property.value}`;
  return undefined;
}

function propertyName(node: NodeOf<'MemberExpression'>): string | undefined {
  if (!node.computed && node.property.type === 'Identifier') return node.property.name;
  if (node.computed && node.property.type === 'Literal' && typeof node.property.value === 'string') return node.property.value;
  return undefined;
}

/** The node is written (assignment target, update operand) rather than read. */
function isWriteTarget(node: AnyNode, parent: AnyNode | undefined): boolean {
  return (parent?.type === 'AssignmentExpression' && parent.left === node) || (parent?.type === 'UpdateExpression' && parent.argument === node);
}

/** The node is feature-tested (`typeof X`, `X || fallback`, `X ? a : b`, `if (X)`) rather than used. */
function isFeatureTest(node: AnyNode, parent: AnyNode | undefined): boolean {
  if (!parent) return false;
  if (parent.type === 'UnaryExpression' && parent.operator === 'typeof') return true;
  if (parent.type === 'LogicalExpression' && parent.left === node) return true;
  if (parent.type === 'ConditionalExpression' && parent.test === node) return true;
  if (parent.type === 'IfStatement' && parent.test === node) return true;
  return false;
}

function isFunction(node: AnyNode): node is NodeOf<'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression'> {
  return node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression' || node.type === 'ArrowFunctionExpression';
}

/**
 * Identifiers a statement reads while it runs: references outside nested
 * functions, plus those inside functions the statement calls on the spot
 * (`(function () { f(); })()`).
 */
function immediateReferences(statement: AnyNode): Identifier[] {
  const found: Identifier[] = [];
  const visit = (node: AnyNode, parent: AnyNode | undefined, calledNow: boolean): void => {
    if (isFunction(node) && !calledNow) return;
    if (node.type === 'Identifier' && isReference(node, parent)) found.push(node);
    forEachChild(node, (child) => {
      const iife = node.type === 'CallExpression' && node.callee === child;
      visit(child, node, iife);
    });
  };
  visit(statement, undefined, true);
  return found;
}

// ---------------------------------------------------------------------------------------------
// Regular expressions: src/jswrap_regexp.c (matchhere/matchcharacter) implements literal
// characters, '.', [...] sets, ^ $, groups, top-level '|', and '*' '+' after a single
// character; only the flags 'g' and 'i' are read (jswrap_regexp_hasFlag).

const SUPPORTED_ESCAPES = new Set([...'dDfbnrsStvwW0x']);

/** What of a regular expression Espruino's matcher does not implement. */
export function espruinoRegexProblems(pattern: string, flags: string): string[] {
  const problems = new Set<string>();
  for (const f of flags) if (f !== 'g' && f !== 'i') problems.add(`flag '${f}' (only g and i are implemented)`);
  let inClass = false;
  let depth = 0;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const e = pattern[++i] ?? '';
      if (/[1-9]/.test(e)) problems.add(`backreference \\${e}`);
      else if (!inClass && (e === 'b' || e === 'B')) problems.add(`assertion \\${e}`);
      else if (/[a-zA-Z]/.test(e) && !SUPPORTED_ESCAPES.has(e)) problems.add(`escape \\${e}`);
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') {
      depth++;
      if (pattern[i + 1] === '?') problems.add(`group (?${pattern[i + 2] ?? ''}...) (only plain capturing groups)`);
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      if (pattern[i + 1] === '*' || pattern[i + 1] === '+' || pattern[i + 1] === '?') problems.add('a quantifier after a group (quantifiers apply to single characters only)');
    } else if (c === '?' && pattern[i - 1] !== '(') problems.add("quantifier '?'");
    else if (c === '{' && /^\{\d+(,\d*)?\}/.test(pattern.slice(i))) problems.add('counted quantifier {n,m}');
    else if (c === '|' && depth > 0) problems.add("'|' inside a group (alternation works at the top level only)");
  }
  return [...problems];
}

// ---------------------------------------------------------------------------------------------
// The rules.

const JSPARSE = 'Espruino 2v29 src/jsparse.c';
const JSLEX = 'Espruino 2v29 src/jslex.c';
const FEATURES = 'EspruinoDocs info/Features.md';

function functionLike(node: NodeOf<'FunctionDeclaration' | 'FunctionExpression' | 'ArrowFunctionExpression'>, ctx: RuleContext, rule: 'async' | 'params'): void {
  if (rule === 'async') {
    if (node.async) ctx.report(node, 'async function');
    if (node.generator) ctx.report(node, 'generator function (function*)');
    return;
  }
  for (const p of node.params) if (p.type === 'AssignmentPattern') ctx.report(p, 'default parameter value');
}

/** Statement lists that run in order in one function scope. */
function checkHoisting(body: Statement[] | AnyNode[], ctx: RuleContext): void {
  const declaredAt = new Map<string, number>();
  body.forEach((s, i) => {
    if (s.type === 'FunctionDeclaration' && s.id) declaredAt.set(s.id.name, i);
  });
  if (declaredAt.size === 0) return;
  body.forEach((s, i) => {
    if (s.type === 'FunctionDeclaration') return;
    for (const ref of immediateReferences(s)) {
      const at = declaredAt.get(ref.name);
      if (at !== undefined && at > i) {
        ctx.report(ref, `${ref.name} is used before its function declaration runs (Espruino does not hoist function declarations: declare it first)`);
      }
    }
  });
}

const RESERVED_BY_ESPRUINO = new Set(['of', 'static', 'let']);

export const ESPRUINO_RULES: CompatRule[] = [
  {
    id: 'destructuring',
    severity: 'error',
    what: 'Destructuring patterns: var {a} = o, [a, b] = arr, destructured parameters',
    why: `${JSPARSE}: jspeStatementVar and jspeFunctionArguments accept only an identifier; ${FEATURES} "Destructing Assignment: -"`,
    visit: {
      ObjectPattern: (n, ctx) => ctx.report(n, 'object destructuring'),
      ArrayPattern: (n, ctx) => ctx.report(n, 'array destructuring'),
    },
  },
  {
    id: 'default-parameters',
    severity: 'error',
    what: 'Default parameter values: function f(a = 1)',
    why: `${JSPARSE}: jspeFunctionArguments matches LEX_ID then ',' or ')'; ${FEATURES} "Default Parameter Values: -"`,
    visit: {
      FunctionDeclaration: (n, ctx) => functionLike(n, ctx, 'params'),
      FunctionExpression: (n, ctx) => functionLike(n, ctx, 'params'),
      ArrowFunctionExpression: (n, ctx) => functionLike(n, ctx, 'params'),
    },
  },
  {
    id: 'spread-rest',
    severity: 'error',
    what: 'Spread and rest: f(...args), [...a], {...o}, function f(...rest)',
    why: `${JSLEX}: there is no '...' token (a '.' not followed by a digit is a single '.'); ${FEATURES} "Rest/Spread: -"`,
    visit: {
      SpreadElement: (n, ctx) => ctx.report(n, 'spread (...)'),
      RestElement: (n, ctx) => ctx.report(n, 'rest element (...)'),
    },
  },
  {
    id: 'async-generators',
    severity: 'error',
    what: 'async functions, await, generators and yield',
    why: `Espruino 2v29 src/jslex.h has no async, await or yield token; ${FEATURES} "Generators: -" (TypeScript down-levels async for ES5 targets)`,
    visit: {
      FunctionDeclaration: (n, ctx) => functionLike(n, ctx, 'async'),
      FunctionExpression: (n, ctx) => functionLike(n, ctx, 'async'),
      ArrowFunctionExpression: (n, ctx) => functionLike(n, ctx, 'async'),
      AwaitExpression: (n, ctx) => ctx.report(n, 'await'),
      YieldExpression: (n, ctx) => ctx.report(n, 'yield'),
      ForOfStatement: (n, ctx) => {
        if (n.await) ctx.report(n, 'for await');
      },
    },
  },
  {
    id: 'optional-chaining',
    severity: 'error',
    what: 'Optional chaining: a?.b, f?.()',
    why: `${JSLEX}: after '?' only a second '?' forms a token (LEX_NULLISH); '?.' is not lexed`,
    visit: { ChainExpression: (n, ctx) => ctx.report(n, 'optional chaining (?.)') },
  },
  {
    id: 'exponent-operator',
    severity: 'error',
    what: 'The exponent operator a ** b and **=',
    why: `${JSLEX}: '*' forms only '*=' (no LEX for '**'); use Math.pow`,
    visit: {
      BinaryExpression: (n, ctx) => {
        if (n.operator === '**') ctx.report(n, "'**' operator");
      },
      AssignmentExpression: (n, ctx) => {
        if (n.operator === '**=') ctx.report(n, "'**=' operator");
      },
    },
  },
  {
    id: 'logical-assignment',
    severity: 'error',
    what: 'Logical assignment: a ||= b, a &&= b, a ??= b',
    why: `${JSLEX}: '||', '&&' and '??' are not followed by '=' tokens (only '|=', '&=')`,
    visit: {
      AssignmentExpression: (n, ctx) => {
        if (n.operator === '||=' || n.operator === '&&=' || n.operator === '??=') ctx.report(n, `'${n.operator}' operator`);
      },
    },
  },
  {
    id: 'bigint',
    severity: 'error',
    what: 'BigInt literals (1n) and BigInt',
    why: `${JSLEX}: the number lexer has no 'n' suffix; no BigInt in src/jswrap_*.c`,
    visit: {
      Literal: (n, ctx) => {
        if ('bigint' in n && n.bigint !== undefined) ctx.report(n, 'BigInt literal');
      },
    },
  },
  {
    id: 'tagged-template',
    severity: 'error',
    what: 'Tagged templates: tag`text` (plain template literals are fine)',
    why: `${JSPARSE}: jspeFactorFunctionCall throws "Tagged template literals not supported"`,
    visit: { TaggedTemplateExpression: (n, ctx) => ctx.report(n, 'tagged template') },
  },
  {
    id: 'labels',
    severity: 'error',
    what: 'Labelled statements and break/continue to a label',
    why: `${FEATURES} "Labels: -"; ${JSPARSE} jspeStatement parses 'name:' as an expression and 'break name' as 'break' followed by a statement 'name'`,
    visit: {
      LabeledStatement: (n, ctx) => ctx.report(n, `label '${n.label.name}:'`),
      BreakStatement: (n, ctx) => {
        if (n.label) ctx.report(n, `'break ${n.label.name}'`);
      },
      ContinueStatement: (n, ctx) => {
        if (n.label) ctx.report(n, `'continue ${n.label.name}'`);
      },
    },
  },
  {
    id: 'with',
    severity: 'error',
    what: 'The with statement',
    why: `${FEATURES} "with keyword: -"; there is no 'with' token in src/jslex.c`,
    visit: { WithStatement: (n, ctx) => ctx.report(n, "'with' statement") },
  },
  {
    id: 'computed-keys',
    severity: 'error',
    what: 'Computed keys in object literals and classes: {[k]: v}',
    why: `${JSPARSE}: jspeFactorObject accepts an identifier, string or number as a key, jspeClassDefinition an identifier`,
    visit: {
      Property: (n, ctx) => {
        if (n.computed) ctx.report(n, 'computed property key [...]');
      },
      MethodDefinition: (n, ctx) => {
        if (n.computed) ctx.report(n, 'computed class member key [...]');
        else if (n.key.type !== 'Identifier') ctx.report(n, 'class member named by a string or number');
      },
      PropertyDefinition: (n, ctx) => {
        if (n.computed) ctx.report(n, 'computed class field key [...]');
        else if (n.key.type !== 'Identifier') ctx.report(n, 'class field named by a string or number');
      },
    },
  },
  {
    id: 'class-extends',
    severity: 'error',
    what: 'class A extends <anything but a plain name> (mixins, member expressions)',
    why: `${JSPARSE}: jspeClassDefinition matches a single LEX_ID after 'extends'; ${FEATURES} "Class Inheritance from Expressions: -"`,
    visit: {
      ClassDeclaration: (n, ctx) => {
        if (n.superClass && n.superClass.type !== 'Identifier') ctx.report(n.superClass, 'class extends an expression');
      },
      ClassExpression: (n, ctx) => {
        if (n.superClass && n.superClass.type !== 'Identifier') ctx.report(n.superClass, 'class extends an expression');
      },
    },
  },
  {
    id: 'class-private-static-block',
    severity: 'error',
    what: 'Private class members (#x) and static initialisation blocks',
    why: `${JSLEX} has no '#' token; ${JSPARSE} jspeClassDefinition reads members as [static] name only`,
    visit: {
      PrivateIdentifier: (n, ctx) => ctx.report(n, `private member #${n.name}`),
      StaticBlock: (n, ctx) => ctx.report(n, 'static block'),
    },
  },
  {
    id: 'modules-meta',
    severity: 'error',
    what: 'import/export, import(), import.meta, new.target',
    why: `${FEATURES} "Modules (import/export): -"; src/jslex.h has no import/export token (Espruino modules are require())`,
    visit: {
      ImportDeclaration: (n, ctx) => ctx.report(n, 'import declaration'),
      ExportNamedDeclaration: (n, ctx) => ctx.report(n, 'export declaration'),
      ExportDefaultDeclaration: (n, ctx) => ctx.report(n, 'export declaration'),
      ExportAllDeclaration: (n, ctx) => ctx.report(n, 'export declaration'),
      ImportExpression: (n, ctx) => ctx.report(n, 'dynamic import()'),
      MetaProperty: (n, ctx) => ctx.report(n, `${n.meta.name}.${n.property.name}`),
    },
  },
  {
    id: 'switch-default-last',
    severity: 'error',
    what: "A switch with a case after 'default'",
    why: `${JSPARSE}: jspeStatementSwitch throws "CASE after DEFAULT unsupported"`,
    visit: {
      SwitchStatement: (n, ctx) => {
        const d = n.cases.findIndex((c) => c.test === null || c.test === undefined);
        if (d >= 0 && d < n.cases.length - 1) ctx.report(n.cases[d + 1], "'case' after 'default'");
      },
    },
  },
  {
    id: 'function-hoisting',
    severity: 'error',
    what: 'Using a function declaration before the statement that declares it has run (the build hoists declarations itself, host/bundler/hoist.ts; this catches code that did not go through it)',
    why: `${FEATURES} "Function Hoisting: -"; ${JSPARSE} jspeStatementFunctionDecl defines the function when its statement executes. TypeScript's ES5 classes call __extends(D, _super) before 'function D' (the "Can't extend undefined" seen on boards)`,
    visit: {
      Program: (n, ctx) => checkHoisting(n.body, ctx),
      FunctionDeclaration: (n, ctx) => checkHoisting(n.body.body, ctx),
      FunctionExpression: (n, ctx) => checkHoisting(n.body.body, ctx),
      ArrowFunctionExpression: (n, ctx) => {
        if (n.body.type === 'BlockStatement') checkHoisting(n.body.body, ctx);
      },
    },
  },
  {
    id: 'return-newline',
    severity: 'error',
    what: "'return' ended by a line break, followed by an expression",
    why: `${FEATURES} "Semicolon insertion on newlines: - return\\n42; returns 42 in Espruino" (JavaScript returns undefined)`,
    visit: {
      ReturnStatement: (n, ctx) => {
        if (n.argument || ctx.code[n.end - 1] === ';') return;
        const parent = parentOf(ctx);
        const body = parent && 'body' in parent && Array.isArray(parent.body) ? (parent.body as AnyNode[]) : undefined;
        const next = body ? body[body.indexOf(n) + 1] : undefined;
        if (next && next.type === 'ExpressionStatement') ctx.report(n, "'return' then a line break: Espruino returns the next line's value");
      },
    },
  },
  {
    id: 'string-line-continuation',
    severity: 'error',
    what: 'String literals continued over a line with a backslash',
    why: `${FEATURES} "Multiline String Literals: -" (template literals may span lines)`,
    visit: {
      Literal: (n, ctx) => {
        if (typeof n.value === 'string' && n.raw !== undefined && /\\\r?\n/.test(n.raw)) ctx.report(n, 'backslash-newline inside a string');
      },
    },
  },
  {
    id: 'reserved-identifier',
    severity: 'error',
    what: "Variables or functions named 'of', 'static', 'let' (keywords to Espruino), or a binding named 'undefined'",
    why: `${JSLEX}: jslCheckToken makes of, static, let and undefined keywords (LEX_R_OF, LEX_R_STATIC, LEX_R_LET, LEX_R_UNDEFINED); ${FEATURES} "Reserved words as Identifiers (var of=1): -"`,
    visit: {
      Identifier: (n, ctx) => {
        const parent = parentOf(ctx);
        if (RESERVED_BY_ESPRUINO.has(n.name) && (isReference(n, parent) || parent?.type === 'VariableDeclarator' || isFunction(parent ?? n))) {
          ctx.report(n, `identifier '${n.name}' is a keyword on Espruino`);
        }
        if (n.name === 'undefined' && parent && !isReference(n, parent) && (parent.type === 'VariableDeclarator' || isFunction(parent) || parent.type === 'CatchClause')) {
          ctx.report(n, "binding named 'undefined'");
        }
      },
    },
  },
  {
    id: 'regex',
    severity: 'error',
    what: 'Regular expression features beyond characters, ., [sets], ^, $, (groups), top-level |, * and + on one character, flags g and i',
    why: 'Espruino 2v29 src/jswrap_regexp.c: matchhere/matchcharacter implement only these, and only the g and i flags are read (jswrap_regexp_hasFlag); the RegExp docs there list assertions and {n} quantifiers as missing',
    visit: {
      Literal: (n, ctx) => {
        if (!('regex' in n) || !n.regex) return;
        for (const p of espruinoRegexProblems(n.regex.pattern, n.regex.flags)) ctx.report(n, `regular expression: ${p}`);
      },
      NewExpression: (n, ctx) => regexConstructor(n, ctx),
      CallExpression: (n, ctx) => regexConstructor(n, ctx),
    },
  },
  {
    id: 'missing-global',
    severity: 'error',
    what: `Globals Espruino does not have: ${ESPRUINO_MISSING_GLOBALS.join(', ')}`,
    why: 'Espruino 2v29: no class/function/variable JSON block declares them in src/jswrap_*.c (every built-in is declared by one); typeof tests are allowed',
    visit: {
      Identifier: (n, ctx) => {
        const parent = parentOf(ctx);
        if (!ESPRUINO_MISSING_GLOBALS.includes(n.name) || ctx.declared.has(n.name) || !isReference(n, parent)) return;
        if (isFeatureTest(n, parent)) return;
        ctx.report(n, `${n.name} does not exist on Espruino`);
      },
    },
  },
  {
    id: 'missing-static',
    severity: 'error',
    what: 'Static members missing from built-ins: Math.imul, Math.trunc, Array.from, Object.freeze, Number.isInteger, String.raw, Promise.race ...',
    why: 'Espruino 2v29 src/jswrap_math.c, _number.c, _object.c, _array.c, _string.c, _promise.c, _json.c, _date.c declare only the statics listed in ESPRUINO_STATICS; feature tests (typeof, ||) and polyfills (assigned in the bundle) are allowed',
    visit: {
      MemberExpression: (n, ctx) => {
        if (n.object.type !== 'Identifier') return;
        const owner = n.object.name;
        const present = ESPRUINO_STATICS[owner];
        const name = propertyName(n);
        if (!present || name === undefined || ctx.declared.has(owner)) return;
        if (present.includes(name) || FUNCTION_MEMBERS.includes(name)) return;
        const parent = parentOf(ctx);
        if (isWriteTarget(n, parent) || isFeatureTest(n, parent) || ctx.assignedMembers.has(`${owner}.${name}`)) return;
        ctx.report(n, `${owner}.${name} does not exist on Espruino`);
      },
    },
  },
  {
    id: 'prototype-builtin',
    severity: 'error',
    what: 'Reading a built-in method through X.prototype: Array.prototype.slice.call(...), Object.prototype.hasOwnProperty ...',
    why: `Espruino 2v29 ${JSPARSE} jspGetNamedFieldInParents finds built-in methods with jswFindBuiltInFunction on the value's own type; X.prototype is a plain object, so Array.prototype.slice is undefined (checked on a board). Call the method on a value instead`,
    visit: {
      MemberExpression: (n, ctx) => {
        const proto = n.object;
        if (proto.type !== 'MemberExpression' || proto.object.type !== 'Identifier' || propertyName(proto) !== 'prototype') return;
        const owner = proto.object.name;
        const name = propertyName(n);
        if (!ESPRUINO_BUILTIN_CONSTRUCTORS.includes(owner) || ctx.declared.has(owner) || name === undefined || name === 'constructor') return;
        if (isWriteTarget(n, parentOf(ctx)) || ctx.assignedMembers.has(`${owner}.prototype.${name}`)) return;
        ctx.report(n, `${owner}.prototype.${name} is undefined on Espruino (built-in methods are only reachable on values)`);
      },
    },
  },
  {
    id: 'missing-method',
    severity: 'warning',
    what: `Calls of methods no Espruino built-in has: ${ESPRUINO_MISSING_METHODS.join(', ')}`,
    why: 'Espruino 2v29 src/jswrap_array.c, _arraybuffer.c, _string.c, _number.c, _object.c, _promise.c declare no such method; a warning because the receiver may be an app object',
    visit: {
      CallExpression: (n, ctx) => {
        if (n.callee.type !== 'MemberExpression') return;
        const name = propertyName(n.callee);
        // Object.keys(o), Object.values(o) ...: statics, which the missing-static rule judges.
        const owner = n.callee.object.type === 'Identifier' ? n.callee.object.name : undefined;
        if (owner !== undefined && ESPRUINO_STATICS[owner] !== undefined && !ctx.declared.has(owner)) return;
        if (name !== undefined && ESPRUINO_MISSING_METHODS.includes(name)) ctx.report(n.callee, `.${name}() exists on no Espruino built-in`);
      },
    },
  },
  {
    id: 'let-const',
    severity: 'warning',
    what: 'let and const',
    why: `${JSPARSE} jspeStatementVar: "LET and CONST are block scoped *except* when we're not in a block"; there is no per-iteration binding in for loops and no temporal dead zone (TypeScript turns them into var for ES5)`,
    visit: {
      VariableDeclaration: (n, ctx) => {
        if (n.kind !== 'var') ctx.report(n, `'${n.kind}' (block scoping differs on Espruino)`);
      },
    },
  },
  {
    id: 'for-of',
    severity: 'warning',
    what: 'for...of loops (Espruino walks arrays, strings and typed arrays only)',
    why: `${JSPARSE} jspeStatementFor: for..of walks the elements of arrays, strings and typed arrays by index (jsvIteratorNew JSIF_EVERY_ARRAY_ELEMENT); there is no iterator protocol`,
    visit: {
      ForOfStatement: (n, ctx) => {
        if (!n.await) ctx.report(n, 'for...of works on arrays, strings and typed arrays only');
      },
    },
  },
];

function regexConstructor(n: NodeOf<'NewExpression' | 'CallExpression'>, ctx: RuleContext): void {
  if (n.callee.type !== 'Identifier' || n.callee.name !== 'RegExp' || ctx.declared.has('RegExp')) return;
  const [pattern, flags] = n.arguments;
  if (!pattern || pattern.type !== 'Literal' || typeof pattern.value !== 'string') return;
  const f = flags && flags.type === 'Literal' && typeof flags.value === 'string' ? flags.value : '';
  for (const p of espruinoRegexProblems(pattern.value, f)) ctx.report(n, `regular expression: ${p}`);
}

// ---------------------------------------------------------------------------------------------
// Running the rules.

/** Names declared anywhere and member paths assigned anywhere in the program. */
function collectBindings(program: Program): { declared: Set<string>; assignedMembers: Set<string> } {
  const declared = new Set<string>();
  const assignedMembers = new Set<string>();
  const addPattern = (p: AnyNode): void => {
    if (p.type === 'Identifier') declared.add(p.name);
    else forEachChild(p, addPattern);
  };
  const visit = (node: AnyNode): void => {
    switch (node.type) {
      case 'VariableDeclarator':
        addPattern(node.id);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        if (node.type !== 'ArrowFunctionExpression' && node.id) declared.add(node.id.name);
        node.params.forEach(addPattern);
        break;
      case 'ClassDeclaration':
        if (node.id) declared.add(node.id.name);
        break;
      case 'CatchClause':
        if (node.param) addPattern(node.param);
        break;
      case 'AssignmentExpression': {
        const path = memberPath(node.left);
        if (path !== undefined && node.left.type === 'MemberExpression') assignedMembers.add(path);
        break;
      }
      default:
        break;
    }
    forEachChild(node, visit);
  };
  visit(program);
  return { declared, assignedMembers };
}

function runRules(program: Program, code: string, rules: CompatRule[], report: (rule: CompatRule, node: AnyNode, message: string) => void): void {
  const { declared, assignedMembers } = collectBindings(program);
  const ancestors: AnyNode[] = [];
  let current: CompatRule = rules[0];
  const ctx: RuleContext = {
    code,
    ancestors,
    declared,
    assignedMembers,
    report: (node, message) => report(current, node, message),
  };
  const visit = (node: AnyNode): void => {
    for (const rule of rules) {
      const fn = rule.visit[node.type] as ((n: AnyNode, c: RuleContext) => void) | undefined;
      if (fn) {
        current = rule;
        fn(node, ctx);
      }
    }
    ancestors.push(node);
    forEachChild(node, visit);
    ancestors.pop();
  };
  visit(program);
}

function parseBundle(code: string, ecmaVersion: 5 | 2020 | 'latest'): { program?: Program; error?: { message: string; line: number; column: number } } {
  try {
    return { program: parse(code, { ecmaVersion, sourceType: 'script', locations: true, allowHashBang: true }) };
  } catch (e) {
    const err = e as Error & { loc?: { line: number; column: number } };
    return { error: { message: err.message.replace(/ \(\d+:\d+\)$/, ''), line: err.loc?.line ?? 1, column: err.loc?.column ?? 0 } };
  }
}

function result(engine: EngineName, issues: CompatIssue[]): CompatResult {
  const errors = issues.filter((i) => i.severity === 'error');
  return { engine, issues, errors, warnings: issues.filter((i) => i.severity === 'warning'), ok: errors.length === 0 };
}

function positioned(lookup: SourceMapLookup | undefined, line: number, column: number): Pick<CompatIssue, 'line' | 'column' | 'original'> {
  const original = lookup?.original(line, column);
  return original ? { line, column, original } : { line, column };
}

/** Checks an Espruino bundle against ESPRUINO_RULES (or the given rules). */
export function checkEspruinoCompat(code: string, options: CompatOptions & { rules?: CompatRule[] } = {}): CompatResult {
  const lookup = options.map ? new SourceMapLookup(options.map) : undefined;
  const parsed = parseBundle(code, 'latest');
  if (!parsed.program) {
    const e = parsed.error!;
    return result('espruino', [{ rule: 'syntax', severity: 'error', message: `does not parse: ${e.message}`, ...positioned(lookup, e.line, e.column) }]);
  }
  const issues: CompatIssue[] = [];
  const seen = new Set<string>();
  runRules(parsed.program, code, options.rules ?? ESPRUINO_RULES, (rule, node, message) => {
    const start = node.loc!.start;
    const key = `${rule.id}:${start.line}:${start.column}:${message}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({ rule: rule.id, severity: rule.severity, message, ...positioned(lookup, start.line, start.column) });
  });
  return result('espruino', issues);
}

/**
 * Checks a JerryScript bundle: JerryScript v3 (profile es.next) implements
 * ES2020 and part of later editions; the bundle is emitted at ES2020, so
 * anything acorn only accepts past ES2020 is reported.
 */
export function checkJerryScriptCompat(code: string, options: CompatOptions = {}): CompatResult {
  const lookup = options.map ? new SourceMapLookup(options.map) : undefined;
  const parsed = parseBundle(code, 2020);
  if (parsed.program) return result('jerryscript', []);
  const e = parsed.error!;
  return result('jerryscript', [{ rule: 'es2020', severity: 'error', message: `not ES2020 (JerryScript v3): ${e.message}`, ...positioned(lookup, e.line, e.column) }]);
}

/** One line per issue: original position when known, bundle position otherwise. */
export function formatCompatIssue(issue: CompatIssue, bundleName = 'bundle'): string {
  const where = issue.original
    ? `${issue.original.source}:${issue.original.line}:${issue.original.column + 1} (${bundleName}:${issue.line})`
    : `${bundleName}:${issue.line}:${issue.column + 1}`;
  return `${where}: ${issue.severity} [${issue.rule}] ${issue.message}`;
}

export function formatCompat(result: CompatResult, bundleName = 'bundle'): string {
  if (result.issues.length === 0) return `${bundleName}: no ${result.engine} compatibility issues`;
  return result.issues.map((i) => formatCompatIssue(i, bundleName)).join('\n');
}
