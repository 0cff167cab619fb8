// device/records.ts mirrors the ts_*_record structs of kernels-c/include/tinysense_nn.h. This test
// compiles the header with the host C compiler and checks every field's word index and every
// record's size against offsetof/sizeof, so the TypeScript and C layouts cannot drift apart.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as R from '../../device/records.js';
import { PACKAGE_ROOT } from '../../host/paths.js';


// [TypeScript layout, C struct, "tsField:c.member" ...]
const RECORDS: [R.Layout, string, string[]][] = [
  [R.CONV, 'ts_conv_record', ['input:input', 'filter:filter', 'bias:bias', 'multipliers:multipliers', 'shifts:shifts', 'output:output', 'scratch:scratch',
    'inputDims:input_dims', 'filterDims:filter_dims', 'outputDims:output_dims', 'inputOffset:params.input_offset', 'outputOffset:params.output_offset',
    'strideW:params.stride.w', 'strideH:params.stride.h', 'padW:params.padding.w', 'padH:params.padding.h', 'dilationW:params.dilation.w',
    'dilationH:params.dilation.h', 'actMin:params.activation.min', 'actMax:params.activation.max']],
  [R.DW_CONV, 'ts_dw_conv_record', ['input:input', 'filter:filter', 'bias:bias', 'multipliers:multipliers', 'shifts:shifts', 'output:output', 'scratch:scratch',
    'inputDims:input_dims', 'filterDims:filter_dims', 'outputDims:output_dims', 'inputOffset:params.input_offset', 'outputOffset:params.output_offset',
    'chMult:params.ch_mult', 'strideW:params.stride.w', 'strideH:params.stride.h', 'padW:params.padding.w', 'padH:params.padding.h',
    'dilationW:params.dilation.w', 'dilationH:params.dilation.h', 'actMin:params.activation.min', 'actMax:params.activation.max']],
  [R.FC, 'ts_fc_record', ['input:input', 'filter:filter', 'bias:bias', 'multipliers:multipliers', 'shifts:shifts', 'output:output', 'scratch:scratch',
    'perChannel:per_channel', 'batches:dims.batches', 'accumDepth:dims.accum_depth', 'outputDepth:dims.output_depth', 'inputOffset:params.input_offset',
    'filterOffset:params.filter_offset', 'outputOffset:params.output_offset', 'actMin:params.activation.min', 'actMax:params.activation.max']],
  [R.POOL, 'ts_pool_record', ['input:input', 'output:output', 'inputDims:input_dims', 'outputDims:output_dims', 'strideW:params.stride.w',
    'strideH:params.stride.h', 'padW:params.padding.w', 'padH:params.padding.h', 'filterW:params.filter.w', 'filterH:params.filter.h',
    'actMin:params.activation.min', 'actMax:params.activation.max']],
  [R.SOFTMAX, 'ts_softmax_record', ['input:input', 'output:output', 'rows:rows', 'rowSize:row_size', 'inputMultiplier:params.input_multiplier',
    'inputLeftShift:params.input_left_shift', 'diffMin:params.diff_min']],
  [R.SIGMOID, 'ts_sigmoid_record', ['input:input', 'output:output', 'size:size', 'inputZeroPoint:params.input_zero_point',
    'inputRangeRadius:params.input_range_radius', 'inputMultiplier:params.input_multiplier', 'inputLeftShift:params.input_left_shift']],
  [R.ADD, 'ts_add_record', ['input1:input1', 'input2:input2', 'output:output', 'input1InPack:input1_in_pack', 'input2InPack:input2_in_pack',
    'outputShape:output_shape', 'view1:input1_view', 'view2:input2_view', 'leftShift:params.left_shift', 'input1Offset:params.input1_offset',
    'input1Multiplier:params.input1.multiplier', 'input1Shift:params.input1.shift', 'input2Offset:params.input2_offset',
    'input2Multiplier:params.input2.multiplier', 'input2Shift:params.input2.shift', 'outputOffset:params.output_offset',
    'outputMultiplier:params.output.multiplier', 'outputShift:params.output.shift', 'actMin:params.activation.min', 'actMax:params.activation.max']],
  [R.MUL, 'ts_mul_record', ['input1:input1', 'input2:input2', 'output:output', 'input1InPack:input1_in_pack', 'input2InPack:input2_in_pack',
    'outputShape:output_shape', 'view1:input1_view', 'view2:input2_view', 'input1Offset:params.input1_offset', 'input2Offset:params.input2_offset',
    'outputOffset:params.output_offset', 'outputMultiplier:params.output.multiplier', 'outputShift:params.output.shift',
    'actMin:params.activation.min', 'actMax:params.activation.max']],
  [R.REQUANTIZE, 'ts_requantize_record', ['input:input', 'output:output', 'size:size', 'inputZeroPoint:params.input_zero_point',
    'outputOffset:params.output_offset', 'multiplier:params.requant.multiplier', 'shift:params.requant.shift', 'actMin:params.activation.min',
    'actMax:params.activation.max']],
  [R.LEAKY_RELU, 'ts_leaky_relu_record', ['input:input', 'output:output', 'size:size', 'inputZeroPoint:params.input_zero_point',
    'outputZeroPoint:params.output_zero_point', 'identityMultiplier:params.identity.multiplier', 'identityShift:params.identity.shift',
    'alphaMultiplier:params.alpha.multiplier', 'alphaShift:params.alpha.shift']],
  [R.AFFINE, 'ts_affine_record', ['input:input', 'output:output', 'size:size', 'zeroPoint:params.zero_point', 'scaleBits:params.scale']],
  [R.MEAN, 'ts_mean_record', ['input:input', 'output:output', 'outer:outer', 'inner:inner', 'inputZeroPoint:params.input_zero_point',
    'outputZeroPoint:params.output_zero_point', 'count:params.count', 'multiplier:params.requant.multiplier', 'shift:params.requant.shift']],
  [R.GATHER, 'ts_gather_record', ['input:input', 'output:output', 'elemSize:elem_size', 'inputInPack:input_in_pack', 'view:view']],
  [R.PAD, 'ts_pad_record', ['input:input', 'output:output', 'elemSize:elem_size', 'inputDims:params.input_dims', 'outputDims:params.output_dims',
    'before:params.before', 'padValue:params.pad_value']],
  [R.CONCAT, 'ts_concat_record', ['output:output', 'outerSize:outer_size', 'inputCount:input_count']],
  [R.COPY, 'ts_copy_record', ['input:input', 'output:output', 'bytes:bytes', 'inputInPack:input_in_pack']],
  [R.SIGNAL_WINDOW, 'ts_signal_window_record', ['input:input', 'window:window', 'output:output', 'size:size', 'windowSize:window_size', 'shift:shift']],
  [R.SIGNAL_FFT_AUTO_SCALE, 'ts_signal_fft_auto_scale_record', ['input:input', 'output:output', 'scaleBits:scale_bits', 'size:size']],
  [R.SIGNAL_RFFT, 'ts_signal_rfft_record', ['input:input', 'output:output', 'twiddles:twiddles', 'superTwiddles:super_twiddles',
    'fftLength:fft_length', 'inputLength:input_length', 'frames:frames']],
  [R.SIGNAL_ENERGY, 'ts_signal_energy_record', ['input:input', 'output:output', 'start:start', 'end:end']],
  [R.SIGNAL_FILTER_BANK, 'ts_signal_filter_bank_record', ['input:input', 'output:output', 'weights:weights', 'unweights:unweights',
    'freqStarts:freq_starts', 'weightStarts:weight_starts', 'widths:widths', 'numChannels:num_channels', 'numBins:num_bins', 'numWeights:num_weights']],
  [R.SIGNAL_FILTER_BANK_SQRT, 'ts_signal_filter_bank_sqrt_record', ['input:input', 'scaleBits:scale_bits', 'output:output',
    'scaleBitsInPack:scale_bits_in_pack', 'numChannels:num_channels']],
  [R.SIGNAL_SPECTRAL_SUBTRACTION, 'ts_signal_spectral_subtraction_record', ['input:input', 'output:output', 'noiseEstimate:noise_estimate',
    'numChannels:params.num_channels', 'smoothing:params.smoothing', 'oneMinusSmoothing:params.one_minus_smoothing',
    'alternateSmoothing:params.alternate_smoothing', 'alternateOneMinusSmoothing:params.alternate_one_minus_smoothing',
    'smoothingBits:params.smoothing_bits', 'spectralSubtractionBits:params.spectral_subtraction_bits',
    'minSignalRemaining:params.min_signal_remaining', 'clamping:params.clamping']],
  [R.SIGNAL_PCAN, 'ts_signal_pcan_record', ['input:input', 'noiseEstimate:noise_estimate', 'gainLut:gain_lut', 'output:output',
    'numChannels:num_channels', 'snrShift:snr_shift', 'lutSize:lut_size']],
  [R.SIGNAL_FILTER_BANK_LOG, 'ts_signal_filter_bank_log_record', ['input:input', 'output:output', 'numChannels:num_channels',
    'outputScale:output_scale', 'correctionBits:correction_bits']],
  [R.CAST, 'ts_cast_record', ['input:input', 'output:output', 'size:size', 'fromType:from_type', 'toType:to_type']],
  [R.ELEMENTWISE_S32, 'ts_elementwise_record', ['input1:input1', 'input2:input2', 'output:output', 'input1InPack:input1_in_pack',
    'input2InPack:input2_in_pack', 'kind:kind', 'actMin:activation.min', 'actMax:activation.max', 'outputShape:output_shape',
    'view1:input1_view', 'view2:input2_view']],
];

function cLayout(): Record<string, number> {
  const lines: string[] = [];
  for (const [, struct, fields] of RECORDS) {
    lines.push(`  printf("${struct}.sizeof=%d\\n", (int)(sizeof(${struct}) / 4));`);
    for (const f of fields) {
      const [ts, c] = f.split(':');
      lines.push(`  printf("${struct}.${ts}=%d\\n", (int)(offsetof(${struct}, ${c}) / 4));`);
    }
  }
  lines.push(`  printf("ts_concat_input.sizeof=%d\\n", (int)(sizeof(ts_concat_input) / 4));`);
  for (const [ts, c] of [['input', 'input'], ['inPack', 'in_pack'], ['rowBytes', 'row_bytes']]) {
    lines.push(`  printf("ts_concat_input.${ts}=%d\\n", (int)(offsetof(ts_concat_input, ${c}) / 4));`);
  }
  lines.push(`  printf("ts_view.dims=%d\\nts_view.step=%d\\nts_view.start=%d\\nts_view.sizeof=%d\\n", (int)(offsetof(ts_view, dims) / 4), (int)(offsetof(ts_view, step) / 4), (int)(offsetof(ts_view, start) / 4), (int)(sizeof(ts_view) / 4));`);
  const dir = mkdtempSync(join(tmpdir(), 'tinysense-records-'));
  const src = join(dir, 'layout.c');
  writeFileSync(src, `#include <stddef.h>\n#include <stdio.h>\n#include "tinysense_nn.h"\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
  execFileSync('cc', ['-std=c99', '-Wall', '-Werror', '-I', join(PACKAGE_ROOT, 'kernels-c', 'include'), src, '-o', join(dir, 'layout')]);
  const out = execFileSync(join(dir, 'layout'), { encoding: 'utf8' });
  return Object.fromEntries(out.trim().split('\n').map((l) => {
    const [k, v] = l.split('=');
    return [k, Number(v)];
  }));
}

describe('op record layouts', () => {
  const c = cLayout();
  for (const [layout, struct, fields] of RECORDS) {
    it(`${struct} matches device/records.ts`, () => {
      for (const f of fields) {
        const ts = f.split(':')[0];
        expect(layout[ts], `${struct}.${ts}`).toBe(c[`${struct}.${ts}`]);
      }
      expect(layout.words).toBe(c[`${struct}.sizeof`]);
    });
  }
  it('ts_concat_input and ts_view match', () => {
    expect(R.CONCAT_INPUT).toEqual({ input: c['ts_concat_input.input'], inPack: c['ts_concat_input.inPack'], rowBytes: c['ts_concat_input.rowBytes'], words: c['ts_concat_input.sizeof'] });
    expect(R.VIEW).toEqual({ dims: c['ts_view.dims'], step: c['ts_view.step'], start: c['ts_view.start'], words: c['ts_view.sizeof'] });
  });
  it('every signal op code has a layout and a name', () => {
    for (const [name, code] of Object.entries(R.SIGNAL_OP)) {
      expect(R.OP_NAMES[code]).toBe(name);
      expect(R.LAYOUTS[code]).toBeDefined();
    }
  });
  it('every op code has a layout and a name', () => {
    for (const [name, code] of Object.entries(R.OP)) {
      expect(R.OP_NAMES[code]).toBe(name);
      expect(R.LAYOUTS[code]).toBeDefined();
    }
  });
});

describe('audio front-end op codes and constants', () => {
  it('SIGNAL_OP and ELEMENTWISE match the header enums', () => {
    const names = Object.keys(R.SIGNAL_OP).map((k) => `TS_OP_${k}`);
    const kinds = Object.keys(R.ELEMENTWISE).map((k) => `TS_ELEMENTWISE_${k}`);
    const lines = [...names, ...kinds].map((n) => `  printf("${n}=%d\\n", (int)${n});`);
    const dir = mkdtempSync(join(tmpdir(), 'tinysense-signal-ops-'));
    const src = join(dir, 'ops.c');
    writeFileSync(src, `#include <stdio.h>\n#include "tinysense_nn.h"\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`);
    execFileSync('cc', ['-std=c99', '-Wall', '-Werror', '-I', join(PACKAGE_ROOT, 'kernels-c', 'include'), src, '-o', join(dir, 'ops')]);
    const c = Object.fromEntries(execFileSync(join(dir, 'ops'), { encoding: 'utf8' }).trim().split('\n').map((l) => {
      const [k, v] = l.split('=');
      return [k, Number(v)];
    }));
    for (const [k, v] of Object.entries(R.SIGNAL_OP)) expect(c[`TS_OP_${k}`], k).toBe(v);
    for (const [k, v] of Object.entries(R.ELEMENTWISE)) expect(c[`TS_ELEMENTWISE_${k}`], k).toBe(v);
  });
});
