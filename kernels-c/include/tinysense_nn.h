/*
 * tinysense_nn.h: the one public header of tinysense's int8 kernels.
 *
 * Freestanding C99: no libc, no allocation, no global state. Every kernel
 * reproduces TensorFlow Lite Micro's reference kernel for the same operator
 * byte for byte (same requantization, same rounding, same fixed-point
 * transcendental paths). The names of the TFLM function each kernel mirrors
 * are given beside it.
 *
 * Two layers live here:
 *  1. Kernels, in the style of CMSIS-NN: one function per operator family,
 *     explicit dims/params structs, caller-owned memory. No kernel needs
 *     caller-provided scratch: the Cortex-M4 fast paths (#if TS_DSP, dsp.h)
 *     keep their small buffers on the stack, at most 512 bytes per frame and
 *     about 1.1 KB for the deepest call (-fstack-usage, kernels-c/arm), so a
 *     pack's arena holds tensors only and is the same for every engine.
 *  2. Op records: the fixed-layout int32 structs a model pack stores for each
 *     operator, and ts_invoke(), which decodes one record and calls its kernel.
 *     This is the only entry point JavaScript engines call (at most 4 integer
 *     arguments, as Espruino's E.nativeCall allows). The record layouts, and
 *     device/records.ts, are generated from one op spec (kernels-c/spec/ops.json,
 *     scripts/gen-ops.mjs; docs/adding-an-op.md).
 *
 * Records are NOT validated here: the TypeScript runtime validates every
 * offset and length of a pack before the first ts_invoke (device/validate.ts).
 */
#ifndef TINYSENSE_NN_H
#define TINYSENSE_NN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TS_MAX_DIMS 6

typedef enum {
  TS_OK = 0,
  TS_ERROR_UNKNOWN_OP = -1,
  TS_ERROR_ARGUMENT = -2
} ts_status;

/* ---------------------------------------------------------------------------
 * Shared parameter structs
 * ------------------------------------------------------------------------- */

/* NHWC dimensions (TFLite's activation layout). Filters use n = output
 * channels, h, w, c = input channels per group (OHWI). */
typedef struct {
  int32_t n;
  int32_t h;
  int32_t w;
  int32_t c;
} ts_dims;

typedef struct {
  int32_t w;
  int32_t h;
} ts_tile;

/* Output clamp in the quantized domain (fused RELU/RELU6/RELU_N1_TO_1 or the
 * type's full range). */
typedef struct {
  int32_t min;
  int32_t max;
} ts_activation;

/* One requantization: real multiplier = multiplier * 2^(shift - 31),
 * as produced by TFLite's QuantizeMultiplier (shift > 0 is a left shift). */
typedef struct {
  int32_t multiplier;
  int32_t shift;
} ts_requant;

/* Per-output-channel requantization (arrays of length output channels). */
typedef struct {
  const int32_t *multiplier;
  const int32_t *shift;
} ts_per_channel_quant_params;

/* Scratch memory handed to a kernel. No kernel uses it today (see above):
 * kept in the signatures, CMSIS-NN style, for kernels that will. */
typedef struct {
  void *buf;
  int32_t size;
} ts_context;

/* An N-d strided view: element (i0..i5) of the view lives at
 * base + start + sum(ik * step[k]) elements. Unused leading dims are 1.
 * Describes transposes, strided slices and reduction walks without copying
 * shape logic into C. Steps may be negative (reverse slices). */
typedef struct {
  int32_t dims[TS_MAX_DIMS];
  int32_t step[TS_MAX_DIMS];
  int32_t start;
} ts_view;

/* ---------------------------------------------------------------------------
 * Kernels
 * ------------------------------------------------------------------------- */

/* CONV_2D. Mirrors tflite::reference_integer_ops::ConvPerChannel (int8).
 * Grouped convolution when input c is a multiple of filter c. */
typedef struct {
  int32_t input_offset;  /* -input zero point */
  int32_t output_offset; /* output zero point */
  ts_tile stride;
  ts_tile padding;
  ts_tile dilation;
  ts_activation activation;
} ts_conv_params;

ts_status ts_convolve_s8(const ts_context *ctx, const ts_conv_params *params,
                         const ts_per_channel_quant_params *quant,
                         const ts_dims *input_dims, const int8_t *input,
                         const ts_dims *filter_dims, const int8_t *filter,
                         const int32_t *bias, /* NULL: no bias */
                         const ts_dims *output_dims, int8_t *output);

/* DEPTHWISE_CONV_2D. Mirrors reference_integer_ops::DepthwiseConvPerChannel.
 * Filter dims: n = 1, h, w, c = output channels = input c * ch_mult. */
typedef struct {
  int32_t input_offset;
  int32_t output_offset;
  int32_t ch_mult;
  ts_tile stride;
  ts_tile padding;
  ts_tile dilation;
  ts_activation activation;
} ts_dw_conv_params;

ts_status ts_depthwise_conv_s8(const ts_context *ctx,
                               const ts_dw_conv_params *params,
                               const ts_per_channel_quant_params *quant,
                               const ts_dims *input_dims, const int8_t *input,
                               const ts_dims *filter_dims, const int8_t *filter,
                               const int32_t *bias, const ts_dims *output_dims,
                               int8_t *output);

/* FULLY_CONNECTED. Mirrors reference_integer_ops::FullyConnected (per-tensor)
 * and FullyConnectedPerChannel. Input is [batches, accum_depth], filter
 * [output_depth, accum_depth], output [batches, output_depth]. */
typedef struct {
  int32_t input_offset;
  int32_t filter_offset; /* -filter zero point (0 for int8 per the spec) */
  int32_t output_offset;
  ts_activation activation;
} ts_fc_params;

typedef struct {
  int32_t batches;
  int32_t accum_depth;
  int32_t output_depth;
} ts_fc_dims;

/* per_channel == 0: quant->multiplier[0] and quant->shift[0] serve every
 * output channel. */
ts_status ts_fully_connected_s8(const ts_context *ctx,
                                const ts_fc_params *params,
                                const ts_per_channel_quant_params *quant,
                                int32_t per_channel, const ts_fc_dims *dims,
                                const int8_t *input, const int8_t *filter,
                                const int32_t *bias, int8_t *output);

/* AVERAGE_POOL_2D / MAX_POOL_2D. Mirror reference_integer_ops::AveragePool
 * and MaxPool (int8). */
typedef struct {
  ts_tile stride;
  ts_tile padding;
  ts_tile filter;
  ts_activation activation;
} ts_pool_params;

ts_status ts_avgpool_s8(const ts_context *ctx, const ts_pool_params *params,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *output_dims, int8_t *output);
ts_status ts_maxpool_s8(const ts_context *ctx, const ts_pool_params *params,
                        const ts_dims *input_dims, const int8_t *input,
                        const ts_dims *output_dims, int8_t *output);

/* SOFTMAX int8 -> int8 (output scale 1/256, zero point -128).
 * Mirrors reference_ops::Softmax (quantized, gemmlowp fixed point). */
typedef struct {
  int32_t input_multiplier;
  int32_t input_left_shift;
  int32_t diff_min;
} ts_softmax_params;

ts_status ts_softmax_s8(const ts_softmax_params *params, int32_t rows,
                        int32_t row_size, const int8_t *input, int8_t *output);

/* LOGISTIC and TANH int8. Mirror reference_integer_ops::Logistic and Tanh
 * (gemmlowp logistic/tanh on Q4.27 input). */
typedef struct {
  int32_t input_zero_point;
  int32_t input_range_radius;
  int32_t input_multiplier;
  int32_t input_left_shift;
} ts_sigmoid_params;

ts_status ts_logistic_s8(const ts_sigmoid_params *params, int32_t size,
                         const int8_t *input, int8_t *output);
ts_status ts_tanh_s8(const ts_sigmoid_params *params, int32_t size,
                     const int8_t *input, int8_t *output);

/* Element-wise binary ops with broadcasting. The walk is over output dims;
 * each input is a ts_view whose steps are 0 along broadcast dimensions. */
typedef struct {
  int32_t dims[TS_MAX_DIMS];
} ts_shape;

/* ADD int8. Mirrors reference_integer_ops::Add / BroadcastAdd6DSlow. */
typedef struct {
  int32_t left_shift;
  int32_t input1_offset;
  ts_requant input1;
  int32_t input2_offset;
  ts_requant input2;
  int32_t output_offset;
  ts_requant output;
  ts_activation activation;
} ts_add_params;

ts_status ts_add_s8(const ts_add_params *params, const ts_shape *output_shape,
                    const ts_view *input1_view, const int8_t *input1,
                    const ts_view *input2_view, const int8_t *input2,
                    int8_t *output);

/* SUB int8. Mirrors reference_ops::Sub (SubElementwise) / BroadcastQuantSubSlow:
 * ADD's parameters (TFLM's PrepareGeneralSubOp computes them as add does, in
 * float), the difference of the rescaled inputs. */
ts_status ts_sub_s8(const ts_add_params *params, const ts_shape *output_shape,
                    const ts_view *input1_view, const int8_t *input1,
                    const ts_view *input2_view, const int8_t *input2,
                    int8_t *output);

/* MUL int8. Mirrors reference_integer_ops::Mul / BroadcastMul6DSlow. */
typedef struct {
  int32_t input1_offset;
  int32_t input2_offset;
  int32_t output_offset;
  ts_requant output;
  ts_activation activation;
} ts_mul_params;

ts_status ts_mul_s8(const ts_mul_params *params, const ts_shape *output_shape,
                    const ts_view *input1_view, const int8_t *input1,
                    const ts_view *input2_view, const int8_t *input2,
                    int8_t *output);

/* RELU, RELU6, RELU_N1_TO_1 and QUANTIZE int8 -> int8: requantize then clamp.
 * Mirrors ReluQuantized (activations_common.cc) and reference_ops::Requantize:
 * out = clamp(output_offset + MBQM(in - input_zero_point, m, s)).
 * TFLM's int8 RELU6 (Relu6Quantized) does NOT requantize: it clamps the input
 * bytes to [input zero point, quantized 6.0] whatever the output quantization.
 * Express it with requant = {1 << 30, 1}, MBQM's exact identity, and
 * input_zero_point == output_offset (e.g. both 0); the kernel then runs a
 * plain clamp. */
typedef struct {
  int32_t input_zero_point;
  int32_t output_offset;
  ts_requant requant;
  ts_activation activation;
} ts_requantize_params;

ts_status ts_requantize_s8(const ts_requantize_params *params, int32_t size,
                           const int8_t *input, int8_t *output);

/* LEAKY_RELU int8. Mirrors reference_ops::QuantizeLeakyRelu. */
typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  ts_requant identity;
  ts_requant alpha;
} ts_leaky_relu_params;

ts_status ts_leaky_relu_s8(const ts_leaky_relu_params *params, int32_t size,
                           const int8_t *input, int8_t *output);

/* DEQUANTIZE int8 -> float32: out = (float)(in - zero_point) * scale, which
 * equals TFLM's static_cast<float>(double(scale) * (in - zero_point)) for
 * every int8 input (the exact product fits a double; one rounding either
 * way). QUANTIZE float32 -> int8: round(in / scale) half away from zero,
 * plus zero point, clamped (AffineQuantize). */
typedef struct {
  int32_t zero_point;
  float scale;
} ts_affine_params;

ts_status ts_dequantize_s8_f32(const ts_affine_params *params, int32_t size,
                               const int8_t *input, float *output);
ts_status ts_quantize_f32_s8(const ts_affine_params *params, int32_t size,
                             const float *input, int8_t *output);

/* MEAN int8 over any set of axes. Mirrors reference_ops::QuantizedMeanOrSum
 * (compute_sum = false). The outer view walks output elements over the input
 * (kept dims), the inner view walks the reduced dims from there; count is the
 * number of reduced elements. The multiplier/shift already include the
 * 1/count scaling exactly as TFLM folds it in. Input element of output j,
 * reduced index r: outer.start + inner.start + sum(j_k * outer.step[k]) +
 * sum(r_k * inner.step[k]). */
typedef struct {
  int32_t input_zero_point;
  int32_t output_zero_point;
  int32_t count;
  ts_requant requant;
} ts_mean_params;

ts_status ts_mean_s8(const ts_mean_params *params, const ts_view *outer,
                     const ts_view *inner, const int8_t *input, int8_t *output);

/* Data movement (TRANSPOSE, STRIDED_SLICE, PAD, CONCATENATION, RESHAPE when
 * it cannot alias). Elements are elem_size bytes (1, 2 or 4). */

/* out[i] = in[view(i)] for every element of the view, in row-major order. */
ts_status ts_gather_view(int32_t elem_size, const ts_view *view,
                         const void *input, void *output);

/* PAD: output = pad_value everywhere, then the input copied into the
 * interior starting at `before` (per dim). Mirrors reference_ops::Pad.
 * pad_value's low elem_size bytes are the element (float32: its bits). */
typedef struct {
  int32_t input_dims[TS_MAX_DIMS];
  int32_t output_dims[TS_MAX_DIMS];
  int32_t before[TS_MAX_DIMS];
  int32_t pad_value;
} ts_pad_params;

ts_status ts_pad(int32_t elem_size, const ts_pad_params *params,
                 const void *input, void *output);

/* CONCATENATION, one input at a time: copies rows of row_bytes from src
 * (rows packed back to back) into dst, whose rows are dst_stride bytes apart.
 * Mirrors reference_ops::Concatenation with equal quantization. */
ts_status ts_copy_rows(int32_t rows, int32_t row_bytes, const void *src,
                       void *dst, int32_t dst_stride);

/* Plain byte copy (memmove semantics). */
void ts_copy_bytes(void *dst, const void *src, int32_t bytes);

/* GATHER (ops-move): out[b, o, k, i] = in[b, o, indices[b * coords + k], i] for
 * b < batches, o < outer, k < coords, i < inner (elements of elem_size bytes:
 * 1, 2 or 4). Mirrors TFLM's gather.cc (batch_dims folded into batches). An
 * index outside [0, axis_size) returns TS_ERROR_ARGUMENT (TFLM leaves it
 * undefined); the output may then be partly written. */
typedef struct {
  int32_t elem_size;
  int32_t batches;
  int32_t outer;
  int32_t axis_size;
  int32_t coords;
  int32_t inner;
} ts_gather_params;

ts_status ts_gather(const ts_gather_params *params, const void *input,
                    const int32_t *indices, void *output);

/* RESIZE_NEAREST_NEIGHBOR and RESIZE_BILINEAR (ops-move), NHWC tensors of
 * batches x input_height x input_width x depth into batches x output_height x
 * output_width x depth. */
typedef struct {
  int32_t elem_size;
  int32_t batches;
  int32_t input_height;
  int32_t input_width;
  int32_t output_height;
  int32_t output_width;
  int32_t depth;
  int32_t align_corners;
  int32_t half_pixel_centers;
} ts_resize_params;

/* Mirrors reference_ops::ResizeNearestNeighbor: the source row and column of
 * each output position from GetNearestNeighbor's float arithmetic. Elements
 * of elem_size bytes (1, 2 or 4). */
ts_status ts_resize_nearest(const ts_resize_params *params, const void *input,
                            void *output);

/* Mirrors reference_ops::ResizeBilinearInteger (int8, 10-bit fixed-point
 * weights, rounding half away from zero at 2^20). A source row or column past
 * the input (TFLM reads out of bounds there) is clamped to the last one. */
ts_status ts_resize_bilinear_s8(const ts_resize_params *params,
                                const int8_t *input, int8_t *output);

/* SPACE_TO_BATCH_ND and BATCH_TO_SPACE_ND (ops-move) on NHWC tensors (a
 * 3-D NHC tensor is NH1C with block_w 1). before_h/before_w: the top/left
 * padding (SPACE_TO_BATCH_ND) or crop (BATCH_TO_SPACE_ND). */
typedef struct {
  int32_t elem_size;
  ts_dims input_dims;
  ts_dims output_dims;
  int32_t block_h;
  int32_t block_w;
  int32_t before_h;
  int32_t before_w;
} ts_batch_space_params;

/* Mirrors reference_ops::SpaceToBatchND: output batch (i * block_w + j) *
 * input batches + b holds input rows i, i + block_h, ... and columns j, j +
 * block_w, ... of batch b after padding; padding elements are zero bytes (TFLM
 * micro never sets SpaceToBatchParams.output_offset, so it fills with 0). */
ts_status ts_space_to_batch(const ts_batch_space_params *params,
                            const void *input, void *output);

/* Mirrors reference_ops::BatchToSpaceND: the inverse walk, positions that the
 * crops remove skipped. */
ts_status ts_batch_to_space(const ts_batch_space_params *params,
                            const void *input, void *output);

/* GATHER_ND (ops-move): output slice i (slice_size elements of elem_size
 * bytes) is the params' elements from sum_j indices[i * index_depth + j] *
 * strides[j]. Mirrors TFLM's gather_nd.cc, which checks only that the slice
 * lies inside the params' flat_size elements: TS_ERROR_ARGUMENT otherwise. */
typedef struct {
  int32_t elem_size;
  int32_t slices;
  int32_t index_depth;
  int32_t slice_size;
  int32_t flat_size;
  int32_t strides[TS_MAX_DIMS];
} ts_gather_nd_params;

ts_status ts_gather_nd(const ts_gather_nd_params *params, const void *input,
                       const int32_t *indices, void *output);

/* CRC-32 (IEEE 802.3, as zlib and Espruino's E.CRC32), used to check packs. */
uint32_t ts_crc32(uint32_t crc, const uint8_t *data, int32_t length);

/* Fixed-point helpers, exact TFLite semantics, shared by the kernels. */
int32_t ts_multiply_by_quantized_multiplier(int32_t x, int32_t multiplier,
                                            int32_t shift);

/* ---------------------------------------------------------------------------
 * Op records (model pack ABI): the TS_OP_* codes and the ts_*_record structs
 * are generated from the op spec (kernels-c/spec/ops.json) into
 * tinysense_ops.h, included at the end of this header, after the parameter
 * structs the records embed. All fields int32, little-endian, 4-aligned.
 * "arena" offsets are bytes from the arena base, "pack" offsets bytes from
 * the pack base. -1 marks an absent optional operand.
 * ------------------------------------------------------------------------- */

/* Runs one op record. record, arena and pack are addresses in the caller's
 * memory (on Espruino: E.getAddressOf results). Returns TS_OK or a negative
 * ts_status. */
int32_t ts_invoke(const int32_t *record, uint8_t *arena, const uint8_t *pack);

/* Scratch-free CRC entry for engines: crc32 of length bytes at data. */
int32_t ts_checksum(const uint8_t *data, int32_t length);

/* ---------------------------------------------------------------------------
 * Audio front end: TFLM "signal" custom operators (micro_speech's audio
 * preprocessor) and the int32 element-wise ops and CAST around them.
 * Integer-only mirrors of tflite-micro signal/src (window.cc,
 * fft_auto_scale.cc, rfft_int16.cc = kissfft v130 FIXED_POINT=16, energy.cc,
 * filter_bank*.cc, pcan_argc_fixed.cc, log.cc) and of reference_ops
 * Add/Mul/Div/Minimum/Maximum on int32 (kernels-c/src/signal.c).
 * ------------------------------------------------------------------------- */

/* SignalWindow: out = saturate16((in * window) >> shift), the window applied
 * to each run of window_size samples of the input (size a multiple of it). */
ts_status ts_signal_window_s16(int32_t size, int32_t window_size, int32_t shift,
                               const int16_t *input, const int16_t *window, int16_t *output);
/* SignalFftAutoScale: out = in << bits, bits = max(0, 15 - msb(max |in|)). */
ts_status ts_signal_fft_auto_scale_s16(int32_t size, const int16_t *input,
                                       int16_t *output, int32_t *scale_bits);
/* SignalRfft int16: `frames` real FFTs of fft_length points (input_length
 * samples each, zero padded); output frames x (fft_length/2 + 1) complex
 * int16. twiddles: fft_length/2 complex (kissfft cfg of the half-length
 * complex FFT), super_twiddles: fft_length/4 complex (kiss_fftr), both
 * computed by the host compiler exactly as kissfft does. fft_length/2 must
 * factor into radix 4 and 2 stages. No scratch: the complex FFT lands in the
 * output, which the real-input split then rewrites in place. */
ts_status ts_signal_rfft_s16(int32_t fft_length, int32_t input_length, int32_t frames,
                             const int16_t *twiddles, const int16_t *super_twiddles,
                             const int16_t *input, int16_t *output);
/* SignalEnergy: output[i] = re^2 + im^2 for start <= i < end (others untouched). */
ts_status ts_signal_energy_s16(int32_t start, int32_t end, const int16_t *input,
                               uint32_t *output);
/* SignalFilterBank: num_channels + 1 channel accumulations (channel 0 is
 * discarded, as TFLM does); uint64 output. */
ts_status ts_signal_filter_bank(int32_t num_channels, const uint32_t *input,
                                const int16_t *weights, const int16_t *unweights,
                                const int16_t *freq_starts, const int16_t *weight_starts,
                                const int16_t *widths, uint64_t *output);
/* SignalFilterBankSquareRoot: out = Sqrt64(in) >> scale_bits. */
ts_status ts_signal_filter_bank_sqrt(int32_t num_channels, const uint64_t *input,
                                     int32_t scale_bits, uint32_t *output);

typedef struct {
  int32_t num_channels;
  int32_t smoothing;
  int32_t one_minus_smoothing;
  int32_t alternate_smoothing;
  int32_t alternate_one_minus_smoothing;
  int32_t smoothing_bits;
  int32_t spectral_subtraction_bits;
  int32_t min_signal_remaining;
  int32_t clamping;
} ts_spectral_subtraction_params;

/* SignalFilterBankSpectralSubtraction: noise_estimate is the persistent
 * state (num_channels uint32, zero after a reset), updated in place. */
ts_status ts_signal_spectral_subtraction(const ts_spectral_subtraction_params *params,
                                         const uint32_t *input, uint32_t *output,
                                         uint32_t *noise_estimate);
/* SignalPCAN (ApplyPcanAutoGainControlFixed). */
ts_status ts_signal_pcan(int32_t num_channels, int32_t snr_shift, const int16_t *gain_lut,
                         const uint32_t *noise_estimate, const uint32_t *input,
                         uint32_t *output);
/* SignalFilterBankLog. */
ts_status ts_signal_filter_bank_log(int32_t num_channels, int32_t output_scale,
                                    int32_t correction_bits, const uint32_t *input,
                                    int16_t *output);

/* CAST between integer types: element codes as the pack's tensor table
 * (1 int8, 2 int16, 3 int32, 5 uint8, 6 uint32); values convert as C's
 * static_cast does (sign or zero extension, truncation to the low bits). */
ts_status ts_cast(int32_t size, int32_t from_type, int32_t to_type, const void *input,
                  void *output);

/* ADD, MUL, DIV, MINIMUM, MAXIMUM on int32 with broadcasting, then the
 * activation clamp (reference_ops with int32 data; MUL and ADD wrap as
 * two's complement). DIV truncates toward zero; a zero divisor gives
 * TS_ERROR_ARGUMENT (TFLM fails the invoke). kind: TS_ELEMENTWISE_* (tinysense_ops.h). */
ts_status ts_elementwise_s32(int32_t kind, const ts_activation *activation,
                             const ts_shape *output_shape, const ts_view *input1_view,
                             const int32_t *input1, const ts_view *input2_view,
                             const int32_t *input2, int32_t *output);

/* The op records (generated from kernels-c/spec/ops.json). */
#include "tinysense_ops.h"

/* ts_invoke's decoder for the op codes of this section (invoke_signal.c). */
int32_t ts_invoke_signal(const int32_t *record, uint8_t *arena, const uint8_t *pack);

/* ===========================================================================
 * PREPROCESSING (preprocess.c): sensor data -> a model input, per frame.
 * This section is hand-written and independent of the op records above.
 * ===========================================================================
 *
 * Camera frames (pixel format conversion, crop, resize, quantization) and
 * sample windows (an accelerometer ring, oldest frame first, quantized to the
 * input's scale and zero point) become ONE native call each. Engines reach it
 * through ts_preprocess (Espruino: the blob's third entry, offset 8; the
 * JerryScript and Espruino-firmware natives; WebAssembly on the host).
 *
 * Unlike op records, parameters ARE validated here, before any byte is read
 * or written: sizes, dims and the byte counts of src and dst that the caller
 * states in the header (the device wrapper, device/preprocess.ts, checks them
 * against the real buffers). Inconsistent params: TS_ERROR_ARGUMENT and dst
 * untouched. No allocation, no state, integer-only except the samples step's
 * exact float compare. */

/* ts_pre_header.kind */
#define TS_PRE_IMAGE 1
#define TS_PRE_SAMPLES 2

/* A sample was NaN (JavaScript's quantize() throws for it); dst untouched. */
#define TS_PRE_ERROR_NAN (-3)

/* Every params struct starts with this. */
typedef struct {
  int32_t kind;      /* TS_PRE_IMAGE or TS_PRE_SAMPLES */
  int32_t bytes;     /* sizeof the whole params struct */
  int32_t src_bytes; /* bytes readable at src */
  int32_t dst_bytes; /* bytes writable at dst */
} ts_pre_header;

/* Source pixel formats. */
#define TS_PIXEL_GRAY8 1     /* 1 byte per pixel */
#define TS_PIXEL_RGB565_BE 2 /* 2 bytes, high byte first (OV2640/OV7670 through an ArduCAM FIFO) */
#define TS_PIXEL_RGB565_LE 3 /* 2 bytes, low byte first */
#define TS_PIXEL_RGB888 4    /* 3 bytes: R, G, B */
#define TS_PIXEL_YUYV 5      /* YUV 4:2:2, 4 bytes per 2 pixels: Y0 U Y1 V (width even) */

/* How the crop rectangle is scaled to dst_width x dst_height. */
#define TS_RESIZE_NEAREST 0 /* source pixel crop + (2 * o + 1) * crop / (2 * dst), per axis */
#define TS_RESIZE_AREA 1    /* rounded mean of the box [crop + o * crop / dst, crop + (o + 1) * crop / dst)
                               (at least one pixel), per channel */

/*
 * out[(y * dst_width + x) * dst_channels + c] = table[c][v], where v is the
 * 8-bit value of channel c of the resized crop: dst_channels 1 takes gray
 * (GRAY8 as is, YUYV's Y, RGB: (77 R + 150 G + 29 B + 128) >> 8), 3 takes
 * R, G, B (GRAY8: v, v, v; RGB565: 5/6 bits widened as (x << 3) | (x >> 2);
 * YUYV: full-range BT.601, R = Y + (359 (V-128) + 128) >> 8,
 * G = Y - (88 (U-128) + 183 (V-128) + 128) >> 8, B = Y + (454 (U-128) + 128) >> 8,
 * clamped to 0..255). The tables carry the quantization: the device builds
 * them once from the input's scale and zero point with quantize(), so the
 * native result equals the JavaScript path byte for byte.
 * Limits: src dims 1..4096 (area sums stay within uint32), dst dims 1..4096,
 * src_stride >= src_width x bytes per pixel, the last row inside src_bytes,
 * the crop inside the frame, dst_bytes >= dst_width x dst_height x channels.
 */
typedef struct {
  ts_pre_header header; /* kind TS_PRE_IMAGE, bytes sizeof(ts_pre_image_params) */
  int32_t format;       /* TS_PIXEL_* */
  int32_t src_width;
  int32_t src_height;
  int32_t src_stride;   /* bytes from one row to the next */
  int32_t crop_x;
  int32_t crop_y;
  int32_t crop_width;
  int32_t crop_height;
  int32_t dst_width;
  int32_t dst_height;
  int32_t dst_channels; /* 1 (gray) or 3 (R, G, B), HWC */
  int32_t resize;       /* TS_RESIZE_* */
  uint8_t table[3][256];
} ts_pre_image_params;

ts_status ts_preprocess_image(const ts_pre_image_params *params, const uint8_t *src, uint8_t *dst);

/* Sample types of a window. */
#define TS_SAMPLE_F32 1 /* float32: the real value */
#define TS_SAMPLE_S16 2 /* int16: real value = sample x sample_scale */

/*
 * A ring of `frames` frames of `channels` samples (frame f at samples
 * [f * channels, (f + 1) * channels)); `oldest` (ts_preprocess's arg) is the
 * frame written first. dst gets the frames oldest first, each sample as
 * clamp(round(real / scale) + zero_point, qmin, qmax), halves away from zero,
 * with the rounding decided EXACTLY (integer compare of the products), so it
 * equals JavaScript's quantize() (device/quant.ts: double division, which is
 * exact enough for float32 operands) for every sample; one byte per sample
 * (int8 when qmin >= -128, uint8 when qmax <= 255).
 * Limits: channels 1..64, frames 1..65536, scale and sample_scale positive
 * and finite (sample_scale 1 for F32), zero_point and qmin <= qmax within
 * -128..255 and one byte's range.
 */
typedef struct {
  ts_pre_header header; /* kind TS_PRE_SAMPLES, bytes sizeof(ts_pre_samples_params) */
  int32_t sample_type;  /* TS_SAMPLE_* */
  int32_t channels;
  int32_t frames;
  float sample_scale;
  float scale;          /* the input tensor's scale */
  int32_t zero_point;
  int32_t qmin;
  int32_t qmax;
} ts_pre_samples_params;

ts_status ts_preprocess_samples(const ts_pre_samples_params *params, const void *src, int32_t oldest,
                                uint8_t *dst);

/* The engines' entry: dispatches on params->kind after checking the header
 * (4-aligned, bytes == the struct's size). arg: the samples step's `oldest`,
 * 0 for images. Returns TS_OK or a negative status. */
int32_t ts_preprocess(const int32_t *params, const uint8_t *src, uint8_t *dst, int32_t arg);

/* ======================= end of PREPROCESSING ============================ */

#ifdef __cplusplus
}
#endif

#endif /* TINYSENSE_NN_H */
