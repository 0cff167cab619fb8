/**
 * The TypeScript emit helpers for Espruino: the build resolves `tslib` to this
 * file for Espruino targets (@rollup/plugin-typescript forces importHelpers).
 *
 * Why not tslib itself: on Espruino 2v29 built-in methods are not reachable
 * through X.prototype (Array.prototype.slice and Object.prototype.hasOwnProperty
 * are undefined), there is no Symbol, and tslib's __extends fails with
 * "Can't extend undefined"; tslib's UMD build does not load at all. Espruino
 * also does not hoist function declarations (EspruinoDocs info/Features.md,
 * "Function Hoisting: -"), so every function here is declared before the code
 * that calls it runs, and no switch has a case after its default
 * (src/jsparse.c: "CASE after DEFAULT unsupported").
 *
 * ES5 only, and only the helpers TypeScript emits at target ES5 for features
 * Espruino can run. host/bundler/plugin.ts lists the helpers it refuses (async
 * iteration, decorators, private fields, `using`) with the reason.
 */

/** Own-property test without Object.prototype.hasOwnProperty (unreachable on Espruino). */
function hasOwn(o, p) {
  return typeof o.hasOwnProperty === 'function' ? o.hasOwnProperty(p) : true;
}

/** A plain array copy of an array-like from index `from`, without Array.prototype.slice. */
function copyArrayLike(a, from) {
  var out = [];
  for (var i = from || 0; i < a.length; i++) out.push(a[i]);
  return out;
}

/** ES5 class inheritance: statics copied by for-in, prototype chained through a constructor. */
export function __extends(d, b) {
  if (typeof b !== 'function' && b !== null) {
    throw new TypeError('Class extends value ' + String(b) + ' is not a constructor or null');
  }
  if (b !== null) {
    for (var p in b) if (p !== 'prototype' && hasOwn(b, p)) d[p] = b[p];
  }
  function __() {
    this.constructor = d;
  }
  if (b === null) {
    d.prototype = Object.create(null);
  } else {
    __.prototype = b.prototype;
    d.prototype = new __();
  }
}

/** Object spread: {...a, x: 1}. Sources that are null or undefined are skipped, as in ES2018. */
export function __assign(target) {
  for (var i = 1; i < arguments.length; i++) {
    var s = arguments[i];
    if (s === null || s === undefined) continue;
    for (var p in s) if (hasOwn(s, p)) target[p] = s[p];
  }
  return target;
}

/** Object rest: the own properties of `s` whose names are not in `e`. */
export function __rest(s, e) {
  var t = {};
  for (var p in s) if (hasOwn(s, p) && e.indexOf(p) < 0) t[p] = s[p];
  return t;
}

/**
 * Array spread: a new array of `to` followed by the elements of `from` (an
 * array, string, typed array or arguments). Holes of `from` become undefined,
 * as spreading does (tslib keeps the holes of array-literal segments; Espruino
 * arrays cannot have their length assigned, and a hole reads as undefined anyway).
 */
export function __spreadArray(to, from) {
  var out = copyArrayLike(to, 0);
  for (var i = 0; i < from.length; i++) out.push(from[i]);
  return out;
}

/**
 * Destructuring with downlevelIteration. Without Symbol.iterator (Espruino has
 * none) tslib returns arrays as they are; so do we, after refusing what
 * cannot be indexed.
 */
export function __read(o) {
  if (o === null || o === undefined || typeof o.length !== 'number') throw new TypeError('tinysense: only arrays and strings can be destructured on Espruino');
  return o;
}

/** for-of with downlevelIteration: an iterator over an array-like. */
export function __values(o) {
  if (o === null || o === undefined || typeof o.length !== 'number') throw new TypeError('tinysense: only arrays and strings can be iterated on Espruino');
  var i = 0;
  return {
    next: function () {
      if (i >= o.length) return { value: undefined, done: true };
      return { value: o[i++], done: false };
    },
  };
}

/** Tagged template strings: the cooked strings with their raw form attached. */
export function __makeTemplateObject(cooked, raw) {
  Object.defineProperty(cooked, 'raw', { value: raw });
  return cooked;
}

/** async functions: drives the __generator state machine with Promises (Espruino has Promise). */
export function __awaiter(thisArg, _arguments, P, generator) {
  var PromiseCtor = P || Promise;
  function adopt(value) {
    return value instanceof PromiseCtor ? value : new PromiseCtor(function (resolve) { resolve(value); });
  }
  return new PromiseCtor(function (resolve, reject) {
    var iterator;
    function step(result) {
      if (result.done) resolve(result.value);
      else adopt(result.value).then(fulfilled, rejected);
    }
    function fulfilled(value) {
      try { step(iterator.next(value)); } catch (e) { reject(e); }
    }
    function rejected(value) {
      try { step(iterator['throw'](value)); } catch (e) { reject(e); }
    }
    iterator = generator.apply(thisArg, _arguments || []);
    step(iterator.next());
  });
}

/**
 * The generator state machine TypeScript lowers async functions to: tslib's
 * protocol, restated without hoisting, Object.create(Iterator.prototype),
 * Symbol or `finally`. `body(state)` returns an instruction [op, value]:
 * 0 next, 1 throw, 2 return, 3 break to a label, 4 yield, 5 yield*, 6 an
 * exception to catch, 7 end of a finally block. state.trys holds
 * [tryLabel, catchLabel, finallyLabel, endLabel] of the open try blocks.
 */
export function __generator(thisArg, body) {
  var sent; // the last instruction sent in: state.sent() returns (or throws) its value
  var state = {
    label: 0,
    sent: function () {
      if (sent[0] & 1) throw sent[1];
      return sent[1];
    },
    trys: [],
    ops: [],
  };
  var started = false;
  var running = false;
  var delegate; // the iterator of the running yield*, if any

  /** Passes `op` to the running yield*; returns its result while it is not done. */
  function toDelegate(op) {
    var d = delegate;
    var method;
    if (op[0] & 2) method = d['return'];
    else if (op[0]) method = d['throw'] || (d['return'] && (d['return'](), 0));
    else method = d.next;
    delegate = undefined;
    if (!method) return { op: op };
    var r = method.call(d, op[1]);
    if (!r.done) {
      delegate = d;
      return { result: r };
    }
    return { op: [op[0] & 2, r.value] };
  }

  /**
   * One turn of the machine: either a result to hand out ({result}), an
   * instruction to loop on without running the body ({op}), or the
   * instruction to run the body with ({run}).
   */
  function dispatch(op) {
    switch (op[0]) {
      case 0:
      case 1:
        sent = op;
        return { run: op };
      case 4:
        state.label++;
        return { result: { value: op[1], done: false } };
      case 5:
        state.label++;
        delegate = op[1];
        return { op: [0] };
      case 7:
        var ended = state.ops.pop();
        state.trys.pop();
        return { op: ended };
      default:
        var trys = state.trys;
        var t = trys.length > 0 ? trys[trys.length - 1] : undefined;
        if (!t && (op[0] === 6 || op[0] === 2)) {
          state = undefined;
          return { op: op };
        }
        if (op[0] === 3 && (!t || (op[1] > t[0] && op[1] < t[3]))) {
          state.label = op[1];
          return { run: op };
        }
        if (op[0] === 6 && state.label < t[1]) {
          state.label = t[1];
          sent = op;
          return { run: op };
        }
        if (t && state.label < t[2]) {
          state.label = t[2];
          state.ops.push(op);
          return { run: op };
        }
        if (t[2]) state.ops.pop();
        state.trys.pop();
        return { op: op };
    }
  }

  function step(op) {
    if (running) throw new TypeError('Generator is already executing.');
    // throw() or return() before the first next() ends the generator without running it.
    if (!started) {
      started = true;
      if (op[0]) state = undefined;
    }
    while (state) {
      running = true;
      try {
        var turn = delegate ? toDelegate(op) : { op: op };
        if (!turn.result) turn = dispatch(turn.op);
        if (turn.result) {
          running = false;
          return turn.result;
        }
        op = turn.run ? body.call(thisArg, state) : turn.op;
      } catch (e) {
        op = [6, e];
        delegate = undefined;
      }
      running = false;
    }
    if (op[0] & 5) throw op[1];
    return { value: op[0] ? op[1] : undefined, done: true };
  }

  function verb(n) {
    return function (v) {
      return step([n, v]);
    };
  }

  return { next: verb(0), 'throw': verb(1), 'return': verb(2) };
}
