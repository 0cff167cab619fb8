/**
 * Op record layouts: the TypeScript mirror of the ts_*_record structs in
 * kernels-c/include/tinysense_nn.h. Each layout maps a field name to its int32
 * word index; test/records.test.ts compiles the header and checks every index
 * against offsetof(), so the two cannot drift apart.
 *
 * The host compiler writes records with these layouts; the device validator
 * reads them. ES5 only: this file runs on the microcontroller.
 */

/** Op codes (TS_OP_* in the header). */
export var OP = {
  CONV_2D: 1,
  DEPTHWISE_CONV_2D: 2,
  FULLY_CONNECTED: 3,
  AVERAGE_POOL_2D: 4,
  MAX_POOL_2D: 5,
  SOFTMAX: 6,
  LOGISTIC: 7,
  TANH: 8,
  ADD: 9,
  MUL: 10,
  REQUANTIZE: 11,
  LEAKY_RELU: 12,
  DEQUANTIZE: 13,
  QUANTIZE_F32: 14,
  MEAN: 15,
  GATHER_VIEW: 16,
  PAD: 17,
  CONCATENATION: 18,
  COPY: 19,
};

export var OP_NAMES: string[] = [];
for (var name in OP) {
  OP_NAMES[(OP as { [k: string]: number })[name]] = name;
}

export var MAX_DIMS = 6;

/** A record layout: field name -> word index, plus `words`, the record length. */
export interface Layout {
  [field: string]: number;
  words: number;
}

/** Field spec: a name takes one word, [name, n] takes n words (name0..name{n-1}
 * are not materialised; use layout[name] + i). */
type FieldSpec = string | [string, number];

function layout(fields: FieldSpec[]): Layout {
  var out = { words: 0 } as Layout;
  var at = 2; // op, words
  for (var i = 0; i < fields.length; i++) {
    var f = fields[i];
    if (typeof f === 'string') {
      out[f] = at++;
    } else {
      out[f[0]] = at;
      at += f[1];
    }
  }
  out.words = at;
  return out;
}

// A ts_view is dims[6], step[6], start.
var VIEW_WORDS = 2 * MAX_DIMS + 1;
/** Offsets inside a ts_view. */
export var VIEW = { dims: 0, step: MAX_DIMS, start: 2 * MAX_DIMS, words: VIEW_WORDS };

var CONV_OPERANDS: FieldSpec[] = ['input', 'filter', 'bias', 'multipliers', 'shifts', 'output', 'scratch'];
var DIMS_3: FieldSpec[] = [['inputDims', 4], ['filterDims', 4], ['outputDims', 4]];
var WINDOW: FieldSpec[] = ['strideW', 'strideH', 'padW', 'padH', 'dilationW', 'dilationH', 'actMin', 'actMax'];

export var CONV = layout(CONV_OPERANDS.concat(DIMS_3, ['inputOffset', 'outputOffset'], WINDOW));

export var DW_CONV = layout(CONV_OPERANDS.concat(DIMS_3, ['inputOffset', 'outputOffset', 'chMult'], WINDOW));

export var FC = layout([
  'input', 'filter', 'bias', 'multipliers', 'shifts', 'output', 'scratch', 'perChannel',
  'batches', 'accumDepth', 'outputDepth',
  'inputOffset', 'filterOffset', 'outputOffset', 'actMin', 'actMax',
]);

export var POOL = layout([
  'input', 'output', ['inputDims', 4], ['outputDims', 4],
  'strideW', 'strideH', 'padW', 'padH', 'filterW', 'filterH', 'actMin', 'actMax',
]);

export var SOFTMAX = layout(['input', 'output', 'rows', 'rowSize', 'inputMultiplier', 'inputLeftShift', 'diffMin']);

export var SIGMOID = layout([
  'input', 'output', 'size', 'inputZeroPoint', 'inputRangeRadius', 'inputMultiplier', 'inputLeftShift',
]);

var BINARY_OPERANDS: FieldSpec[] = [
  'input1', 'input2', 'output', 'input1InPack', 'input2InPack',
  ['outputShape', MAX_DIMS], ['view1', VIEW_WORDS], ['view2', VIEW_WORDS],
];

export var ADD = layout(BINARY_OPERANDS.concat([
  'leftShift',
  'input1Offset', 'input1Multiplier', 'input1Shift',
  'input2Offset', 'input2Multiplier', 'input2Shift',
  'outputOffset', 'outputMultiplier', 'outputShift',
  'actMin', 'actMax',
]));

export var MUL = layout(BINARY_OPERANDS.concat([
  'input1Offset', 'input2Offset', 'outputOffset', 'outputMultiplier', 'outputShift', 'actMin', 'actMax',
]));

export var REQUANTIZE = layout([
  'input', 'output', 'size', 'inputZeroPoint', 'outputOffset', 'multiplier', 'shift', 'actMin', 'actMax',
]);

export var LEAKY_RELU = layout([
  'input', 'output', 'size', 'inputZeroPoint', 'outputZeroPoint',
  'identityMultiplier', 'identityShift', 'alphaMultiplier', 'alphaShift',
]);

/** DEQUANTIZE and QUANTIZE_F32; scale is the float32's bit pattern. */
export var AFFINE = layout(['input', 'output', 'size', 'zeroPoint', 'scaleBits']);

export var MEAN = layout([
  'input', 'output', ['outer', VIEW_WORDS], ['inner', VIEW_WORDS],
  'inputZeroPoint', 'outputZeroPoint', 'count', 'multiplier', 'shift',
]);

export var GATHER = layout(['input', 'output', 'elemSize', 'inputInPack', ['view', VIEW_WORDS]]);

export var PAD = layout([
  'input', 'output', 'elemSize',
  ['inputDims', MAX_DIMS], ['outputDims', MAX_DIMS], ['before', MAX_DIMS], 'padValue',
]);

/** Fixed part; followed by inputCount entries of CONCAT_INPUT.words words. */
export var CONCAT = layout(['output', 'outerSize', 'inputCount']);
export var CONCAT_INPUT = { input: 0, inPack: 1, rowBytes: 2, words: 3 };

export var COPY = layout(['input', 'output', 'bytes', 'inputInPack']);

/** Layout of each fixed-size record by op code (CONCATENATION is variable). */
export var LAYOUTS: Layout[] = [];
LAYOUTS[OP.CONV_2D] = CONV;
LAYOUTS[OP.DEPTHWISE_CONV_2D] = DW_CONV;
LAYOUTS[OP.FULLY_CONNECTED] = FC;
LAYOUTS[OP.AVERAGE_POOL_2D] = POOL;
LAYOUTS[OP.MAX_POOL_2D] = POOL;
LAYOUTS[OP.SOFTMAX] = SOFTMAX;
LAYOUTS[OP.LOGISTIC] = SIGMOID;
LAYOUTS[OP.TANH] = SIGMOID;
LAYOUTS[OP.ADD] = ADD;
LAYOUTS[OP.MUL] = MUL;
LAYOUTS[OP.REQUANTIZE] = REQUANTIZE;
LAYOUTS[OP.LEAKY_RELU] = LEAKY_RELU;
LAYOUTS[OP.DEQUANTIZE] = AFFINE;
LAYOUTS[OP.QUANTIZE_F32] = AFFINE;
LAYOUTS[OP.MEAN] = MEAN;
LAYOUTS[OP.GATHER_VIEW] = GATHER;
LAYOUTS[OP.PAD] = PAD;
LAYOUTS[OP.CONCATENATION] = CONCAT;
LAYOUTS[OP.COPY] = COPY;

// ---------------------------------------------------------------------------
// Audio front end (TFLM signal custom ops), CAST and int32 element-wise ops.
// ---------------------------------------------------------------------------

/** Op codes of the audio front-end section of the header (TS_OP_SIGNAL_* ...). */
export var SIGNAL_OP = {
  SIGNAL_WINDOW: 20,
  SIGNAL_FFT_AUTO_SCALE: 21,
  SIGNAL_RFFT: 22,
  SIGNAL_ENERGY: 23,
  SIGNAL_FILTER_BANK: 24,
  SIGNAL_FILTER_BANK_SQRT: 25,
  SIGNAL_SPECTRAL_SUBTRACTION: 26,
  SIGNAL_PCAN: 27,
  SIGNAL_FILTER_BANK_LOG: 28,
  CAST: 29,
  ELEMENTWISE_S32: 30,
};

/** ts_elementwise_s32 kinds (TS_ELEMENTWISE_*). */
export var ELEMENTWISE = { ADD: 0, MUL: 1, DIV: 2, MIN: 3, MAX: 4, SUB: 5 };

export var SIGNAL_WINDOW = layout(['input', 'window', 'output', 'size', 'windowSize', 'shift']);
export var SIGNAL_FFT_AUTO_SCALE = layout(['input', 'output', 'scaleBits', 'size']);
export var SIGNAL_RFFT = layout(['input', 'output', 'twiddles', 'superTwiddles', 'fftLength', 'inputLength', 'frames']);
export var SIGNAL_ENERGY = layout(['input', 'output', 'start', 'end']);
export var SIGNAL_FILTER_BANK = layout([
  'input', 'output', 'weights', 'unweights', 'freqStarts', 'weightStarts', 'widths', 'numChannels', 'numBins', 'numWeights',
]);
export var SIGNAL_FILTER_BANK_SQRT = layout(['input', 'scaleBits', 'output', 'scaleBitsInPack', 'numChannels']);
export var SIGNAL_SPECTRAL_SUBTRACTION = layout([
  'input', 'output', 'noiseEstimate',
  'numChannels', 'smoothing', 'oneMinusSmoothing', 'alternateSmoothing', 'alternateOneMinusSmoothing',
  'smoothingBits', 'spectralSubtractionBits', 'minSignalRemaining', 'clamping',
]);
export var SIGNAL_PCAN = layout(['input', 'noiseEstimate', 'gainLut', 'output', 'numChannels', 'snrShift', 'lutSize']);
export var SIGNAL_FILTER_BANK_LOG = layout(['input', 'output', 'numChannels', 'outputScale', 'correctionBits']);
/** fromType/toType: tensor-table element codes (pack.ts DTYPE; 6 uint32). */
export var CAST = layout(['input', 'output', 'size', 'fromType', 'toType']);
export var ELEMENTWISE_S32 = layout([
  'input1', 'input2', 'output', 'input1InPack', 'input2InPack', 'kind', 'actMin', 'actMax',
  ['outputShape', MAX_DIMS], ['view1', VIEW_WORDS], ['view2', VIEW_WORDS],
]);

for (var signalName in SIGNAL_OP) {
  OP_NAMES[(SIGNAL_OP as { [k: string]: number })[signalName]] = signalName;
}
LAYOUTS[SIGNAL_OP.SIGNAL_WINDOW] = SIGNAL_WINDOW;
LAYOUTS[SIGNAL_OP.SIGNAL_FFT_AUTO_SCALE] = SIGNAL_FFT_AUTO_SCALE;
LAYOUTS[SIGNAL_OP.SIGNAL_RFFT] = SIGNAL_RFFT;
LAYOUTS[SIGNAL_OP.SIGNAL_ENERGY] = SIGNAL_ENERGY;
LAYOUTS[SIGNAL_OP.SIGNAL_FILTER_BANK] = SIGNAL_FILTER_BANK;
LAYOUTS[SIGNAL_OP.SIGNAL_FILTER_BANK_SQRT] = SIGNAL_FILTER_BANK_SQRT;
LAYOUTS[SIGNAL_OP.SIGNAL_SPECTRAL_SUBTRACTION] = SIGNAL_SPECTRAL_SUBTRACTION;
LAYOUTS[SIGNAL_OP.SIGNAL_PCAN] = SIGNAL_PCAN;
LAYOUTS[SIGNAL_OP.SIGNAL_FILTER_BANK_LOG] = SIGNAL_FILTER_BANK_LOG;
LAYOUTS[SIGNAL_OP.CAST] = CAST;
LAYOUTS[SIGNAL_OP.ELEMENTWISE_S32] = ELEMENTWISE_S32;
