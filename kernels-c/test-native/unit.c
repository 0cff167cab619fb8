/*
 * Native unit test of the tinysense kernels: known exact values (taken from
 * TFLite's reference code and checked by hand where the arithmetic is
 * simple). Plain C99, host compiler; run by kernels-c/test-native/run.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tinysense_nn.h"

static int passed, failed;

#define CHECK_EQ(what, got, want)                                                  \
  do {                                                                             \
    long long g_ = (long long)(got), w_ = (long long)(want);                       \
    if (g_ == w_) {                                                                \
      passed++;                                                                    \
    } else {                                                                       \
      failed++;                                                                    \
      printf("FAIL %s:%d %s: got %lld, want %lld\n", __FILE__, __LINE__, what, g_, \
             w_);                                                                  \
    }                                                                              \
  } while (0)

static void check_bytes(const char *what, const int8_t *got, const int8_t *want, int n) {
  int i;
  for (i = 0; i < n; i++) {
    if (got[i] != want[i]) {
      failed++;
      printf("FAIL %s: byte %d got %d, want %d\n", what, i, got[i], want[i]);
      return;
    }
  }
  passed++;
}

#define I32MIN (-2147483647 - 1)
#define I32MAX 2147483647

static void test_mbqm(void) {
  /* x, multiplier, shift, TFLite's MultiplyByQuantizedMultiplier (double
   * rounding: SaturatingRoundingDoublingHighMul rounds ties up, then
   * RoundingDivideByPOT rounds ties away from zero). */
  static const int32_t cases[][4] = {
      {I32MIN, I32MIN, 0, I32MAX},      /* the one SRDHM overflow saturates */
      {I32MIN, I32MAX, 0, -2147483647}, /* -2^31 * (2^31-1) / 2^31 */
      {I32MIN, 1 << 30, 1, 0},          /* x * 2 wraps to 0, as TFLM on x86 */
      {-3, 1 << 30, 0, -1},             /* -1.5: SRDHM ties round up */
      {3, 1 << 30, 0, 2},               /* +1.5 -> 2 */
      {-4, 1 << 30, -2, -1},            /* -0.5 after SRDHM -> away from zero */
      {4, 1 << 30, -2, 1},
      {-6, 1 << 30, -2, -1},
      {-5, 1 << 30, -1, -1},            /* -2.5 -> -2, then -1 */
      {5, 1 << 30, -1, 2},              /* 1.25 -> 2: double rounding */
      {I32MAX, I32MAX, 0, 2147483646},
      {I32MIN, 1 << 30, -31, -1},
      {I32MAX, 1 << 30, -31, 1},
      {12345, 1518500250, -7, 68},
      {-12345, 1518500250, -7, -68},
      {100, 1 << 30, 30, 0},            /* 100 << 30 wraps to 0 */
      {-1, 1 << 30, -31, 0},
  };
  unsigned i;
  int32_t x;
  for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    CHECK_EQ("mbqm", ts_multiply_by_quantized_multiplier(cases[i][0], cases[i][1], cases[i][2]),
             cases[i][3]);
  }
  /* (1 << 30, shift 1) is the exact identity */
  for (x = -70000; x <= 70000; x += 7) {
    if (ts_multiply_by_quantized_multiplier(x, 1 << 30, 1) != x) {
      CHECK_EQ("mbqm identity", ts_multiply_by_quantized_multiplier(x, 1 << 30, 1), x);
      break;
    }
  }
  passed++;
}

static void test_softmax(void) {
  /* beta 1, input scale 0.1: PreprocessSoftmaxScaling gives (1717986918, 23),
   * diff_min = -CalculateInputRadius(5, 23) = -248 */
  ts_softmax_params p = {1717986918, 23, -248};
  static const int8_t in[16] = {-128, -100, -50, 0, 10, 20, 30, 127, 5, 5, 5, 5, 4, 3, -128, 6};
  static const int8_t want[16] = {-128, -128, -128, -128, -128, -128, -128, 127,
                                  -91,  -91,  -91,  -91,  -94,  -97,  -128, -87};
  int8_t out[16], big_in[600], big_out[600];
  CHECK_EQ("softmax status", ts_softmax_s8(&p, 2, 8, in, out), TS_OK);
  check_bytes("softmax rows", out, want, 16);
  /* 600 equal values: the sum of exps reaches 2^28 and TFLM's
   * TFLITE_CHECK(exponent <= 31) aborts; the kernel reports an error. */
  memset(big_in, 3, sizeof big_in);
  CHECK_EQ("softmax overflow", ts_softmax_s8(&p, 1, 600, big_in, big_out), TS_ERROR_ARGUMENT);
  memset(big_in, 3, 500);
  CHECK_EQ("softmax 500 equal", ts_softmax_s8(&p, 1, 500, big_in, big_out), TS_OK);
}

static void test_sigmoid(void) {
  /* input scale 0.1, zero point -10: multiplier 1717986918, left shift 24,
   * radius CalculateInputRadius(4, 24, 31) = 120 */
  ts_sigmoid_params p = {-10, 120, 1717986918, 24};
  static const int8_t in[9] = {-128, -100, -50, -11, -10, -9, 30, 100, 127};
  static const int8_t want_logistic[9] = {-128, -128, -123, -6, 0, 6, 123, 127, 127};
  static const int8_t want_tanh[9] = {-128, -128, -128, -13, 0, 13, 127, 127, 127};
  int8_t out[9];
  ts_logistic_s8(&p, 9, in, out);
  check_bytes("logistic", out, want_logistic, 9);
  ts_tanh_s8(&p, 9, in, out);
  check_bytes("tanh", out, want_tanh, 9);
}

static void test_conv(void) {
  /* 3x3 input 1..9, one 3x3 filter of ones, SAME padding 1, identity
   * requantization: each output is the sum of its in-image neighbours. */
  static const int8_t input[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  static const int8_t filter[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
  static const int8_t want[9] = {12, 21, 16, 27, 45, 33, 24, 39, 28};
  static const int32_t mult[1] = {1 << 30}, shift[1] = {1}, bias[1] = {-2};
  static const int8_t want_bias[9] = {10, 19, 14, 25, 43, 31, 22, 37, 26};
  ts_conv_params p;
  ts_per_channel_quant_params q;
  ts_dims in_d = {1, 3, 3, 1}, f_d = {1, 3, 3, 1}, out_d = {1, 3, 3, 1};
  int8_t out[9 + 4];
  memset(&p, 0, sizeof p);
  p.stride.w = p.stride.h = 1;
  p.padding.w = p.padding.h = 1;
  p.dilation.w = p.dilation.h = 1;
  p.activation.min = -128;
  p.activation.max = 127;
  q.multiplier = mult;
  q.shift = shift;
  memset(out, 0x5a, sizeof out);
  CHECK_EQ("conv status", ts_convolve_s8(NULL, &p, &q, &in_d, input, &f_d, filter, NULL, &out_d, out), TS_OK);
  check_bytes("conv same", out, want, 9);
  CHECK_EQ("conv no write past output", out[9], 0x5a);
  ts_convolve_s8(NULL, &p, &q, &in_d, input, &f_d, filter, bias, &out_d, out);
  check_bytes("conv bias", out, want_bias, 9);
  /* activation clamp and input offset: (x + 1) summed, clamped to [0, 30] */
  p.input_offset = 1;
  p.activation.min = 0;
  p.activation.max = 30;
  ts_convolve_s8(NULL, &p, &q, &in_d, input, &f_d, filter, NULL, &out_d, out);
  CHECK_EQ("conv offset corner", out[0], 16);
  CHECK_EQ("conv clamp center", out[4], 30);
}

static void test_pool(void) {
  /* average rounds half away from zero: (-3 + -2) / 2 -> -3, (1 + 2) / 2 -> 2 */
  static const int8_t in[4] = {-3, -2, 1, 2};
  int8_t out[2];
  ts_pool_params p;
  ts_dims in_d = {1, 2, 2, 1}, out_d = {1, 2, 1, 1};
  memset(&p, 0, sizeof p);
  p.stride.w = p.stride.h = 1;
  p.filter.w = 2;
  p.filter.h = 1;
  p.activation.min = -128;
  p.activation.max = 127;
  ts_avgpool_s8(NULL, &p, &in_d, in, &out_d, out);
  CHECK_EQ("avgpool -2.5", out[0], -3);
  CHECK_EQ("avgpool 1.5", out[1], 2);
  ts_maxpool_s8(NULL, &p, &in_d, in, &out_d, out);
  CHECK_EQ("maxpool", out[0], -2);
  /* a window entirely in the padding: TFLM's AveragePool fails */
  p.padding.w = 2;
  p.stride.w = 3;
  CHECK_EQ("avgpool empty window", ts_avgpool_s8(NULL, &p, &in_d, in, &out_d, out), TS_ERROR_ARGUMENT);
}

static void test_affine(void) {
  ts_affine_params p = {0, 1.0f};
  float f[8];
  int8_t q[8];
  uint32_t nan_bits = 0x7fc00000u;
  float nan_value;
  static const int8_t in[3] = {-128, 0, 127};
  float deq[3];
  memcpy(&nan_value, &nan_bits, 4);
  f[0] = 2.5f;
  f[1] = -2.5f;
  f[2] = 0.49999997f;
  f[3] = 1e10f;    /* out of int32: x86 cvttss2si gives INT32_MIN -> -128 */
  f[4] = -1e10f;
  f[5] = nan_value;
  f[6] = 126.5f;
  f[7] = -0.5f;
  ts_quantize_f32_s8(&p, 8, f, q);
  CHECK_EQ("quantize 2.5", q[0], 3);
  CHECK_EQ("quantize -2.5", q[1], -3);
  CHECK_EQ("quantize 0.49999997", q[2], 0);
  CHECK_EQ("quantize 1e10", q[3], -128);
  CHECK_EQ("quantize -1e10", q[4], -128);
  CHECK_EQ("quantize NaN", q[5], -128);
  CHECK_EQ("quantize 126.5", q[6], 127);
  CHECK_EQ("quantize -0.5", q[7], -1);
  p.zero_point = -5; /* INT32_MIN + (-5) wraps to a large positive value */
  ts_quantize_f32_s8(&p, 8, f, q);
  CHECK_EQ("quantize NaN zp -5", q[5], 127);
  p.zero_point = 3;
  p.scale = 0.5f;
  ts_dequantize_s8_f32(&p, 3, in, deq);
  CHECK_EQ("dequantize -128", (int)(deq[0] * 2), -131);
  CHECK_EQ("dequantize 0", (int)(deq[1] * 2), -3);
  CHECK_EQ("dequantize 127", (int)(deq[2] * 2), 124);
}

static void test_requantize(void) {
  int8_t in[256], out[256];
  int i, bad = 0;
  ts_requantize_params p;
  ts_leaky_relu_params lp;
  for (i = 0; i < 256; i++) in[i] = (int8_t)(i - 128);
  /* RELU6 as TFLM's int8 Relu6Quantized: a clamp to [zero, six] */
  memset(&p, 0, sizeof p);
  p.requant.multiplier = 1 << 30;
  p.requant.shift = 1;
  p.activation.min = -7;
  p.activation.max = 40;
  ts_requantize_s8(&p, 256, in, out);
  for (i = 0; i < 256; i++) {
    int v = in[i] < -7 ? -7 : in[i] > 40 ? 40 : in[i];
    if (out[i] != v) bad++;
  }
  CHECK_EQ("relu6 clamp", bad, 0);
  /* requantize by 1/2 with zero points: out = 3 + MBQM(x - (-1), 2^30, 0) */
  p.input_zero_point = -1;
  p.output_offset = 3;
  p.requant.shift = 0;
  p.activation.min = -128;
  p.activation.max = 127;
  ts_requantize_s8(&p, 256, in, out);
  CHECK_EQ("requantize -128", out[0], 3 + ts_multiply_by_quantized_multiplier(-127, 1 << 30, 0));
  CHECK_EQ("requantize -128 value", out[0], -60); /* -63.5 rounds up to -63 */
  CHECK_EQ("requantize 127", out[255], 67);
  /* LEAKY_RELU: identity above zero, x/4 below */
  lp.input_zero_point = 0;
  lp.output_zero_point = 0;
  lp.identity.multiplier = 1 << 30;
  lp.identity.shift = 1;
  lp.alpha.multiplier = 1 << 30;
  lp.alpha.shift = -1;
  ts_leaky_relu_s8(&lp, 256, in, out);
  CHECK_EQ("leaky -128", out[0], -32);
  CHECK_EQ("leaky -6", out[122], -2); /* SRDHM gives -3, then -1.5 rounds away from zero */
  CHECK_EQ("leaky 100", out[228], 100);
  lp.alpha.multiplier = -(1 << 30); /* negative alpha: -(x * |alpha|) */
  ts_leaky_relu_s8(&lp, 256, in, out);
  CHECK_EQ("leaky negative alpha", out[0], 32);
}

static void test_data_movement(void) {
  /* reverse a 2x3 matrix along both axes with negative steps */
  static const int8_t in[6] = {1, 2, 3, 4, 5, 6};
  static const int8_t want_rev[6] = {6, 5, 4, 3, 2, 1};
  static const int8_t want_t[6] = {1, 4, 2, 5, 3, 6};
  int8_t out[12];
  ts_view v;
  ts_pad_params pp;
  uint8_t bytes[10] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  int i;
  for (i = 0; i < 6; i++) {
    v.dims[i] = 1;
    v.step[i] = 0;
  }
  v.dims[4] = 2;
  v.dims[5] = 3;
  v.step[4] = -3;
  v.step[5] = -1;
  v.start = 5;
  ts_gather_view(1, &v, in, out);
  check_bytes("gather reverse", out, want_rev, 6);
  v.dims[4] = 3; /* transpose */
  v.dims[5] = 2;
  v.step[4] = 1;
  v.step[5] = 3;
  v.start = 0;
  ts_gather_view(1, &v, in, out);
  check_bytes("gather transpose", out, want_t, 6);
  /* pad a 2x3 to 3x4 with one row before and one column after */
  for (i = 0; i < 6; i++) {
    pp.input_dims[i] = pp.output_dims[i] = 1;
    pp.before[i] = 0;
  }
  pp.input_dims[4] = 2;
  pp.input_dims[5] = 3;
  pp.output_dims[4] = 3;
  pp.output_dims[5] = 4;
  pp.before[4] = 1;
  pp.pad_value = -9;
  ts_pad(1, &pp, in, out);
  {
    static const int8_t want_pad[12] = {-9, -9, -9, -9, 1, 2, 3, -9, 4, 5, 6, -9};
    check_bytes("pad", out, want_pad, 12);
  }
  /* memmove semantics both ways */
  ts_copy_bytes(bytes + 2, bytes, 7);
  CHECK_EQ("copy_bytes overlap forward", bytes[8], 6);
  CHECK_EQ("copy_bytes overlap forward start", bytes[2], 0);
  ts_copy_bytes(bytes, bytes + 3, 5);
  CHECK_EQ("copy_bytes overlap backward", bytes[0], 1);
  CHECK_EQ("copy_bytes overlap backward end", bytes[4], 5);
}

static void test_crc_and_invoke(void) {
  static const uint8_t check[9] = {'1', '2', '3', '4', '5', '6', '7', '8', '9'};
  int32_t record[2];
  uint8_t arena[4];
  CHECK_EQ("crc32 check value", ts_crc32(0, check, 9), 0xCBF43926u);
  CHECK_EQ("crc32 continued", ts_crc32(ts_crc32(0, check, 4), check + 4, 5), 0xCBF43926u);
  CHECK_EQ("checksum", (uint32_t)ts_checksum(check, 9), 0xCBF43926u);
  CHECK_EQ("crc32 empty", ts_crc32(0, check, 0), 0);
  record[0] = 99;
  record[1] = 2;
  CHECK_EQ("invoke unknown op", ts_invoke(record, arena, arena), TS_ERROR_UNKNOWN_OP);
  record[0] = TS_OP_SOFTMAX;
  CHECK_EQ("invoke short record", ts_invoke(record, arena, arena), TS_ERROR_ARGUMENT);
}

static void test_invoke_add(void) {
  /* ADD through ts_invoke with a broadcast constant from the pack:
   * same scales, zero points 0: the sum, computed the TFLM way. */
  ts_add_record r;
  int8_t arena[16];
  int8_t pack[4] = {10, -20, 30, 0};
  int i;
  memset(&r, 0, sizeof r);
  r.head.op = TS_OP_ADD;
  r.head.words = (int32_t)(sizeof r / 4);
  r.input1 = 0;
  r.input2 = 0;
  r.input2_in_pack = 1;
  r.output = 6;
  for (i = 0; i < 6; i++) {
    r.output_shape.dims[i] = r.input1_view.dims[i] = r.input2_view.dims[i] = 1;
  }
  r.output_shape.dims[4] = r.input1_view.dims[4] = r.input2_view.dims[4] = 2;
  r.output_shape.dims[5] = r.input1_view.dims[5] = r.input2_view.dims[5] = 3;
  r.input1_view.step[4] = 3;
  r.input1_view.step[5] = 1;
  r.input2_view.step[5] = 1; /* broadcast along dim 4 */
  /* twice_max = 2s; input multipliers 1/2 -> (2^30, 0); output 2s/(2^20 s) = 2^-19 -> (2^30, -18) */
  r.params.left_shift = 20;
  r.params.input1.multiplier = r.params.input2.multiplier = 1 << 30;
  r.params.output.multiplier = 1 << 30;
  r.params.output.shift = -18;
  r.params.activation.min = -128;
  r.params.activation.max = 127;
  for (i = 0; i < 6; i++) arena[i] = (int8_t)(i * 10 - 20);
  CHECK_EQ("invoke add", ts_invoke((const int32_t *)(const void *)&r, (uint8_t *)arena, (const uint8_t *)pack), TS_OK);
  {
    static const int8_t want[6] = {-10, -30, 30, 20, 0, 60};
    check_bytes("invoke add broadcast", arena + 6, want, 6);
  }
}

int main(void) {
  test_mbqm();
  test_softmax();
  test_sigmoid();
  test_conv();
  test_pool();
  test_affine();
  test_requantize();
  test_data_movement();
  test_crc_and_invoke();
  test_invoke_add();
  printf("unit: %d passed, %d failed\n", passed, failed);
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
