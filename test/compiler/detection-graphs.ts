/**
 * Seeded detection-style graphs (as SSD / YOLO-like camera models are built): a backbone of strided
 * convolutions where each stage cuts its feature map into row tiles (STRIDED_SLICE), pads each tile
 * (PAD), convolves it (CONV_2D, VALID, so the tile keeps its height) and joins the tiles again
 * (CONCATENATION); each stage has a box head (CONV_2D 1x1 -> RESHAPE to [1, n, 4]) and the heads are
 * concatenated into the output. Some start with a YOLOv5 "Focus" stem (four stride-2 slices joined along the
 * channels); some stages cut channel groups instead of row tiles. The arena planner's hard case: many short-lived tiles around long-lived maps.
 */
import { Graph, Operator, Tensor } from '../../host/compiler/graph.js';
import { prng } from '../shared.js';

export function detectionGraph(seed: number): Graph {
  const rand = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const tensors: Tensor[] = [];
  const operators: Operator[] = [];
  const tensor = (shape: number[], type: Tensor['type'] = 'int8', data: Uint8Array | null = null): number => {
    const quantized = type === 'int8';
    tensors.push({
      index: tensors.length, name: `t${tensors.length}`, type, typeName: type, shape,
      scales: quantized ? [0.05] : [], zeroPoints: quantized ? [0] : [], quantizedDimension: 0, data, isVariable: false,
    });
    return tensors.length - 1;
  };
  const ints = (values: number[]) => tensor([values.length], 'int32', new Uint8Array(Int32Array.from(values).buffer));
  const op = (name: string, inputs: number[], outputs: number[], options: Record<string, unknown> = {}) => {
    operators.push({ index: operators.length, name, version: 1, inputs, outputs, options });
  };
  const conv = (input: number, out: number[], k: number, stride: number, padding: 'SAME' | 'VALID'): number => {
    const inC = tensors[input].shape[3];
    const filter = tensor([out[3], k, k, inC], 'int8', new Uint8Array(out[3] * k * k * inC).map(() => int(0, 255)));
    const output = tensor(out);
    op('CONV_2D', [input, filter], [output], { strideW: stride, strideH: stride, padding, fusedActivationFunction: 'NONE' });
    return output;
  };

  const h0 = 2 ** int(4, 6);
  const input = tensor([1, h0, int(2, 5) * 8, int(1, 3)]);
  let x = input;
  if (rand() < 0.5) {
    // A "Focus" stem (YOLOv5): four stride-2 slices, one per pixel phase, joined along the channels.
    const [, h, w, c] = tensors[x].shape;
    const phases = [[0, 0], [1, 0], [0, 1], [1, 1]].map(([dy, dx]) => {
      const t = tensor([1, h / 2, w / 2, c]);
      op('STRIDED_SLICE', [x, ints([0, dy, dx, 0]), ints([1, h, w, c]), ints([1, 2, 2, 1])], [t]);
      return t;
    });
    const focus = tensor([1, h / 2, w / 2, 4 * c]);
    op('CONCATENATION', phases, [focus], { axis: 3, fusedActivationFunction: 'NONE' });
    x = focus;
  }
  const heads: number[] = [];
  const stages = int(2, 4);
  for (let s = 0; s < stages; s++) {
    const [, h, w] = tensors[x].shape;
    const c = rand() < 0.5 ? int(2, 8) : 16 * int(1, 2);
    const f = conv(x, [1, Math.ceil(h / 2), Math.ceil(w / 2), c], 3, 2, 'SAME');
    const fh = tensors[f].shape[1];
    const fw = tensors[f].shape[2];
    if (rand() < 0.4) {
      // Channel groups instead of row tiles: slice each group, 1x1-convolve it, join along the channels.
      const groups: number[] = [];
      for (let g = 0; g < c; g++) {
        const slice = tensor([1, fh, fw, 1]);
        op('STRIDED_SLICE', [f, ints([0, 0, 0, g]), ints([1, fh, fw, g + 1]), ints([1, 1, 1, 1])], [slice]);
        groups.push(conv(slice, [1, fh, fw, 1], 1, 1, 'VALID'));
      }
      const joined = tensor([1, fh, fw, c]);
      op('CONCATENATION', groups, [joined], { axis: 3, fusedActivationFunction: 'NONE' });
      const head = conv(joined, [1, fh, fw, 4], 1, 1, 'VALID');
      const boxes = tensor([1, fh * fw, 4]);
      op('RESHAPE', [head, ints([1, fh * fw, 4])], [boxes]);
      heads.push(boxes);
      x = joined;
      continue;
    }
    // Row tiles covering the map, of random heights.
    const cuts = [0];
    // Equal tiles half of the time: equal sizes are where planners' tie-breaking shows.
    const step = rand() < 0.5 ? Math.max(1, fh >> int(1, 3)) : 0;
    while (cuts[cuts.length - 1] < fh) cuts.push(Math.min(fh, cuts[cuts.length - 1] + (step || int(1, Math.max(1, fh >> 1)))));
    const tiles: number[] = [];
    for (let t = 0; t + 1 < cuts.length; t++) {
      const rows = cuts[t + 1] - cuts[t];
      const slice = tensor([1, rows, fw, c]);
      op('STRIDED_SLICE', [f, ints([0, cuts[t], 0, 0]), ints([1, cuts[t + 1], fw, c]), ints([1, 1, 1, 1])], [slice]);
      const padded = tensor([1, rows + 2, fw + 2, c]);
      op('PAD', [slice, ints([0, 0, 1, 1, 1, 1, 0, 0])], [padded]);
      tiles.push(conv(padded, [1, rows, fw, c], 3, 1, 'VALID'));
    }
    const joined = tensor([1, fh, fw, c]);
    op('CONCATENATION', tiles, [joined], { axis: 1, fusedActivationFunction: 'NONE' });
    const anchors = int(1, 3);
    const head = conv(joined, [1, fh, fw, 4 * anchors], 1, 1, 'VALID');
    const boxes = tensor([1, fh * fw * anchors, 4]);
    op('RESHAPE', [head, ints([1, fh * fw * anchors, 4])], [boxes]);
    heads.push(boxes);
    x = joined;
  }
  const total = heads.reduce((n, t) => n + tensors[t].shape[1], 0);
  const output = tensor([1, total, 4]);
  op('CONCATENATION', heads, [output], { axis: 1, fusedActivationFunction: 'NONE' });
  return { tensors, operators, inputs: [input], outputs: [output], description: `detection-style graph, seed ${seed}` };
}
