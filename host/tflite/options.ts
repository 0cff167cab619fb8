/**
 * Builtin operator options (the Operator.builtin_options union) decoded into plain objects for the
 * operators tinysense runs. Field ids and defaults follow schema.fbs; names are its field names in
 * camelCase. Other option tables are kept as { type, typeName } so nothing is silently dropped.
 */
import { FlatBuffer, Table, within } from './flatbuffer.js';
import {
  ACTIVATION_FUNCTIONS, type ActivationFunctionName, BUILTIN_OPTIONS, type BuiltinOptionsName, enumName,
  FULLY_CONNECTED_WEIGHTS_FORMATS, type FullyConnectedWeightsFormatName, PADDINGS, type PaddingName, TENSOR_TYPES,
  type TensorTypeName,
} from './enums.js';

interface Tagged<Name extends BuiltinOptionsName> {
  /** The union's type code (index into BUILTIN_OPTIONS). */
  readonly type: number;
  readonly typeName: Name;
}

export interface Conv2DOptions extends Tagged<'Conv2DOptions'> {
  readonly padding: PaddingName;
  readonly strideW: number;
  readonly strideH: number;
  readonly fusedActivationFunction: ActivationFunctionName;
  readonly dilationWFactor: number;
  readonly dilationHFactor: number;
  /** Bias and accumulator type (Conv2D v8+); null when unset (schema default 0). */
  readonly quantizedBiasType: TensorTypeName | null;
}
export interface DepthwiseConv2DOptions extends Tagged<'DepthwiseConv2DOptions'> {
  readonly padding: PaddingName;
  readonly strideW: number;
  readonly strideH: number;
  /** Redundant since TF 2.0 (output channels / input channels); kept as written. */
  readonly depthMultiplier: number;
  readonly fusedActivationFunction: ActivationFunctionName;
  readonly dilationWFactor: number;
  readonly dilationHFactor: number;
}
export interface FullyConnectedOptions extends Tagged<'FullyConnectedOptions'> {
  readonly fusedActivationFunction: ActivationFunctionName;
  readonly weightsFormat: FullyConnectedWeightsFormatName;
  readonly keepNumDims: boolean;
  readonly asymmetricQuantizeInputs: boolean;
  /** Bias and accumulator type (FullyConnected v11+); null when unset (schema default 0). */
  readonly quantizedBiasType: TensorTypeName | null;
}
export interface Pool2DOptions extends Tagged<'Pool2DOptions'> {
  readonly padding: PaddingName;
  readonly strideW: number;
  readonly strideH: number;
  readonly filterWidth: number;
  readonly filterHeight: number;
  readonly fusedActivationFunction: ActivationFunctionName;
}
export interface SoftmaxOptions extends Tagged<'SoftmaxOptions'> {
  readonly beta: number;
}
export interface ConcatenationOptions extends Tagged<'ConcatenationOptions'> {
  readonly axis: number;
  readonly fusedActivationFunction: ActivationFunctionName;
}
export interface AddOptions extends Tagged<'AddOptions'> {
  readonly fusedActivationFunction: ActivationFunctionName;
  readonly potScaleInt16: boolean;
}
export interface SubOptions extends Tagged<'SubOptions'> {
  readonly fusedActivationFunction: ActivationFunctionName;
  readonly potScaleInt16: boolean;
}
export interface MulOptions extends Tagged<'MulOptions'> {
  readonly fusedActivationFunction: ActivationFunctionName;
}
export interface DivOptions extends Tagged<'DivOptions'> {
  readonly fusedActivationFunction: ActivationFunctionName;
}
export interface LeakyReluOptions extends Tagged<'LeakyReluOptions'> {
  readonly alpha: number;
}
export interface StridedSliceOptions extends Tagged<'StridedSliceOptions'> {
  readonly beginMask: number;
  readonly endMask: number;
  readonly ellipsisMask: number;
  readonly newAxisMask: number;
  readonly shrinkAxisMask: number;
  /** When true the `end` input is an offset from `begin`. */
  readonly offset: boolean;
}
export interface ReshapeOptions extends Tagged<'ReshapeOptions'> {
  /** Null when absent: the shape then comes from the second input (or the output tensor). */
  readonly newShape: readonly number[] | null;
}
export interface ReducerOptions extends Tagged<'ReducerOptions'> {
  readonly keepDims: boolean;
}
export interface SqueezeOptions extends Tagged<'SqueezeOptions'> {
  readonly squeezeDims: readonly number[];
}
export interface CastOptions extends Tagged<'CastOptions'> {
  /** Often written as 0 (float32) by converters that leave the table empty; trust the tensors. */
  readonly inDataType: TensorTypeName;
  readonly outDataType: TensorTypeName;
}
// Data movement (ops-move).
export interface SplitOptions extends Tagged<'SplitOptions'> {
  readonly numSplits: number;
}
export interface SplitVOptions extends Tagged<'SplitVOptions'> {
  readonly numSplits: number;
}
export interface PackOptions extends Tagged<'PackOptions'> {
  readonly valuesCount: number;
  readonly axis: number;
}
export interface UnpackOptions extends Tagged<'UnpackOptions'> {
  readonly num: number;
  readonly axis: number;
}
export interface GatherOptions extends Tagged<'GatherOptions'> {
  readonly axis: number;
  readonly batchDims: number;
}
export interface DepthToSpaceOptions extends Tagged<'DepthToSpaceOptions'> {
  readonly blockSize: number;
}
export interface SpaceToDepthOptions extends Tagged<'SpaceToDepthOptions'> {
  readonly blockSize: number;
}
export interface ResizeBilinearOptions extends Tagged<'ResizeBilinearOptions'> {
  readonly alignCorners: boolean;
  readonly halfPixelCenters: boolean;
}
export interface ResizeNearestNeighborOptions extends Tagged<'ResizeNearestNeighborOptions'> {
  readonly alignCorners: boolean;
  readonly halfPixelCenters: boolean;
}
/** Option tables without fields. */
export type EmptyOptions = Tagged<
  | 'PadOptions' | 'TransposeOptions' | 'QuantizeOptions' | 'DequantizeOptions' | 'MaximumMinimumOptions'
  | 'SliceOptions' | 'BatchToSpaceNDOptions' | 'SpaceToBatchNDOptions' | 'ExpandDimsOptions' | 'BroadcastToOptions'
  | 'GatherNdOptions' | 'PadV2Options'
>;

export type DecodedOptions =
  | Conv2DOptions | DepthwiseConv2DOptions | FullyConnectedOptions | Pool2DOptions | SoftmaxOptions
  | ConcatenationOptions | AddOptions | SubOptions | MulOptions | DivOptions | LeakyReluOptions
  | StridedSliceOptions | ReshapeOptions | ReducerOptions | SqueezeOptions | CastOptions | EmptyOptions
  | SplitOptions | SplitVOptions | PackOptions | UnpackOptions | GatherOptions | DepthToSpaceOptions
  | SpaceToDepthOptions | ResizeBilinearOptions | ResizeNearestNeighborOptions;
type DecodedName = DecodedOptions['typeName'];

/** An options table this reader does not decode (yet). */
export type UndecodedOptions = Tagged<Exclude<BuiltinOptionsName, DecodedName | 'NONE'>>;

export type BuiltinOptions = DecodedOptions | UndecodedOptions;

type Fields<Name extends DecodedName> = Omit<Extract<DecodedOptions, { typeName: Name }>, 'type' | 'typeName'>;

const activation = (t: Table, id: number): ActivationFunctionName =>
  enumName(ACTIVATION_FUNCTIONS, t.i8(id, 'fused_activation_function'), t.where, 'fused_activation_function');
const padding = (t: Table, id: number): PaddingName => enumName(PADDINGS, t.i8(id, 'padding'), t.where, 'padding');
const tensorType = (t: Table, id: number, name: string): TensorTypeName =>
  enumName(TENSOR_TYPES, t.i8(id, name), t.where, name);
/** quantized_bias_type: 0 (its default) means "not set", as TFLite's op-data parser reads it. */
const biasType = (t: Table, id: number): TensorTypeName | null =>
  t.i8(id, 'quantized_bias_type') === 0 ? null : tensorType(t, id, 'quantized_bias_type');

const decoders: { readonly [Name in DecodedName]: (t: Table) => Fields<Name> } = {
  Conv2DOptions: (t) => ({
    padding: padding(t, 0),
    strideW: t.i32(1, 'stride_w'),
    strideH: t.i32(2, 'stride_h'),
    fusedActivationFunction: activation(t, 3),
    dilationWFactor: t.i32(4, 'dilation_w_factor', 1),
    dilationHFactor: t.i32(5, 'dilation_h_factor', 1),
    quantizedBiasType: biasType(t, 6),
  }),
  DepthwiseConv2DOptions: (t) => ({
    padding: padding(t, 0),
    strideW: t.i32(1, 'stride_w'),
    strideH: t.i32(2, 'stride_h'),
    depthMultiplier: t.i32(3, 'depth_multiplier'),
    fusedActivationFunction: activation(t, 4),
    dilationWFactor: t.i32(5, 'dilation_w_factor', 1),
    dilationHFactor: t.i32(6, 'dilation_h_factor', 1),
  }),
  FullyConnectedOptions: (t) => ({
    fusedActivationFunction: activation(t, 0),
    weightsFormat: enumName(FULLY_CONNECTED_WEIGHTS_FORMATS, t.i8(1, 'weights_format'), t.where, 'weights_format'),
    keepNumDims: t.bool(2, 'keep_num_dims'),
    asymmetricQuantizeInputs: t.bool(3, 'asymmetric_quantize_inputs'),
    quantizedBiasType: biasType(t, 4),
  }),
  Pool2DOptions: (t) => ({
    padding: padding(t, 0),
    strideW: t.i32(1, 'stride_w'),
    strideH: t.i32(2, 'stride_h'),
    filterWidth: t.i32(3, 'filter_width'),
    filterHeight: t.i32(4, 'filter_height'),
    fusedActivationFunction: activation(t, 5),
  }),
  SoftmaxOptions: (t) => ({ beta: t.f32(0, 'beta') }),
  ConcatenationOptions: (t) => ({ axis: t.i32(0, 'axis'), fusedActivationFunction: activation(t, 1) }),
  AddOptions: (t) => ({ fusedActivationFunction: activation(t, 0), potScaleInt16: t.bool(1, 'pot_scale_int16', true) }),
  SubOptions: (t) => ({ fusedActivationFunction: activation(t, 0), potScaleInt16: t.bool(1, 'pot_scale_int16', true) }),
  MulOptions: (t) => ({ fusedActivationFunction: activation(t, 0) }),
  DivOptions: (t) => ({ fusedActivationFunction: activation(t, 0) }),
  LeakyReluOptions: (t) => ({ alpha: t.f32(0, 'alpha') }),
  StridedSliceOptions: (t) => ({
    beginMask: t.i32(0, 'begin_mask'),
    endMask: t.i32(1, 'end_mask'),
    ellipsisMask: t.i32(2, 'ellipsis_mask'),
    newAxisMask: t.i32(3, 'new_axis_mask'),
    shrinkAxisMask: t.i32(4, 'shrink_axis_mask'),
    offset: t.bool(5, 'offset'),
  }),
  ReshapeOptions: (t) => ({ newShape: t.i32Vector(0, 'new_shape') }),
  ReducerOptions: (t) => ({ keepDims: t.bool(0, 'keep_dims') }),
  SqueezeOptions: (t) => ({ squeezeDims: t.i32Vector(0, 'squeeze_dims') ?? [] }),
  CastOptions: (t) => ({ inDataType: tensorType(t, 0, 'in_data_type'), outDataType: tensorType(t, 1, 'out_data_type') }),
  PadOptions: () => ({}),
  TransposeOptions: () => ({}),
  QuantizeOptions: () => ({}),
  DequantizeOptions: () => ({}),
  MaximumMinimumOptions: () => ({}),
  // Data movement (ops-move).
  SplitOptions: (t) => ({ numSplits: t.i32(0, 'num_splits') }),
  SplitVOptions: (t) => ({ numSplits: t.i32(0, 'num_splits') }),
  PackOptions: (t) => ({ valuesCount: t.i32(0, 'values_count'), axis: t.i32(1, 'axis') }),
  UnpackOptions: (t) => ({ num: t.i32(0, 'num'), axis: t.i32(1, 'axis') }),
  GatherOptions: (t) => ({ axis: t.i32(0, 'axis'), batchDims: t.i32(1, 'batch_dims') }),
  DepthToSpaceOptions: (t) => ({ blockSize: t.i32(0, 'block_size') }),
  SpaceToDepthOptions: (t) => ({ blockSize: t.i32(0, 'block_size') }),
  // Fields 0 and 1 (new_height, new_width) are deprecated: the size comes from the second input.
  ResizeBilinearOptions: (t) => ({ alignCorners: t.bool(2, 'align_corners'), halfPixelCenters: t.bool(3, 'half_pixel_centers') }),
  ResizeNearestNeighborOptions: (t) => ({ alignCorners: t.bool(0, 'align_corners'), halfPixelCenters: t.bool(1, 'half_pixel_centers') }),
  SliceOptions: () => ({}),
  BatchToSpaceNDOptions: () => ({}),
  SpaceToBatchNDOptions: () => ({}),
  ExpandDimsOptions: () => ({}),
  BroadcastToOptions: () => ({}),
  GatherNdOptions: () => ({}),
  PadV2Options: () => ({}),
};

function isDecoded(name: BuiltinOptionsName): name is DecodedName {
  return Object.hasOwn(decoders, name);
}

/**
 * Reads an operator's builtin_options union from its type field `typeId` and table field
 * `valueId`; null for NONE. A table under type NONE is ignored, as the Verifier and TFLM ignore it.
 */
export function readBuiltinOptions(operator: Table, typeId: number, valueId: number): BuiltinOptions | null {
  const type = operator.u8(typeId, 'builtin_options_type');
  const typeName = enumName(BUILTIN_OPTIONS, type, operator.where, 'builtin_options_type');
  if (typeName === 'NONE') return null;
  const table = operator.table(valueId, 'builtin_options');
  if (!isDecoded(typeName)) return { type, typeName } as UndecodedOptions;
  // A missing table reads as all defaults, as TFLite's own op-data parsers treat it.
  const decode = decoders[typeName] as (t: Table) => Fields<DecodedName>;
  return { type, typeName, ...decode(table ?? emptyTable(within(operator.where, 'builtin_options'))) } as DecodedOptions;
}

/** A table with no fields, over its own 8 bytes: vtable [4 bytes, table 4 bytes], then soffset 4. */
function emptyTable(where: string): Table {
  return new Table(new FlatBuffer(Uint8Array.of(4, 0, 4, 0, 4, 0, 0, 0)), 4, where);
}
