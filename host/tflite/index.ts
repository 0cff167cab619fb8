/**
 * parseTflite: a .tflite file -> plain, fully read, checked objects. Anything wrong with the file
 * (bad offsets, unknown enum values, indices out of range, data of the wrong size) is a
 * TfliteFormatError naming the subgraph, operator or tensor; nothing is read lazily later.
 */
import { FlatBuffer, TfliteFormatError } from './flatbuffer.js';
import { TENSOR_TYPE_BYTES } from './enums.js';
import { readModel, type SubGraph, type Tensor, type TfliteModel } from './schema.js';
import { verifyFlatbuffer } from '../quantize/fbs-verifier.js';
import { pinnedTfliteSchema } from '../quantize/tflite-schema.js';

export { TfliteFormatError } from './flatbuffer.js';
export type { FlexValue } from './flexbuffers.js';
export {
  ACTIVATION_FUNCTIONS, ActivationFunctionType, BUILTIN_OPERATORS, BUILTIN_OPTIONS, BUILTIN_OPTIONS_2, BuiltinOperator,
  BuiltinOptionsType, FULLY_CONNECTED_WEIGHTS_FORMATS, Padding, PADDINGS, TENSOR_TYPE_BYTES, TENSOR_TYPES, TensorType,
} from './enums.js';
export type {
  ActivationFunctionName, BuiltinOperatorName, BuiltinOptions2Name, BuiltinOptionsName, FullyConnectedWeightsFormatName,
  PaddingName, TensorTypeName,
} from './enums.js';
export type * from './options.js';
export type * from './schema.js';

const IDENTIFIER = 'TFL3';
const SCHEMA_VERSION = 3;

export function parseTflite(bytes: Uint8Array): TfliteModel {
  const fb = new FlatBuffer(bytes);
  const fileIdentifier = readIdentifier(fb);
  const root = fb.root();
  const version = root.u32(0, 'version');
  if (version !== SCHEMA_VERSION) fb.fail('', `schema version ${version}, this reader reads version ${SCHEMA_VERSION}`);
  const model = readModel(root, fileIdentifier);
  checkLayout(bytes);
  checkReferences(model);
  return model;
}

/**
 * The reader checks every byte it reads, with the Verifier's rules, and names the place in model
 * terms. Fields it has no use for (signature defs, sparsity, debug metadata...) are checked here, by
 * the schema-driven walk that accepts exactly what the FlatBuffers Verifier accepts, so a file is
 * refused if and only if the Verifier refuses its layout (test/tflite/verifier-parity.test.ts).
 */
function checkLayout(bytes: Uint8Array): void {
  const result = verifyFlatbuffer(bytes, pinnedTfliteSchema(), { flavour: 'flatbuffers' });
  if (!result.ok) {
    const [first] = result.problems;
    const more = result.problems.length > 1 ? ` (and ${result.problems.length - 1} more)` : '';
    throw new TfliteFormatError('', `the flatbuffer is damaged: ${first}${more}`, 'layout');
  }
}

/**
 * The identifier is optional in flatbuffers, so bytes 4..8 may instead be the start of the data.
 * Four identifier-like characters that are not "TFL3" mean another file type (or another TFLite
 * schema generation), which is worth a clear error rather than a confusing one later.
 */
function readIdentifier(fb: FlatBuffer): string | null {
  const id = fb.identifier();
  if (id === IDENTIFIER) return id;
  if (/^[A-Z][A-Z0-9]{3}$/.test(id)) fb.fail('file header', `file identifier is "${id}", expected "${IDENTIFIER}" (not a TFLite model?)`);
  return null;
}

function checkReferences(model: TfliteModel): void {
  const buffers = model.buffers.length;
  if (model.subgraphs.length === 0) throw new TfliteFormatError('', 'model has no subgraphs');
  model.metadata.forEach((m, i) => inRange(m.buffer, buffers, `metadata ${i}`, 'buffer'));
  for (const sg of model.subgraphs) {
    const where = `subgraph ${sg.index}`;
    const tensors = sg.tensors.length;
    sg.inputs.forEach((t) => inRange(t, tensors, `${where} > inputs`, 'tensor'));
    sg.outputs.forEach((t) => inRange(t, tensors, `${where} > outputs`, 'tensor'));
    for (const tensor of sg.tensors) checkTensor(model, sg, tensor);
    for (const op of sg.operators) {
      const opWhere = `${where} > operator ${op.index}`;
      inRange(op.opcodeIndex, model.operatorCodes.length, opWhere, 'opcode_index');
      // -1 marks an omitted optional input (e.g. a convolution without bias).
      op.inputs.forEach((t) => t === -1 || inRange(t, tensors, `${opWhere} > inputs`, 'tensor'));
      op.outputs.forEach((t) => inRange(t, tensors, `${opWhere} > outputs`, 'tensor'));
      op.intermediates.forEach((t) => inRange(t, tensors, `${opWhere} > intermediates`, 'tensor'));
    }
  }
}

function checkTensor(model: TfliteModel, sg: SubGraph, tensor: Tensor): void {
  const where = `subgraph ${sg.index} > tensor ${tensor.index}`;
  inRange(tensor.buffer, model.buffers.length, where, 'buffer');
  const fail = (problem: string): never => {
    throw new TfliteFormatError(where, problem);
  };
  if (tensor.shape.some((d) => d < 0)) fail(`shape [${tensor.shape}] has a negative dimension`);

  // Constant data must cover the shape exactly, or kernels would read past it (or misread it).
  const data = model.buffers[tensor.buffer]?.data;
  const elementBytes = TENSOR_TYPE_BYTES[tensor.type];
  if (data !== undefined && data.length > 0 && elementBytes > 0) {
    const expected = tensor.shape.reduce((n, d) => n * d, 1) * elementBytes;
    if (data.length !== expected) {
      fail(`buffer ${tensor.buffer} holds ${data.length} bytes, shape [${tensor.shape}] of ${tensor.type} needs ${expected}`);
    }
  }

  // Only the counts are checked: per-channel scales need not match shape[quantized_dimension]
  // (person_detect's conv biases keep the filter's quantized_dimension 3 on a 1-D shape).
  const q = tensor.quantization;
  if (q !== null && q.details === null && q.zeroPoint.length !== 0 && q.zeroPoint.length !== q.scale.length) {
    fail(`quantization has ${q.scale.length} scales but ${q.zeroPoint.length} zero points`);
  }
}

function inRange(index: number, count: number, where: string, what: string): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new TfliteFormatError(where, `${what} index ${index} is out of range (${count} ${what}s)`);
  }
}
