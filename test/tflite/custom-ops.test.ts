// A custom operator tinysense cannot run is named in the compile error, with what it is when known.
import { describe, expect, it } from 'vitest';
import { compileTflite } from '../../host/model.js';
import { addModelSpec, buildModel } from './build-model.js';

function withCustom(code: string): Uint8Array {
  const spec = addModelSpec();
  spec.codes = [{ builtin: 32, custom: code }];
  spec.operators = spec.operators.map((op) => ({ ...op, opcodeIndex: 0, optionsType: undefined, options: undefined }));
  return buildModel(spec);
}

describe('custom operators', () => {
  it('an Ethos-U op is named and explained', () => {
    expect(() => compileTflite(withCustom('ethos-u'))).toThrow(
      'operator 0 is the custom operator "ethos-u", which tinysense cannot run: it is an Arm Ethos-U NPU command stream (a model compiled by Vela); give tinysense the model from before Vela',
    );
  });
  it('any other custom op is named', () => {
    expect(() => compileTflite(withCustom('MyVendorOp'))).toThrow(/^operator 0 is the custom operator "MyVendorOp", which tinysense cannot run$/);
  });
});
