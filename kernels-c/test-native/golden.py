#!/usr/bin/env python3
"""Golden check of the C kernels against TFLM's own outputs.

Runs every model of models/ops/ (the committed corpus, models/README.md), plus
hello_world, micro_speech and person_detection, with the
kernels of kernels-c/src built as a host shared library, and compares each
output byte for byte with the golden file TFLM (reference kernels) produced.

The model reading and the parameter computation (multipliers, shifts,
padding, views) are a small independent re-implementation of what TFLM's
Prepare functions compute, written for this check only; the host compiler
(host/compiler/) is the real one. Pure Python 3 (no numpy).

    python3 kernels-c/test-native/golden.py [--models DIR] [--all] [-v]

--all adds mobilenet_v2 (about 300 M multiply-adds, a few seconds). It is not
committed (3.9 MB): it is read from models/ if someone put it there, else from
the workspace's ../shared/models, else skipped with a printed notice.

Exit status 0 when every output matches; a models folder without ops/ is an
error (status 1, says so).
"""
import ctypes
import json
import math
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
KERNELS = os.path.dirname(HERE)
ROOT = os.path.dirname(KERNELS)
# The one place this script learns where the corpus is (host/paths.ts MODELS_DIR for TypeScript).
MODELS_DIR = os.path.join(ROOT, "models")
# mobilenet_v2 is not committed; the workspace's corpus is the second place to look for it.
WORKSPACE_MODELS = os.path.join(ROOT, "..", "shared", "models")
MOBILENET = ("mobilenet_v2/mobilenet_v2_int8_1x3x224x224.tflite", "testdata/dog_1x3x224x224_int8.bin",
             "golden/mobilenet_v2/dog_logits_int8.bin")

# ----------------------------------------------------------------------------- flatbuffers


class Table:
    def __init__(self, buf, pos):
        self.buf, self.pos = buf, pos
        vt = pos - struct.unpack_from("<i", buf, pos)[0]
        self.vt = vt
        self.vt_size = struct.unpack_from("<H", buf, vt)[0]

    def _field(self, i):
        o = 4 + 2 * i
        if o >= self.vt_size:
            return 0
        return struct.unpack_from("<H", self.buf, self.vt + o)[0]

    def scalar(self, i, fmt, default=0):
        o = self._field(i)
        return struct.unpack_from("<" + fmt, self.buf, self.pos + o)[0] if o else default

    def _target(self, i):
        o = self._field(i)
        if not o:
            return None
        p = self.pos + o
        return p + struct.unpack_from("<I", self.buf, p)[0]

    def table(self, i):
        t = self._target(i)
        return Table(self.buf, t) if t is not None else None

    def vector(self, i, fmt):
        t = self._target(i)
        if t is None:
            return []
        n = struct.unpack_from("<I", self.buf, t)[0]
        size = struct.calcsize("<" + fmt)
        return [struct.unpack_from("<" + fmt, self.buf, t + 4 + k * size)[0] for k in range(n)]

    def bytes_(self, i):
        t = self._target(i)
        if t is None:
            return b""
        n = struct.unpack_from("<I", self.buf, t)[0]
        return bytes(self.buf[t + 4:t + 4 + n])

    def tables(self, i):
        t = self._target(i)
        if t is None:
            return []
        n = struct.unpack_from("<I", self.buf, t)[0]
        out = []
        for k in range(n):
            p = t + 4 + 4 * k
            out.append(Table(self.buf, p + struct.unpack_from("<I", self.buf, p)[0]))
        return out


OPS = {0: "ADD", 1: "AVERAGE_POOL_2D", 2: "CONCATENATION", 3: "CONV_2D", 4: "DEPTHWISE_CONV_2D",
       6: "DEQUANTIZE", 9: "FULLY_CONNECTED", 14: "LOGISTIC", 17: "MAX_POOL_2D", 18: "MUL",
       19: "RELU", 21: "RELU6", 22: "RESHAPE", 25: "SOFTMAX", 28: "TANH", 34: "PAD", 39: "TRANSPOSE",
       40: "MEAN", 45: "STRIDED_SLICE", 98: "LEAKY_RELU", 114: "QUANTIZE"}
TYPES = {0: ("f", 4), 2: ("i", 4), 9: ("b", 1), 3: ("B", 1), 7: ("h", 2), 4: ("q", 8)}


class Tensor:
    pass


def load_model(path):
    buf = open(path, "rb").read()
    model = Table(buf, struct.unpack_from("<I", buf, 0)[0])
    codes = []
    for oc in model.tables(1):
        codes.append(max(oc.scalar(0, "b"), oc.scalar(3, "i")))
    buffers = [b.bytes_(0) for b in model.tables(4)]
    sg = model.tables(2)[0]
    tensors = []
    for t in sg.tables(0):
        x = Tensor()
        x.shape = t.vector(0, "i")
        x.type = t.scalar(1, "b")
        x.data = buffers[t.scalar(2, "I")] or None
        q = t.table(4)
        x.scale = q.vector(2, "f") if q else []
        x.zero_point = q.vector(3, "q") if q else []
        tensors.append(x)
    ops = []
    for o in sg.tables(3):
        ops.append((OPS.get(codes[o.scalar(0, "I")], codes[o.scalar(0, "I")]), o.vector(1, "i"),
                    o.vector(2, "i"), o.table(4)))
    return tensors, sg.vector(1, "i"), sg.vector(2, "i"), ops


# ----------------------------------------------------------------------------- TFLM arithmetic


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


def round_away(x):  # std::round
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)


def quantize_multiplier(d):  # tflite::QuantizeMultiplier, double rounding build
    if d == 0.0:
        return 0, 0
    q, shift = math.frexp(d)
    q_fixed = int(round_away(q * (1 << 31)))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def act_range(act, scale, zp):  # CalculateActivationRangeQuantized, int8
    def q(f):
        return zp + int(round_away(f32(f / scale)))
    lo, hi = -128, 127
    if act == 1:
        lo = max(lo, q(0.0))
    elif act == 3:
        lo, hi = max(lo, q(0.0)), min(hi, q(6.0))
    elif act == 2:
        lo, hi = max(lo, q(-1.0)), min(hi, q(1.0))
    return lo, hi


def compute_padding(stride, dil, in_size, filt, out_size):
    eff = (filt - 1) * dil + 1
    total = (out_size - 1) * stride + eff - in_size
    return max(int(total / 2), 0)  # C++ truncating division, then max


# ----------------------------------------------------------------------------- C structs

I32 = ctypes.c_int32


def S(*fields):
    return type("S", (ctypes.Structure,), {"_fields_": list(fields)})


Dims = S(("n", I32), ("h", I32), ("w", I32), ("c", I32))
Tile = S(("w", I32), ("h", I32))
Act = S(("min", I32), ("max", I32))
Requant = S(("multiplier", I32), ("shift", I32))
PerCh = S(("multiplier", ctypes.POINTER(I32)), ("shift", ctypes.POINTER(I32)))
Ctx = S(("buf", ctypes.c_void_p), ("size", I32))
View = S(("dims", I32 * 6), ("step", I32 * 6), ("start", I32))
Shape = S(("dims", I32 * 6))
ConvP = S(("input_offset", I32), ("output_offset", I32), ("stride", Tile), ("padding", Tile),
          ("dilation", Tile), ("activation", Act))
DwP = S(("input_offset", I32), ("output_offset", I32), ("ch_mult", I32), ("stride", Tile),
        ("padding", Tile), ("dilation", Tile), ("activation", Act))
FcP = S(("input_offset", I32), ("filter_offset", I32), ("output_offset", I32), ("activation", Act))
FcDims = S(("batches", I32), ("accum_depth", I32), ("output_depth", I32))
PoolP = S(("stride", Tile), ("padding", Tile), ("filter", Tile), ("activation", Act))
SoftmaxP = S(("input_multiplier", I32), ("input_left_shift", I32), ("diff_min", I32))
SigmoidP = S(("input_zero_point", I32), ("input_range_radius", I32), ("input_multiplier", I32),
             ("input_left_shift", I32))
AddP = S(("left_shift", I32), ("input1_offset", I32), ("input1", Requant), ("input2_offset", I32),
         ("input2", Requant), ("output_offset", I32), ("output", Requant), ("activation", Act))
MulP = S(("input1_offset", I32), ("input2_offset", I32), ("output_offset", I32), ("output", Requant),
         ("activation", Act))
ReqP = S(("input_zero_point", I32), ("output_offset", I32), ("requant", Requant), ("activation", Act))
AffP = S(("zero_point", I32), ("scale", ctypes.c_float))
MeanP = S(("input_zero_point", I32), ("output_zero_point", I32), ("count", I32), ("requant", Requant))
PadP = S(("input_dims", I32 * 6), ("output_dims", I32 * 6), ("before", I32 * 6), ("pad_value", I32))


def kernel_cflags():
    """The flags every kernels-c build shares (kernels-c/cflags.txt)."""
    with open(os.path.join(KERNELS, "cflags.txt")) as f:
        return [line.split("#")[0].strip() for line in f if line.split("#")[0].strip()]


def build_library(tmp):
    srcs = sorted(os.path.join(KERNELS, "src", f) for f in os.listdir(os.path.join(KERNELS, "src"))
                  if f.endswith(".c"))
    lib = os.path.join(tmp, "libtinysense.so")
    subprocess.check_call(["gcc", *kernel_cflags(), "-O2", "-shared", "-fPIC", "-ffreestanding",
                           "-I" + os.path.join(KERNELS, "include"), *srcs, "-o", lib])
    return ctypes.CDLL(lib)


def buf(data):
    b = ctypes.create_string_buffer(bytes(data), max(1, len(data)))
    return b


def arr32(values):
    return (I32 * max(1, len(values)))(*values)


def prod(xs):
    p = 1
    for x in xs:
        p *= x
    return p


def strides(dims):
    st, s = [0] * len(dims), 1
    for k in range(len(dims) - 1, -1, -1):
        st[k] = s
        s *= dims[k]
    return st


def view6(dims, steps, start=0):
    v = View()
    pad = 6 - len(dims)
    for k in range(6):
        v.dims[k] = 1 if k < pad else dims[k - pad]
        v.step[k] = 0 if k < pad else steps[k - pad]
    v.start = start
    return v


# ----------------------------------------------------------------------------- interpreter


def run_model(lib, path, inputs_bytes):
    tensors, inputs, outputs, ops = load_model(path)
    val = {}
    off = 0
    for i in inputs:
        t = tensors[i]
        n = prod(t.shape) * TYPES[t.type][1]
        val[i] = inputs_bytes[off:off + n]
        off += n

    def data(i):
        return val[i] if i in val else tensors[i].data

    def sz(i):
        return tensors[i].scale[0]

    def zp(i):
        return tensors[i].zero_point[0] if tensors[i].zero_point else 0

    for name, ins, outs, opt in ops:
        o = outs[0]
        ot = tensors[o]
        out = ctypes.create_string_buffer(prod(ot.shape) * TYPES[ot.type][1] + 1)
        if name in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            dw = name == "DEPTHWISE_CONV_2D"
            it, ft = tensors[ins[0]], tensors[ins[1]]
            stride_w, stride_h = opt.scalar(1, "i"), opt.scalar(2, "i")
            act = opt.scalar(4 if dw else 3, "b")
            dil_w, dil_h = opt.scalar(5 if dw else 4, "i", 1), opt.scalar(6 if dw else 5, "i", 1)
            n, ih, iw, ic = it.shape
            _, oh, ow, oc = ot.shape
            fh, fw = ft.shape[1], ft.shape[2]
            mult, shift = [], []
            for c in range(oc):
                fs = ft.scale[c] if len(ft.scale) > 1 else ft.scale[0]
                m, s = quantize_multiplier(sz(ins[0]) * fs / sz(o))
                mult.append(m)
                shift.append(s)
            lo, hi = act_range(act, sz(o), zp(o))
            ma, sa = arr32(mult), arr32(shift)
            q = PerCh(ctypes.cast(ma, ctypes.POINTER(I32)), ctypes.cast(sa, ctypes.POINTER(I32)))
            bias = None
            if len(ins) > 2 and ins[2] >= 0:
                bias = buf(data(ins[2]))
            pads = Tile(compute_padding(stride_w, dil_w, iw, fw, ow), compute_padding(stride_h, dil_h, ih, fh, oh))
            common = dict(input_offset=-zp(ins[0]), output_offset=zp(o), stride=Tile(stride_w, stride_h),
                          padding=pads, dilation=Tile(dil_w, dil_h), activation=Act(lo, hi))
            ctx = Ctx(None, 0)
            if dw:
                p = DwP(ch_mult=oc // ic, **common)
                st = lib.ts_depthwise_conv_s8(ctypes.byref(ctx), ctypes.byref(p), ctypes.byref(q),
                                              ctypes.byref(Dims(*it.shape)), buf(data(ins[0])),
                                              ctypes.byref(Dims(*ft.shape)), buf(data(ins[1])), bias,
                                              ctypes.byref(Dims(*ot.shape)), out)
            else:
                p = ConvP(**common)
                st = lib.ts_convolve_s8(ctypes.byref(ctx), ctypes.byref(p), ctypes.byref(q),
                                        ctypes.byref(Dims(*it.shape)), buf(data(ins[0])),
                                        ctypes.byref(Dims(*ft.shape)), buf(data(ins[1])), bias,
                                        ctypes.byref(Dims(*ot.shape)), out)
        elif name == "FULLY_CONNECTED":
            ft = tensors[ins[1]]
            units, depth = ft.shape
            batches = prod(ot.shape) // units
            per_channel = len(ft.scale) > 1
            if per_channel:
                mq = [quantize_multiplier(sz(ins[0]) * s / sz(o)) for s in ft.scale]
            else:
                mq = [quantize_multiplier(f32(sz(ins[0]) * ft.scale[0]) / sz(o))]
            ma, sa = arr32([m for m, _ in mq]), arr32([s for _, s in mq])
            q = PerCh(ctypes.cast(ma, ctypes.POINTER(I32)), ctypes.cast(sa, ctypes.POINTER(I32)))
            lo, hi = act_range(opt.scalar(0, "b") if opt else 0, sz(o), zp(o))
            p = FcP(-zp(ins[0]), -(ft.zero_point[0] if ft.zero_point else 0), zp(o), Act(lo, hi))
            bias = buf(data(ins[2])) if len(ins) > 2 and ins[2] >= 0 else None
            st = lib.ts_fully_connected_s8(None, ctypes.byref(p), ctypes.byref(q), int(per_channel),
                                           ctypes.byref(FcDims(batches, depth, units)), buf(data(ins[0])),
                                           buf(data(ins[1])), bias, out)
        elif name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            it = tensors[ins[0]]
            pad_type = opt.scalar(0, "b")
            sw, sh, fw, fh = opt.scalar(1, "i"), opt.scalar(2, "i"), opt.scalar(3, "i"), opt.scalar(4, "i")
            lo, hi = act_range(opt.scalar(5, "b"), sz(o), zp(o))
            pads = Tile(compute_padding(sw, 1, it.shape[2], fw, ot.shape[2]),
                        compute_padding(sh, 1, it.shape[1], fh, ot.shape[1]))
            del pad_type
            p = PoolP(Tile(sw, sh), pads, Tile(fw, fh), Act(lo, hi))
            fn = lib.ts_avgpool_s8 if name == "AVERAGE_POOL_2D" else lib.ts_maxpool_s8
            st = fn(None, ctypes.byref(p), ctypes.byref(Dims(*it.shape)), buf(data(ins[0])),
                    ctypes.byref(Dims(*ot.shape)), out)
        elif name == "SOFTMAX":
            beta = opt.scalar(0, "f")
            real = min(beta * sz(ins[0]) * (1 << 26), (1 << 31) - 1.0)
            m, ls = quantize_multiplier(real)
            radius = math.floor(31.0 * (1 << 26) / (1 << ls))
            p = SoftmaxP(m, ls, -radius)
            row = ot.shape[-1]
            st = lib.ts_softmax_s8(ctypes.byref(p), prod(ot.shape) // row, row, buf(data(ins[0])), out)
        elif name in ("LOGISTIC", "TANH"):
            q, ls = math.frexp(sz(ins[0]) * (1 << 27))
            m = int(round_away(q * (1 << 31)))
            radius = math.floor(15.0 * (1 << 27) / (2.0 ** ls))
            p = SigmoidP(zp(ins[0]), radius, m, ls)
            fn = lib.ts_logistic_s8 if name == "LOGISTIC" else lib.ts_tanh_s8
            st = fn(ctypes.byref(p), prod(ot.shape), buf(data(ins[0])), out)
        elif name in ("ADD", "MUL"):
            a, b = tensors[ins[0]].shape, tensors[ins[1]].shape
            od = ot.shape
            shape = Shape()
            for k in range(6):
                shape.dims[k] = 1 if k < 6 - len(od) else od[k - (6 - len(od))]

            def bview(dims):
                d6 = [1] * (6 - len(dims)) + list(dims)
                st6 = strides(d6)
                v = View()
                for k in range(6):
                    v.dims[k] = shape.dims[k]
                    v.step[k] = 0 if d6[k] == 1 else st6[k]
                return v
            v1, v2 = bview(a), bview(b)
            lo, hi = act_range(opt.scalar(0, "b") if opt else 0, sz(o), zp(o))
            if name == "ADD":
                s1, s2 = sz(ins[0]), sz(ins[1])
                twice = 2 * max(s1, s2)
                m1, sh1 = quantize_multiplier(s1 / twice)
                m2, sh2 = quantize_multiplier(s2 / twice)
                mo, sho = quantize_multiplier(twice / ((1 << 20) * sz(o)))
                p = AddP(20, -zp(ins[0]), Requant(m1, sh1), -zp(ins[1]), Requant(m2, sh2), zp(o),
                         Requant(mo, sho), Act(lo, hi))
                fn = lib.ts_add_s8
            else:
                m, s = quantize_multiplier(sz(ins[0]) * sz(ins[1]) / sz(o))
                p = MulP(-zp(ins[0]), -zp(ins[1]), zp(o), Requant(m, s), Act(lo, hi))
                fn = lib.ts_mul_s8
            st = fn(ctypes.byref(p), ctypes.byref(shape), ctypes.byref(v1), buf(data(ins[0])),
                    ctypes.byref(v2), buf(data(ins[1])), out)
        elif name == "RELU":
            m, s = quantize_multiplier(f32(sz(ins[0]) / sz(o)))
            lo = max(-128, zp(o) + int(round_away(f32(0.0 / sz(o)))))
            p = ReqP(zp(ins[0]), zp(o), Requant(m, s), Act(lo, 127))
            st = lib.ts_requantize_s8(ctypes.byref(p), prod(ot.shape), buf(data(ins[0])), out)
        elif name == "RELU6":
            # TFLM int8 RELU6: a clamp to [zero point, quantized 6.0] in the input's quantization
            six = zp(ins[0]) + int(round_away(f32(6.0 / sz(ins[0]))))
            p = ReqP(0, 0, Requant(1 << 30, 1), Act(zp(ins[0]), six))
            st = lib.ts_requantize_s8(ctypes.byref(p), prod(ot.shape), buf(data(ins[0])), out)
        elif name == "QUANTIZE":
            it = tensors[ins[0]]
            if it.type == 0:
                p = AffP(zp(o), sz(o))
                st = lib.ts_quantize_f32_s8(ctypes.byref(p), prod(ot.shape), buf(data(ins[0])), out)
            else:
                m, s = quantize_multiplier(sz(ins[0]) / sz(o))
                p = ReqP(zp(ins[0]), zp(o), Requant(m, s), Act(-128, 127))
                st = lib.ts_requantize_s8(ctypes.byref(p), prod(ot.shape), buf(data(ins[0])), out)
        elif name == "DEQUANTIZE":
            p = AffP(zp(ins[0]), sz(ins[0]))
            st = lib.ts_dequantize_s8_f32(ctypes.byref(p), prod(ot.shape), buf(data(ins[0])), out)
        elif name == "MEAN":
            it = tensors[ins[0]]
            d = it.shape
            axes = sorted({(a + len(d)) % len(d) for a in struct.unpack("<%di" % (len(data(ins[1])) // 4), data(ins[1]))})
            count = prod(d[a] for a in axes)
            m, s = quantize_multiplier(sz(ins[0]) / sz(o))
            shift = min(count.bit_length() - 1, 32, 31 + s)
            fm, fs = (m << shift) // count, s - shift
            st6 = strides(d)
            outer = view6([1 if k in axes else d[k] for k in range(len(d))],
                          [0 if k in axes else st6[k] for k in range(len(d))])
            inner = view6([d[k] if k in axes else 1 for k in range(len(d))],
                          [st6[k] if k in axes else 0 for k in range(len(d))])
            p = MeanP(zp(ins[0]), zp(o), count, Requant(fm, fs))
            st = lib.ts_mean_s8(ctypes.byref(p), ctypes.byref(outer), ctypes.byref(inner), buf(data(ins[0])), out)
        elif name in ("RESHAPE",):
            out = ctypes.create_string_buffer(bytes(data(ins[0])), len(data(ins[0])) + 1)
            st = 0
        elif name == "PAD":
            it = tensors[ins[0]]
            pads = struct.unpack("<%di" % (2 * len(it.shape)), data(ins[1]))
            p = PadP()
            r = len(it.shape)
            for k in range(6):
                j = k - (6 - r)
                p.input_dims[k] = it.shape[j] if j >= 0 else 1
                p.output_dims[k] = ot.shape[j] if j >= 0 else 1
                p.before[k] = pads[2 * j] if j >= 0 else 0
            p.pad_value = struct.unpack("<b", data(ins[2])[:1])[0] if len(ins) > 2 and ins[2] >= 0 else zp(o)
            st = lib.ts_pad(1, ctypes.byref(p), buf(data(ins[0])), out)
        elif name == "CONCATENATION":
            axis = opt.scalar(0, "i")
            r = len(ot.shape)
            axis = (axis + r) % r
            outer = prod(ot.shape[:axis])
            inner = prod(ot.shape[axis + 1:])
            total = ot.shape[axis] * inner
            col = 0
            for i in ins:
                rb = tensors[i].shape[axis] * inner
                dst = ctypes.cast(ctypes.addressof(out) + col, ctypes.c_void_p)
                lib.ts_copy_rows(outer, rb, buf(data(i)), dst, total)
                col += rb
            st = 0
        elif name == "STRIDED_SLICE":
            it = tensors[ins[0]]
            r = len(it.shape)
            begin = struct.unpack("<%di" % r, data(ins[1]))
            end = struct.unpack("<%di" % r, data(ins[2]))
            strd = struct.unpack("<%di" % r, data(ins[3]))
            bm, em, shrink = opt.scalar(0, "i"), opt.scalar(1, "i"), opt.scalar(4, "i")
            st6 = strides(it.shape)
            dims, steps, start0 = [], [], 0
            for k in range(r):
                n, s = it.shape[k], strd[k]
                b = begin[k] + (n if begin[k] < 0 else 0)
                b = min(max(b, 0), n) if s > 0 else min(max(b, -1), n - 1)
                if bm & (1 << k):
                    b = 0 if s > 0 else n - 1
                if shrink & (1 << k):
                    e = b if b >= n else b + 1
                else:
                    e = end[k] + (n if end[k] < 0 else 0)
                    e = min(max(e, 0), n) if s > 0 else min(max(e, -1), n - 1)
                    if em & (1 << k):
                        e = n if s > 0 else -1
                cnt = max(0, (e - b + s - 1) // s) if s > 0 else max(0, (b - e - s - 1) // (-s))
                dims.append(cnt)
                steps.append(s * st6[k])
                start0 += b * st6[k]
            v = view6(dims, steps, start0)
            st = lib.ts_gather_view(1, ctypes.byref(v), buf(data(ins[0])), out)
        elif name == "TRANSPOSE":
            it = tensors[ins[0]]
            perm = struct.unpack("<%di" % len(it.shape), data(ins[1]))
            st6 = strides(it.shape)
            v = view6([it.shape[k] for k in perm], [st6[k] for k in perm])
            st = lib.ts_gather_view(TYPES[it.type][1], ctypes.byref(v), buf(data(ins[0])), out)
        else:
            raise RuntimeError("op %s not handled by golden.py" % name)
        if st != 0:
            raise RuntimeError("%s returned %d" % (name, st))
        val[o] = out.raw[:prod(ot.shape) * TYPES[ot.type][1]]
    return [val[o] for o in outputs]


def main():
    args = sys.argv[1:]
    verbose = "-v" in args
    models = MODELS_DIR
    if "--models" in args:
        models = args[args.index("--models") + 1]
    if not os.path.isdir(os.path.join(models, "ops")):
        print("golden.py: %s has no ops/ folder: not the reference corpus (models/README.md)" % models)
        print("0 passed, 1 failed")
        return 1
    passed = failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        lib = build_library(tmp)
        index = json.load(open(os.path.join(models, "ops", "index.json")))
        cases = []
        for m in index["models"]:
            for k, inp in enumerate(m["files"]["inputs"]):
                cases.append((m["name"], os.path.join(models, "ops", m["files"]["model"]),
                              os.path.join(models, "ops", inp),
                              [os.path.join(models, "ops", g) for g in m["files"]["golden"][k]]))
        extra = [
            ("hello_world", "hello_world/hello_world_int8.tflite", None, None),
            ("person", "person_detection/person_detect_int8.tflite", "testdata/person_96x96_int8.bin",
             ["golden/person_detection/person_scores_int8.bin"]),
            ("no_person", "person_detection/person_detect_int8.tflite", "testdata/no_person_96x96_int8.bin",
             ["golden/person_detection/no_person_scores_int8.bin"]),
        ]
        if "--all" in args:
            where = [d for d in (models, WORKSPACE_MODELS)
                     if all(os.path.exists(os.path.join(d, f)) for f in MOBILENET)]
            if where:
                model, inp, gold = (os.path.join(where[0], f) for f in MOBILENET)
                extra.append(("mobilenet_v2", model, inp, [gold]))
            else:
                print("golden.py: mobilenet_v2 skipped: not in %s nor %s (left out of the repository "
                      "for size, models/README.md)" % (models, WORKSPACE_MODELS))
        for w in ("yes", "no", "silence", "noise"):
            extra.append(("micro_speech_" + w, "micro_speech/micro_speech_quantized_int8.tflite",
                          "testdata/%s_features_49x40_int8.bin" % w,
                          ["golden/micro_speech/%s_scores_int8.bin" % w]))
        for name, model, inp, gold in extra:
            if name == "hello_world":
                allin = open(os.path.join(models, "golden/hello_world/inputs_all_int8.bin"), "rb").read()
                allout = open(os.path.join(models, "golden/hello_world/outputs_all_int8.bin"), "rb").read()
                for k in range(len(allin)):
                    cases.append(("hello_world[%d]" % k, os.path.join(models, model), allin[k:k + 1],
                                  [allout[k:k + 1]]))
                continue
            cases.append((name, os.path.join(models, model), os.path.join(models, inp),
                          [os.path.join(models, g) for g in gold]))
        for name, model, inp, gold in cases:
            inputs = inp if isinstance(inp, bytes) else open(inp, "rb").read()
            want = [g if isinstance(g, bytes) else open(g, "rb").read() for g in gold]
            try:
                got = run_model(lib, model, inputs)
                ok = len(got) == len(want) and all(a == b for a, b in zip(got, want))
                why = "" if ok else "output differs"
            except Exception as e:  # noqa: BLE001
                ok, why = False, str(e)
            if ok:
                passed += 1
                if verbose:
                    print("ok   %s" % name)
            else:
                failed += 1
                print("FAIL %s: %s" % (name, why))
    print("golden: %d passed, %d failed" % (passed, failed))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
