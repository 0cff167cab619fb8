/*
 * ts_invoke_signal: the record decoder for the audio front-end op codes
 * (TS_OP_SIGNAL_* , TS_OP_CAST, TS_OP_ELEMENTWISE_S32), called by ts_invoke.
 * Records are validated by the runtime (device/validate.ts) beforehand; here
 * only the record length is checked.
 */
#include <stddef.h>
#include "tinysense_nn.h"

#define WORDS(type) ((int32_t)(sizeof(type) / sizeof(int32_t)))
#define REC(type) const type *r = (const type *)(const void *)record; \
  if (words != WORDS(type)) return TS_ERROR_ARGUMENT

/* The op-set masks of a per-app blob, as in invoke.c. */
#ifndef TS_OPS_MASK0
#define TS_OPS_MASK0 0xffffffffu
#define TS_OPS_MASK1 0xffffffffu
#endif
#define BUILT(op) \
  if (!(((uint32_t)(TS_OPS_MASK0) >> (op)) & 1u)) return TS_ERROR_UNKNOWN_OP

static const void *at(int32_t offset, int32_t in_pack, uint8_t *arena, const uint8_t *pack) {
  return in_pack ? (const void *)(pack + offset) : (const void *)(arena + offset);
}

int32_t ts_invoke_signal(const int32_t *record, uint8_t *arena, const uint8_t *pack) {
  const int32_t words = record[1];
  switch (record[0]) {
    case TS_OP_SIGNAL_WINDOW: {
      BUILT(TS_OP_SIGNAL_WINDOW);
      REC(ts_signal_window_record);
      return ts_signal_window_s16(r->size, r->window_size, r->shift, (const int16_t *)(const void *)(arena + r->input),
                                  (const int16_t *)(const void *)(pack + r->window),
                                  (int16_t *)(void *)(arena + r->output));
    }
    case TS_OP_SIGNAL_FFT_AUTO_SCALE: {
      BUILT(TS_OP_SIGNAL_FFT_AUTO_SCALE);
      REC(ts_signal_fft_auto_scale_record);
      return ts_signal_fft_auto_scale_s16(r->size, (const int16_t *)(const void *)(arena + r->input),
                                          (int16_t *)(void *)(arena + r->output),
                                          (int32_t *)(void *)(arena + r->scale_bits));
    }
    case TS_OP_SIGNAL_RFFT: {
      BUILT(TS_OP_SIGNAL_RFFT);
      REC(ts_signal_rfft_record);
      return ts_signal_rfft_s16(r->fft_length, r->input_length, r->frames,
                                (const int16_t *)(const void *)(pack + r->twiddles),
                                (const int16_t *)(const void *)(pack + r->super_twiddles),
                                (const int16_t *)(const void *)(arena + r->input),
                                (int16_t *)(void *)(arena + r->output));
    }
    case TS_OP_SIGNAL_ENERGY: {
      BUILT(TS_OP_SIGNAL_ENERGY);
      REC(ts_signal_energy_record);
      return ts_signal_energy_s16(r->start, r->end, (const int16_t *)(const void *)(arena + r->input),
                                  (uint32_t *)(void *)(arena + r->output));
    }
    case TS_OP_SIGNAL_FILTER_BANK: {
      BUILT(TS_OP_SIGNAL_FILTER_BANK);
      REC(ts_signal_filter_bank_record);
      return ts_signal_filter_bank(r->num_channels, (const uint32_t *)(const void *)(arena + r->input),
                                   (const int16_t *)(const void *)(pack + r->weights),
                                   (const int16_t *)(const void *)(pack + r->unweights),
                                   (const int16_t *)(const void *)(pack + r->freq_starts),
                                   (const int16_t *)(const void *)(pack + r->weight_starts),
                                   (const int16_t *)(const void *)(pack + r->widths),
                                   (uint64_t *)(void *)(arena + r->output));
    }
    case TS_OP_SIGNAL_FILTER_BANK_SQRT: {
      BUILT(TS_OP_SIGNAL_FILTER_BANK_SQRT);
      REC(ts_signal_filter_bank_sqrt_record);
      return ts_signal_filter_bank_sqrt(
          r->num_channels, (const uint64_t *)(const void *)(arena + r->input),
          *(const int32_t *)at(r->scale_bits, r->scale_bits_in_pack, arena, pack),
          (uint32_t *)(void *)(arena + r->output));
    }
    case TS_OP_SIGNAL_SPECTRAL_SUBTRACTION: {
      BUILT(TS_OP_SIGNAL_SPECTRAL_SUBTRACTION);
      REC(ts_signal_spectral_subtraction_record);
      return ts_signal_spectral_subtraction(&r->params, (const uint32_t *)(const void *)(arena + r->input),
                                            (uint32_t *)(void *)(arena + r->output),
                                            (uint32_t *)(void *)(arena + r->noise_estimate));
    }
    case TS_OP_SIGNAL_PCAN: {
      BUILT(TS_OP_SIGNAL_PCAN);
      REC(ts_signal_pcan_record);
      return ts_signal_pcan(r->num_channels, r->snr_shift, (const int16_t *)(const void *)(pack + r->gain_lut),
                            (const uint32_t *)(const void *)(arena + r->noise_estimate),
                            (const uint32_t *)(const void *)(arena + r->input),
                            (uint32_t *)(void *)(arena + r->output));
    }
    case TS_OP_SIGNAL_FILTER_BANK_LOG: {
      BUILT(TS_OP_SIGNAL_FILTER_BANK_LOG);
      REC(ts_signal_filter_bank_log_record);
      return ts_signal_filter_bank_log(r->num_channels, r->output_scale, r->correction_bits,
                                       (const uint32_t *)(const void *)(arena + r->input),
                                       (int16_t *)(void *)(arena + r->output));
    }
    case TS_OP_CAST: {
      BUILT(TS_OP_CAST);
      REC(ts_cast_record);
      return ts_cast(r->size, r->from_type, r->to_type, arena + r->input, arena + r->output);
    }
    case TS_OP_ELEMENTWISE_S32: {
      BUILT(TS_OP_ELEMENTWISE_S32);
      REC(ts_elementwise_record);
      return ts_elementwise_s32(r->kind, &r->activation, &r->output_shape, &r->input1_view,
                                (const int32_t *)at(r->input1, r->input1_in_pack, arena, pack),
                                &r->input2_view,
                                (const int32_t *)at(r->input2, r->input2_in_pack, arena, pack),
                                (int32_t *)(void *)(arena + r->output));
    }
    default:
      return TS_ERROR_UNKNOWN_OP;
  }
}
