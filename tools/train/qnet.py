"""Exported networks as plain layer lists (the engine's NHWC semantics), their float and int8
forward passes in numpy/torch (a bit-level model of the reference backend), post-training int8
quantisation, and the meta lines of models/FORMAT.md."""
import numpy as np
import torch
import torch.nn.functional as F

import mgm

# A layer is a dict: kind in conv2d|dense|maxpool|flatten|softmax|quantize|dequantize, plus
#   conv2d: weight [O,kh,kw,I], bias [O], kernel (kh,kw), pad (t,l,b,r), act
#   dense:  weight [out,in], bias [out], act
#   maxpool: kernel (kh,kw), stride (sh,sw)
#   globalavgpool: [N,H,W,C] -> [N,C] (int8: out_scale, out_zero)
# Quantised conv2d/dense also carry wq (int8), bq (int32), wscale [O], out_scale, out_zero.


def round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def _t(a, dtype=torch.float32):
    return torch.from_numpy(np.array(a, copy=True)).to(dtype)


def _conv_nhwc(x, w_ohwi, kernel, pad, dtype):
    """x [N,H,W,C] -> [N,H',W',O] without bias, zero padding, stride 1."""
    xt = _t(x, dtype).permute(0, 3, 1, 2)
    t, l, b, r = pad
    xt = F.pad(xt, (l, r, t, b))
    wt = _t(w_ohwi, dtype).permute(0, 3, 1, 2)
    return F.conv2d(xt, wt).permute(0, 2, 3, 1).numpy()


def _maxpool_nhwc(x, kernel, stride):
    n, h, w, c = x.shape
    kh, kw = kernel
    sh, sw = stride
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    out = None
    for i in range(kh):
        for j in range(kw):
            v = x[:, i:i + sh * (ho - 1) + 1:sh, j:j + sw * (wo - 1) + 1:sw, :]
            out = v.copy() if out is None else np.maximum(out, v)
    return out


def softmax(z):
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def forward_float(layers, x, record=None):
    """Float forward of normalised inputs x (NHWC or [N,57]). record: list to receive the output of every
    conv2d/dense (for calibration)."""
    x = np.asarray(x, dtype=np.float32)
    for L in layers:
        k = L["kind"]
        if k == "conv2d":
            x = _conv_nhwc(x, L["weight"], L["kernel"], L["pad"], torch.float32) + L["bias"]
        elif k == "dense":
            x = x @ L["weight"].T + L["bias"]
        elif k == "maxpool":
            x = _maxpool_nhwc(x, L["kernel"], L["stride"])
        elif k == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif k == "globalavgpool":
            x = x.mean(axis=(1, 2), dtype=np.float64)
        elif k == "softmax":
            x = softmax(x)
            continue
        else:
            raise ValueError("float forward: unexpected layer " + k)
        if k in ("conv2d", "dense", "globalavgpool"):
            if L.get("act") == "relu":
                x = np.maximum(x, 0)
            if record is not None:
                record.append(x)
        x = x.astype(np.float32)
    return x


def _qparams(lo, hi):
    """Per-tensor asymmetric int8 covering [lo, hi] (always including 0, so 0 is exact)."""
    lo, hi = min(float(lo), 0.0), max(float(hi), 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = np.float32((hi - lo) / 255.0)
    zero = int(np.clip(round(-128 - lo / float(scale)), -128, 127))
    return float(scale), zero


class RangeObserver:
    """Running min/max, or a percentile range from a reservoir of samples."""

    def __init__(self, pct=None, seed=0):
        self.lo, self.hi, self.pct = np.inf, -np.inf, pct
        self.samples = []
        self.rng = np.random.default_rng(seed)

    def update(self, a):
        a = np.asarray(a, dtype=np.float32).ravel()
        self.lo, self.hi = min(self.lo, float(a.min())), max(self.hi, float(a.max()))
        if self.pct is not None:
            self.samples.append(self.rng.choice(a, size=min(a.size, 200000), replace=False))

    def range(self):
        if self.pct is None:
            return self.lo, self.hi
        s = np.concatenate(self.samples)
        return float(np.percentile(s, self.pct)), float(np.percentile(s, 100 - self.pct))


def quantize_layers(layers, calib_batches, input_pct=None):
    """Post-training quantisation: per-output-channel symmetric int8 weights, per-tensor asymmetric int8
    activations with ranges observed on calib_batches (normalised training inputs). Returns the int8
    layer list: quantize, quantised conv/dense, pooling/flatten, dequantize, softmax."""
    n_q = sum(L["kind"] in ("conv2d", "dense", "globalavgpool") for L in layers)
    obs_in = RangeObserver(pct=input_pct)
    obs = [RangeObserver() for _ in range(n_q)]
    for xb in calib_batches:
        obs_in.update(xb)
        rec = []
        forward_float(layers, xb, record=rec)
        for o, a in zip(obs, rec):
            o.update(a)
    in_scale, in_zero = _qparams(*obs_in.range())
    out = [{"kind": "quantize", "scale": in_scale, "zero": in_zero}]
    cur_scale = in_scale
    qi = 0
    for L in layers:
        k = L["kind"]
        if k in ("conv2d", "dense"):
            w = L["weight"].astype(np.float64)
            axes = tuple(range(1, w.ndim))
            wmax = np.abs(w).max(axis=axes)
            wscale = np.where(wmax > 0, wmax / 127.0, 1.0).astype(np.float32)
            shape = (-1,) + (1,) * (w.ndim - 1)
            wq = np.clip(round_half_away(w / wscale.reshape(shape).astype(np.float64)), -127, 127)
            bscale = np.float64(np.float32(cur_scale)) * wscale.astype(np.float64)
            bq = np.clip(round_half_away(L["bias"].astype(np.float64) / bscale), -2**31, 2**31 - 1)
            lo, hi = obs[qi].range()
            out_scale, out_zero = _qparams(lo, hi)
            Q = dict(L)
            Q.update(wq=wq.astype(np.int8), bq=bq.astype(np.int32), wscale=wscale,
                     out_scale=out_scale, out_zero=out_zero)
            out.append(Q)
            cur_scale = out_scale
            qi += 1
        elif k == "globalavgpool":
            # Requantises the window mean: its own output range (narrower than the conv's it follows).
            out_scale, out_zero = _qparams(*obs[qi].range())
            out.append(dict(L, out_scale=out_scale, out_zero=out_zero))
            cur_scale = out_scale
            qi += 1
        elif k == "softmax":
            out.append({"kind": "dequantize"})
            out.append(L)
        else:
            out.append(L)
    return out


def forward_int8(qlayers, x):
    """Bit-level model of the reference int8 path: returns the final float output."""
    x = np.asarray(x, dtype=np.float32)
    scale, zero = None, None
    for L in qlayers:
        k = L["kind"]
        if k == "quantize":
            scale, zero = np.float32(L["scale"]), L["zero"]
            q = np.clip(round_half_away(x / scale) + zero, -128, 127)
            x = q.astype(np.float64)
        elif k in ("conv2d", "dense"):
            xc = x - zero  # real zero is exactly 0 in this domain, so zero padding is exact
            wq = L["wq"].astype(np.float64)
            if k == "conv2d":
                # float32 sums of int8 products are exact while every partial sum stays below 2^24.
                exact32 = wq[0].size * 128 * 127 < 2 ** 24
                acc = _conv_nhwc(xc, wq, L["kernel"], L["pad"], torch.float32 if exact32 else torch.float64)
                acc = acc.astype(np.float64)
            else:
                acc = xc @ wq.T
            acc = acc + L["bq"].astype(np.float64)
            mult = (np.float64(scale) * L["wscale"].astype(np.float64)) / np.float64(L["out_scale"])
            q = round_half_away(acc * mult) + L["out_zero"]
            lo = L["out_zero"] if L.get("act") == "relu" else -128
            x = np.clip(q, lo, 127)
            scale, zero = np.float32(L["out_scale"]), L["out_zero"]
        elif k == "maxpool":
            x = _maxpool_nhwc(x, L["kernel"], L["stride"])
        elif k == "flatten":
            x = x.reshape(x.shape[0], -1)
        elif k == "globalavgpool":
            # The engine: acc = sum(q - zero) over H*W, then float32 requantisation like conv's.
            count = x.shape[1] * x.shape[2]
            acc = (x - zero).sum(axis=(1, 2))
            mult = np.float32(np.float32(scale) / (np.float32(L["out_scale"]) * np.float32(count)))
            q = round_half_away((acc.astype(np.float32) * mult).astype(np.float64)) + L["out_zero"]
            x = np.clip(q, -128, 127)
            scale, zero = np.float32(L["out_scale"]), L["out_zero"]
        elif k == "dequantize":
            x = ((x - zero) * scale).astype(np.float32)
        elif k == "softmax":
            x = softmax(x.astype(np.float32))
        else:
            raise ValueError("int8 forward: unexpected layer " + k)
    return x


def layer_lines(writer, prefix, layers):
    """Adds the tensors of `layers` to writer and returns their meta lines."""
    lines = []
    for i, L in enumerate(layers):
        k = L["kind"]
        p = "%s.%d" % (prefix, i)
        if k in ("conv2d", "dense"):
            if "wq" in L:
                w = writer.add_tensor(p + ".weight", "i8", L["wq"])
                b = writer.add_tensor(p + ".bias", "i32", L["bq"])
                s = writer.add_tensor(p + ".weight_scale", "f32", L["wscale"])
                q = " weight_scale=%s out_scale=%s out_zero=%d" % (s, mgm.fmt_float(L["out_scale"]),
                                                                   L["out_zero"])
            else:
                w = writer.add_tensor(p + ".weight", "f32", L["weight"])
                b = writer.add_tensor(p + ".bias", "f32", L["bias"])
                q = ""
            if k == "conv2d":
                geo = " kernel=%d,%d stride=1,1 pad=%d,%d,%d,%d" % (tuple(L["kernel"]) + tuple(L["pad"]))
            else:
                geo = ""
            lines.append("%s weight=%s bias=%s%s act=%s%s" % (k, w, b, geo, L.get("act", "none"), q))
        elif k == "maxpool":
            lines.append("maxpool kernel=%d,%d stride=%d,%d" % (tuple(L["kernel"]) + tuple(L["stride"])))
        elif k == "quantize":
            lines.append("quantize scale=%s zero=%d" % (mgm.fmt_float(L["scale"]), L["zero"]))
        elif k == "globalavgpool":
            lines.append("globalavgpool" + (" out_scale=%s out_zero=%d" % (mgm.fmt_float(L["out_scale"]), L["out_zero"])
                                            if "out_scale" in L else ""))
        elif k in ("flatten", "softmax", "dequantize"):
            lines.append(k)
        else:
            raise ValueError("cannot export layer " + k)
    return lines


def network_block(writer, name, weight, input_lines, mean, std, layers):
    """Meta lines of one `network` block (without `end`)."""
    mean = np.asarray(mean, dtype=np.float32).ravel()
    std = np.asarray(std, dtype=np.float32).ravel()
    if mean.size == 1:
        norm = "normalize mean=%s std=%s" % (mgm.fmt_float(mean[0]), mgm.fmt_float(std[0]))
    else:
        m = writer.add_tensor(name + ".norm_mean", "f32", mean)
        s = writer.add_tensor(name + ".norm_std", "f32", std)
        norm = "normalize mean=%s std=%s" % (m, s)
    body = layer_lines(writer, name, layers)
    return (["network %s weight=%s" % (name, "%.9g" % float(weight))] + list(input_lines) + [norm]
            + ["layers %d" % len(body)] + body)


def param_count(layers):
    return int(sum(L["weight"].size + L["bias"].size for L in layers if L["kind"] in ("conv2d", "dense")))
