"""Checks that the C++ engine (`melgenre classify --format json --model M`) computes what the Python
float / int8 simulation of the same model file computes, on a few training files (never held-out).
usage: check_engine.py CLI MODEL.mgm AUDIO..."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn  # noqa: E402
import mgm  # noqa: E402
import qnet  # noqa: E402


def parse_layers(net, tensors):
    """Meta lines of one network -> (kind, normalize mean/std, qnet layer list)."""
    layers, kind, mean, std = [], None, None, None

    def val(tok):
        return dict(t.split("=", 1) for t in tok if "=" in t)

    def tensor_or_float(v):
        return np.asarray(tensors[v], dtype=np.float32) if v in tensors else np.float32(float(v))

    for tok in net["lines"]:
        k, kv = tok[0], val(tok[1:])
        if k == "input":
            kind = kv["kind"]
        elif k == "normalize":
            mean, std = tensor_or_float(kv["mean"]), tensor_or_float(kv["std"])
        elif k in ("conv2d", "dense"):
            L = {"kind": k, "act": kv.get("act", "none")}
            if k == "conv2d":
                L["kernel"] = tuple(int(v) for v in kv["kernel"].split(","))
                L["pad"] = tuple(int(v) for v in kv["pad"].split(","))
            w, b = tensors[kv["weight"]], tensors[kv["bias"]]
            if w.dtype == np.int8:
                L.update(wq=w, bq=b, wscale=tensors[kv["weight_scale"]],
                         out_scale=float(kv["out_scale"]), out_zero=int(kv["out_zero"]))
            else:
                L.update(weight=w, bias=b)
            layers.append(L)
        elif k == "maxpool":
            layers.append({"kind": k, "kernel": tuple(int(v) for v in kv["kernel"].split(",")),
                           "stride": tuple(int(v) for v in kv["stride"].split(","))})
        elif k == "quantize":
            layers.append({"kind": k, "scale": float(kv["scale"]), "zero": int(kv["zero"])})
        elif k == "globalavgpool":
            L = {"kind": k}
            if "out_scale" in kv:
                L.update(out_scale=float(kv["out_scale"]), out_zero=int(kv["out_zero"]))
            layers.append(L)
        elif k in ("flatten", "softmax", "dequantize"):
            layers.append({"kind": k})
    return kind, mean, std, layers


def python_probs(cli, model, path):
    """Track probabilities of the bundle by the Python simulation, features from the CLI."""
    labels = model["labels"]
    total, wsum = np.zeros(len(labels)), 0.0
    for net in model["networks"]:
        weight = float(net["name_line_weight"])
        kind, mean, std, layers = parse_layers(net, model["tensors"])
        int8 = any(L["kind"] == "quantize" for L in layers)
        if kind == "mel":
            with tempfile.TemporaryDirectory() as d:
                subprocess.run([cli, "features"] + cnn.CLI_ARGS + ["--out", os.path.join(d, "m.npy"), path],
                               check=True)
                mel = cnn.power_to_db_ref1(np.load(os.path.join(d, "m.npy")).T)
            x = ((cnn.segments(mel) - mean) / std)[..., None].astype(np.float32)
        else:
            r = subprocess.run([cli, "features", "--kind", "summary", "--format", "csv", path],
                               check=True, stdout=subprocess.PIPE, text=True)
            row = np.array([float(v) for v in r.stdout.strip().splitlines()[1].split(",")[2:]])
            x = ((row[None] - mean) / std).astype(np.float32)
        p = (qnet.forward_int8(layers, x) if int8 else qnet.forward_float(layers, x)).mean(0)
        total += weight * p
        wsum += weight
    return dict(zip(labels, total / wsum))


def load(path):
    m = mgm.read_model(path)
    for line in m["meta_lines"]:
        tok = line.split()
        if tok and tok[0] == "network":
            w = dict(t.split("=", 1) for t in tok[2:])["weight"]
            for net in m["networks"]:
                if net["name"] == tok[1]:
                    net["name_line_weight"] = w
    return m


def main():
    cli, model_path, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    model = load(model_path)
    worst = 0.0
    for f in files:
        r = subprocess.run([cli, "classify", "--format", "json", "--backend", "reference", "--model",
                            model_path, f], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            print("classify failed on %s: %s" % (f, r.stderr.strip()))
            return 1
        eng = json.loads(r.stdout.strip().splitlines()[-1])["scores"]
        py = python_probs(cli, model, f)
        d = max(abs(eng[k] - py[k]) for k in py)
        worst = max(worst, d)
        top_e, top_p = max(eng, key=eng.get), max(py, key=py.get)
        print("%s %s: engine %s %.4f, python %s %.4f, max |dp| %.5f" %
              (os.path.basename(model_path), os.path.basename(f), top_e, eng[top_e], top_p, py[top_p], d))
    print("%s: worst max |dp| over %d files = %.5f" % (os.path.basename(model_path), len(files), worst))
    return 0


if __name__ == "__main__":
    sys.exit(main())
