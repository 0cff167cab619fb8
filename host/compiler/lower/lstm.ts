/**
 * UNIDIRECTIONAL_SEQUENCE_LSTM int8 (int8 weights, int16 cell state, int32 biases) -> the LSTM record
 * -> ts_lstm_s8 (kernels-c/src/lstm.c). This is TFLM's Prepare (unidirectional_sequence_lstm.cc,
 * lstm_eval.cc LstmTensors::ValidateTensorStatus, lstm_eval_common.cc) on the host:
 * - its checks, as CompileErrors: 24 inputs, the standard LSTM only (TFLM's integer kernel refuses
 *   CIFG, peephole, projection and layer norm), tensor sizes, variable hidden and cell state;
 * - each gate's two matmuls to the gate's fixed 2^-12 scale (CreateGateParams: the scale product in
 *   float, then QuantizeMultiplier), the three element-wise Mul rescalings (CreateInterGateMulParams,
 *   in double), the cell state's power of two (CheckedLog2, result used even when not a power of two)
 *   and the tanh input shift it gives, the quantized cell clip;
 * - the input zero point folded into each gate's bias: bias - zero_point x (row sum of weights), equal
 *   to TFLM's sum of w x (x - zero_point) + bias in int32 (two's complement).
 * The hidden state is kept as int16 (hidden - its zero point) in the state region, so the recurrent
 * matmul needs no offset and a zeroed state is TFLM's reset state (hidden = zero point, cell = 0).
 */
import { LSTM, OP } from '../../../device/records.js';
import { Tensor, elementCount } from '../graph.js';
import { quantizeMultiplier } from '../quant.js';
import { LoweredOp, OpContext, RecordBuilder } from './context.js';

/** TFLite's input order (lstm_shared.h). */
const INPUT_WEIGHTS = [1, 2, 3, 4]; // input, forget, cell, output gates
const RECURRENT_WEIGHTS = [5, 6, 7, 8];
const PEEPHOLE = [9, 10, 11];
const BIASES = [12, 13, 14, 15];
const PROJECTION = [16, 17];
const HIDDEN_STATE = 18;
const CELL_STATE = 19;
const LAYER_NORM = [20, 21, 22, 23];
const GATE_NAMES = ['input', 'forget', 'cell', 'output'];

/** The gates' matmul output scale, Q3.12 (PrepareGateParametersInteger's nonlinear_input_scale). */
const GATE_INPUT_SCALE = 2 ** -12;
/** The gates' activation output scale, Q0.15. */
const GATE_OUTPUT_SCALE = 2 ** -15;

/** TfLiteRound: half away from zero. */
const roundAway = (x: number) => Math.sign(x) * Math.round(Math.abs(x));

export function lowerUnidirectionalSequenceLstm(c: OpContext): LoweredOp {
  c.expectCounts(24);
  const input = c.input(0);
  const output = c.output();
  const hidden = c.optionalInput(HIDDEN_STATE) ?? c.fail(`the hidden (output) state, input ${HIDDEN_STATE}, is missing`);
  const cell = c.optionalInput(CELL_STATE) ?? c.fail(`the cell state, input ${CELL_STATE}, is missing`);
  const name = (t: Tensor) => `tensor ${t.index} (${t.name})`;

  // LstmTensors::ValidateTensorStatus.
  for (const t of [hidden, cell]) if (!t.isVariable) c.fail(`${name(t)} is the ${t === hidden ? 'hidden' : 'cell'} state but not a variable tensor, as TFLM requires`);
  if (hidden.type !== input.type) c.fail(`the hidden state ${name(hidden)} is ${hidden.typeName}, the input ${input.typeName}`);
  if (output.type !== input.type) c.fail(`the output ${name(output)} is ${output.typeName}, the input ${input.typeName}`);
  if (c.optionalInput(1) === null || c.optionalInput(5) === null) {
    c.fail('has no input gate (CIFG, input-to-input or recurrent-to-input weights omitted): TFLM\'s integer LSTM needs all four gates');
  }
  const weights = [...INPUT_WEIGHTS, ...RECURRENT_WEIGHTS].map((k) => c.optionalInput(k) ?? c.fail(`weights input ${k} is missing`));
  for (const w of weights) if (w.type !== weights[1].type) c.fail(`weights ${name(w)} are ${w.typeName}, the input-to-forget weights ${weights[1].typeName}`);
  const biases = BIASES.map((k) => c.optionalInput(k) ?? c.fail(`the ${GATE_NAMES[k - 12]} gate bias (input ${k}) is missing`));
  for (const b of biases) if (b.type !== biases[1].type) c.fail(`bias ${name(b)} is ${b.typeName}, the forget gate bias ${biases[1].typeName}`);
  const refuseOptional = (list: number[], what: string) => {
    for (const k of list) if (c.optionalInput(k) !== null) c.fail(`has ${what} (input ${k}), which TFLM's integer LSTM does not support`);
  };
  refuseOptional(PEEPHOLE, 'peephole weights');
  refuseOptional(PROJECTION, 'a projection');
  refuseOptional(LAYER_NORM, 'layer normalization coefficients');

  // Options (UnidirectionalSequenceLSTMOptions; absent: all defaults, activation NONE).
  const timeMajor = c.option<boolean>('timeMajor', false);
  const activation = c.option<string>('fusedActivationFunction', 'NONE');
  // TFLM's CalculateLstmGate computes sigmoid or tanh; a .tflite can only name TANH.
  if (activation !== 'TANH') c.fail(`the cell gate activation is ${activation}; TFLM's integer LSTM computes TANH only`);
  const cellClip = c.option<number>('cellClip', 0);

  // CreateLstmSizeInfo and ValidateTensorSize.
  c.expectRank(input, 3);
  if (hidden.shape.length < 2) c.fail(`the hidden state ${name(hidden)} has rank ${hidden.shape.length}, expected 2`);
  const [batches, timeSteps] = timeMajor ? [input.shape[1], input.shape[0]] : [input.shape[0], input.shape[1]];
  const inputSize = input.shape[2];
  const units = hidden.shape[1];
  const expectShape = (t: Tensor, shape: number[], what: string) => {
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      c.fail(`${what} ${name(t)} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}]`);
    }
  };
  weights.slice(0, 4).forEach((w, g) => expectShape(w, [units, inputSize], `${GATE_NAMES[g]} gate input weights`));
  weights.slice(4).forEach((w, g) => expectShape(w, [units, units], `${GATE_NAMES[g]} gate recurrent weights`));
  biases.forEach((b, g) => expectShape(b, [units], `${GATE_NAMES[g]} gate bias`));
  for (const t of [hidden, cell]) {
    if (elementCount(t.shape) !== batches * units) c.fail(`${name(t)} holds ${elementCount(t.shape)} values, expected batches x units = ${batches * units}`);
  }
  c.expectRank(output, 3);
  if (output.shape[0] !== input.shape[0] || output.shape[1] !== input.shape[1] || output.shape[2] !== units) {
    c.fail(`the output ${name(output)} has shape [${output.shape.join(', ')}], expected [${input.shape[0]}, ${input.shape[1]}, ${units}]`);
  }

  // The types this kernel runs: TFLM's 8x8->16 path.
  if (cell.type !== 'int16') c.fail(`the cell state ${name(cell)} is ${cell.typeName}; tinysense runs the integer LSTM (int16 cell state) only`);
  c.expectType(input, 'int8');
  for (const w of weights) c.expectType(w, 'int8');
  for (const b of biases) c.expectType(b, 'int32');

  // PrepareGateParametersInteger.
  const inQ = c.quant(input);
  const hiddenQ = c.quant(hidden);
  const cellQ = c.quant(cell);
  const gateRequant = (x: { scale: number }, w: Tensor, what: string) => {
    if (w.scales.length > 1) c.fail(`${what} ${name(w)} are quantized per channel; TFLM's LSTM uses one scale per weight tensor`);
    const wQ = c.quant(w);
    if (wQ.zeroPoint !== 0) c.fail(`${what} ${name(w)} have zero point ${wQ.zeroPoint}; TFLM requires symmetric weights`);
    // GetQuantizedConvolutionMultipler: the scale product in float, divided in double.
    return c.requant(Math.fround(x.scale * wQ.scale) / GATE_INPUT_SCALE, what);
  };
  const gates = [
    ...weights.slice(0, 4).map((w, g) => gateRequant(inQ, w, `${GATE_NAMES[g]} gate input weights`)),
    ...weights.slice(4).map((w, g) => gateRequant(hiddenQ, w, `${GATE_NAMES[g]} gate recurrent weights`)),
  ];
  // CreateInterGateMulParams: (scale1 x scale2) / output scale in double.
  const forgetCell = quantizeMultiplier((GATE_OUTPUT_SCALE * cellQ.scale) / cellQ.scale);
  const inputCell = quantizeMultiplier((GATE_OUTPUT_SCALE * GATE_OUTPUT_SCALE) / cellQ.scale);
  const hiddenMul = quantizeMultiplier((GATE_OUTPUT_SCALE * GATE_OUTPUT_SCALE) / hiddenQ.scale);
  for (const [r, what] of [[forgetCell, 'forget x cell'], [inputCell, 'input x cell gate'], [hiddenMul, 'hidden state']] as const) {
    if (r.shift > 30) c.fail(`the ${what} rescaling is too large (the cell or hidden state scale is too small)`);
  }

  // CreateLstmCellStateInfo: CheckedLog2 in float, then the tanh input shift of lstm_internal::Tanh.
  const power = roundAway(Math.fround(Math.fround(Math.log(Math.fround(cellQ.scale))) * Math.fround(1 / Math.fround(Math.log(2)))));
  const leftShift = 15 + power - 3;
  let tanhMultiplier: number;
  let tanhShift: number;
  if (leftShift >= 0) {
    // Integer Tanh's power-of-two case: multiplier 3 << shift, no shift.
    if (leftShift > 14) c.fail(`the cell state scale ${cellQ.scale} (2^${power}) overflows TFLM's int16 tanh input`);
    [tanhMultiplier, tanhShift] = [3 << leftShift, 0];
  } else {
    if (-leftShift > 30) c.fail(`the cell state scale ${cellQ.scale} (2^${power}) is too small for TFLM's int16 tanh`);
    [tanhMultiplier, tanhShift] = [3, -leftShift];
  }
  const quantizedClip = cellClip > 0 ? Math.trunc(Math.min(Math.max(cellClip / cellQ.scale, -32768), 32767)) : -1;

  // The input zero point folded into each gate's bias (int32, two's complement).
  const biasValues = biases.map((b) => c.ints(b));
  const folded: number[] = [];
  weights.slice(0, 4).forEach((w, g) => {
    const data = new Int8Array(c.constData(w)!.buffer, c.constData(w)!.byteOffset, units * inputSize);
    for (let j = 0; j < units; j++) {
      let sum = 0;
      for (let d = 0; d < inputSize; d++) sum += data[j * inputSize + d];
      folded.push((biasValues[g][j] - Math.imul(inQ.zeroPoint, sum)) | 0);
    }
  });
  for (const t of [hidden, cell]) {
    if (c.isConst(t)) c.fail(`the state ${name(t)} has constant data; TFLM resets it to its zero point`);
    if (c.graph.inputs.includes(t.index) || c.graph.outputs.includes(t.index)) c.fail(`the state ${name(t)} is a model input or output`);
  }

  const r = new RecordBuilder(OP.UNIDIRECTIONAL_SEQUENCE_LSTM, LSTM)
    .set('input', c.read(input))
    .set('output', c.write(output))
    .set('hiddenState', { kind: 'arena', tensor: hidden.index })
    .set('cellState', { kind: 'arena', tensor: cell.index })
    .setList('inputWeights', [0, 0, 0, 0])
    .setList('recurrentWeights', [0, 0, 0, 0])
    .set('biases', { kind: 'const', id: c.consts.addInt32(folded) })
    .set('multipliers', { kind: 'const', id: c.consts.addInt32(gates.map((g) => g.multiplier)) })
    .set('shifts', { kind: 'const', id: c.consts.addInt32(gates.map((g) => g.shift)) })
    .setList('batches', [batches, timeSteps, inputSize, units, timeMajor ? 1 : 0])
    .setList('forgetCellMultiplier', [
      forgetCell.multiplier, forgetCell.shift, inputCell.multiplier, inputCell.shift, hiddenMul.multiplier, hiddenMul.shift,
      hiddenQ.zeroPoint, quantizedClip, tanhMultiplier, tanhShift,
    ]);
  // The model's own weight tensors, one constant each (gate order input, forget, cell, output).
  weights.forEach((w, k) => (r.words[k < 4 ? LSTM.inputWeights + k : LSTM.recurrentWeights + k - 4] = c.constant(w)));
  const op = c.finish(r.code, r.words, batches * timeSteps * units * 4 * (inputSize + units));
  op.persistent = [hidden.index, cell.index];
  // The hidden state is held as int16 (hidden - zero point): twice its int8 tensor's bytes.
  op.persistentBytes = [2 * batches * units, 2 * batches * units];
  return op;
}
