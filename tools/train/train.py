"""Trains melgenre's shipped models from scratch: seed 002 FNN (57 summary features), seed 001 CNN
(log-mel segments), a bundle fusing both with cross-validated weights; int8 post-training
quantisation; writes models/*.mgm and evaluates them with `melgenre eval` on the held-out tree.

Run through tools/train/train_all (which finds or builds the CLI). Held-out tracks (the files under
--heldout) are removed from every training set; epochs and fusion weights come from cross-validation
on training data grouped by blocks of neighbouring track ids."""
import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import card  # noqa: E402
import cnn  # noqa: E402
import data  # noqa: E402
import features  # noqa: E402
import fnn  # noqa: E402
import mgm  # noqa: E402
from metrics import accuracy, logloss  # noqa: E402
import qnet  # noqa: E402

SEED_FNN = 2
SEED_CNN = 1
FNN_CFG = dict(dropout=0.5, wd=1e-2, noise=0.3)
# Standardised summary features are heavy-tailed (|x| up to ~15): clipping the int8 input range to the
# 0.01/99.99 percentiles of the training rows kept int8 closer to float in CV (top-1 agreement with the
# float fold models 97.7 % vs 96.8 % with the min/max range).
FNN_INPUT_PCT = 0.01


def log(msg):
    print(msg, flush=True)


class Stages:
    def __init__(self):
        self.t0 = time.time()
        self.times = {}

    def run(self, name, fn, *a, **kw):
        t = time.time()
        log("== %s" % name)
        out = fn(*a, **kw)
        self.times[name] = time.time() - t
        log("== %s took %.1f s" % (name, self.times[name]))
        return out


# ---------------------------------------------------------------------------------------------- FNN
def fnn_stage(args, labels, held):
    names, X, ycsv, _ = data.load_features_csv(args.features_csv)
    keep = [i for i, n in enumerate(names) if data.track_key(n) not in held]
    unknown = sorted({v for v in ycsv if v not in labels})
    if unknown:
        raise SystemExit("features CSV has labels not in the audio tree: %s" % unknown)
    Xk = X[keep]
    yk = np.array([labels.index(ycsv[i]) for i in keep])
    keys = [data.track_key(names[i]) for i in keep]
    log("FNN: %d training rows (%d held-out rows dropped)" % (len(keep), len(names) - len(keep)))
    folds = data.group_folds(keys, args.fnn_folds)
    E = args.fnn_max_epochs
    acc = np.zeros(E)
    ll = np.zeros(E)
    probs = [np.zeros((len(yk), len(labels))) for _ in range(E)]
    for f in range(args.fnn_folds):
        tr, va = folds != f, folds == f
        _, _, _, h = fnn.train(Xk[tr], yk[tr], len(labels), E, SEED_FNN, Xk[va], yk[va], **FNN_CFG)
        for e, (l, a, p) in enumerate(h):
            acc[e] += a * va.sum()
            ll[e] += l * va.sum()
            probs[e][va] = p
    acc /= len(yk)
    ll /= len(yk)
    smooth = np.convolve(acc, np.ones(5) / 5, mode="same")
    best = int(np.argmax(smooth[2:-2]) + 2) if E > 5 else int(np.argmax(acc))
    epochs = best + 1
    log("FNN CV (%d folds by id block): best smoothed accuracy at epoch %d: acc %.3f logloss %.3f" %
        (args.fnn_folds, epochs, acc[best], ll[best]))
    model, mean, std, _ = fnn.train(Xk, yk, len(labels), epochs, SEED_FNN, **FNN_CFG)
    layers = fnn.export_layers(model)
    Xn = ((Xk - mean) / std).astype(np.float32)
    pf = qnet.forward_float(layers, Xn)
    with torch.no_grad():
        pt = torch.softmax(model(torch.from_numpy(Xn)), 1).numpy()
    assert np.abs(pf - pt).max() < 1e-4, "FNN export does not match torch"
    qlayers = qnet.quantize_layers(layers, [Xn], input_pct=FNN_INPUT_PCT)
    pq = qnet.forward_int8(qlayers, Xn)
    log("FNN int8 vs float on training rows: top-1 agreement %.3f, max |dp| %.3f" %
        (np.mean(pq.argmax(1) == pf.argmax(1)), np.abs(pq - pf).max()))
    # CV estimate for the quantised net: quantise each fold model at the chosen epoch.
    oof_q = np.zeros((len(yk), len(labels)))
    for f in range(args.fnn_folds):
        tr, va = folds != f, folds == f
        m, mu, sd, _ = fnn.train(Xk[tr], yk[tr], len(labels), epochs, SEED_FNN, **FNN_CFG)
        L = fnn.export_layers(m)
        ql = qnet.quantize_layers(L, [((Xk[tr] - mu) / sd).astype(np.float32)], input_pct=FNN_INPUT_PCT)
        oof_q[va] = qnet.forward_int8(ql, ((Xk[va] - mu) / sd).astype(np.float32))
    cv = {"folds": args.fnn_folds, "epochs": epochs, "accuracy_f32": float(acc[best]),
          "accuracy_int8": accuracy(oof_q, yk), "logloss_f32": float(ll[best]),
          "rows": int(len(yk))}
    log("FNN CV int8 accuracy %.3f" % cv["accuracy_int8"])
    return {"layers": layers, "qlayers": qlayers, "mean": mean, "std": std, "cv": cv,
            "oof": dict(zip(keys, probs[best])), "y": dict(zip(keys, yk)),
            "params": qnet.param_count(layers)}


# ---------------------------------------------------------------------------------------------- CNN
def cnn_calibration(mels, mean, std, limit=600):
    segs = np.concatenate([cnn.segments(m) for m in mels])
    rng = np.random.default_rng(0)
    if len(segs) > limit:
        segs = segs[np.sort(rng.choice(len(segs), limit, replace=False))]
    x = ((segs - mean) / std)[..., None].astype(np.float32)  # NHWC
    return [x[i:i + 50] for i in range(0, len(x), 50)]


def cnn_track_probs(layers, mels, mean, std, int8=False):
    out = []
    for m in mels:
        x = ((cnn.segments(m) - mean) / std)[..., None].astype(np.float32)
        p = qnet.forward_int8(layers, x) if int8 else qnet.forward_float(layers, x)
        out.append(p.mean(0))
    return np.stack(out)


def cnn_job(job):
    """One CNN training (a CV fold or the final model) in its own process with one thread, so the folds
    and the final model train side by side. Returns float and int8 out-of-fold probabilities (folds) or
    the trained weights (final)."""
    torch.set_num_threads(1)
    tag, mels, y, aux, tr, va, n_classes, E = job
    t = time.time()
    lines = []

    def jlog(s):
        lines.append("  %s %s (%.0f s)" % (tag, s, time.time() - t))
        print(lines[-1], flush=True)

    m, mu, sd, h = cnn.train([mels[i] for i in tr], y[tr], n_classes, E, SEED_CNN,
                             [mels[i] for i in va] if va is not None else None,
                             y[va] if va is not None else None, log=jlog,
                             aux_targets=aux[tr] if aux is not None else None)
    if va is None:  # the training-only summary head is not exported
        return {"tag": tag, "state": {k: v.clone() for k, v in m.state_dict().items() if not k.startswith("aux.")},
                "mean": mu, "std": sd}
    L = cnn.export_layers(m)
    ql = qnet.quantize_layers(L, cnn_calibration([mels[i] for i in tr], mu, sd))
    return {"tag": tag, "va": va, "curve": [a for _, a, _ in h], "p": h[-1][2],
            "pq": cnn_track_probs(ql, [mels[i] for i in va], mu, sd, int8=True)}


def cnn_start(args, labels, items, mels, keep, held):
    """Starts the CNN folds and the final CNN in worker processes; cnn_finish collects them."""
    y = np.array([labels.index(items[k][1]) for k in keep])
    keys = [data.track_key(items[k][0]) for k in keep]
    # Training-only second target: the 57 summary features of each excerpt's track (cross-validation
    # preferred it, see the model card); without a features table for every track the CNN trains alone.
    aux = data.summary_targets(args.features_csv, keys, held) if args.features_csv else None
    log("CNN auxiliary target (the track's 57 summary features): %s" %
        ("on" if aux is not None else "off (no summary row for every training track)"))
    log("CNN: %d training excerpts, %d epochs, %d CV folds + final model in parallel processes" %
        (len(mels), args.cnn_epochs, args.cnn_folds if args.cnn_folds > 1 else 0))
    E = args.cnn_epochs
    jobs = []
    folds = data.group_folds(keys, args.cnn_folds) if args.cnn_folds > 1 else None
    if folds is not None:
        for f in range(args.cnn_folds):
            jobs.append(("fold%d" % f, mels, y, aux, np.flatnonzero(folds != f), np.flatnonzero(folds == f),
                         len(labels), E))
    jobs.append(("final", mels, y, aux, np.arange(len(mels)), None, len(labels), E))
    pool = mp.get_context("spawn").Pool(len(jobs))
    pending = pool.map_async(cnn_job, jobs)
    return {"pool": pool, "pending": pending, "y": y, "keys": keys, "mels": mels, "E": E,
            "folds": args.cnn_folds if folds is not None else 0, "labels": labels}


def cnn_finish(st):
    results = st["pending"].get()
    st["pool"].close()
    st["pool"].join()
    y, keys, mels, E, labels = st["y"], st["keys"], st["mels"], st["E"], st["labels"]
    final = [r for r in results if r["tag"] == "final"][0]
    folds = [r for r in results if r["tag"] != "final"]
    cv = None
    oof = np.zeros((len(y), len(labels)))
    if folds:
        oof_q = np.zeros_like(oof)
        curves = np.zeros(E)
        for r in folds:
            oof[r["va"]] = r["p"]
            oof_q[r["va"]] = r["pq"]
            curves += np.array(r["curve"]) * len(r["va"])
        curves /= len(y)
        cv = {"folds": st["folds"], "epochs": E, "accuracy_f32": accuracy(oof, y),
              "accuracy_int8": accuracy(oof_q, y), "logloss_f32": logloss(oof, y),
              "excerpts": int(len(y)), "curve": [round(float(c), 4) for c in curves]}
        log("CNN CV (%d folds by id block, per excerpt): acc f32 %.3f int8 %.3f; per-epoch %s" %
            (st["folds"], cv["accuracy_f32"], cv["accuracy_int8"], cv["curve"]))
    model = cnn.CNN(len(labels))
    model.load_state_dict(final["state"])
    model.eval()
    mean, std = final["mean"], final["std"]
    layers = cnn.export_layers(model)
    calib = cnn_calibration(mels, mean, std)
    xs = calib[0][:8]
    with torch.no_grad():
        pt = torch.softmax(model(torch.from_numpy(xs[..., 0][:, None].copy())), 1).numpy()
    pf = qnet.forward_float(layers, xs)
    assert np.abs(pf - pt).max() < 1e-3, "CNN export does not match torch: %g" % np.abs(pf - pt).max()
    qlayers = qnet.quantize_layers(layers, calib)
    pq = cnn_track_probs(qlayers, mels, mean, std, int8=True)
    pf = cnn_track_probs(layers, mels, mean, std)
    log("CNN int8 vs float on training excerpts: top-1 agreement %.3f, max |dp| %.3f" %
        (np.mean(pq.argmax(1) == pf.argmax(1)), np.abs(pq - pf).max()))
    return {"layers": layers, "qlayers": qlayers, "mean": mean, "std": std, "cv": cv,
            "oof": dict(zip(keys, oof)) if cv else {}, "y": dict(zip(keys, y)),
            "params": qnet.param_count(layers)}


def summary_csv_from_audio(cli, items, work):
    """`--features-csv auto`: the 57-feature rows of the training audio itself, computed by
    `melgenre features --kind summary` (for a user's folder-per-genre tree of full tracks)."""
    out = os.path.join(work, "summary_auto.csv")
    lines, header = [], None
    for label in sorted({lab for _, lab in items}):
        files = [p for p, lab in items if lab == label]
        r = subprocess.run([cli, "features", "--kind", "summary", "--format", "csv", "--resample"] + files,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            log("melgenre features --kind summary (exit %d): %s" % (r.returncode, r.stderr.strip()[-500:]))
        rows = r.stdout.strip().splitlines()
        if not rows:
            continue
        header = rows[0] + ",label"
        lines += [row + "," + label for row in rows[1:]]
    if header is None:
        raise SystemExit("no summary rows could be computed from the audio tree")
    with open(out, "w") as f:
        f.write("\n".join([header] + lines) + "\n")
    log("summary rows of %d files -> %s" % (len(lines), out))
    return out


# --------------------------------------------------------------------------------------- fusion
def choose_weight(fnn_res, cnn_res):
    common = sorted(set(fnn_res["oof"]) & set(cnn_res["oof"]))
    if len(common) < 20:
        log("fusion: only %d tracks have out-of-fold predictions from both nets; weight 0.5" % len(common))
        return 0.5, {"tracks": len(common)}
    pf = np.stack([fnn_res["oof"][k] for k in common])
    pc = np.stack([cnn_res["oof"][k] for k in common])
    y = np.array([fnn_res["y"][k] for k in common])
    grid = np.round(np.arange(0, 1.0001, 0.05), 2)
    res = [(logloss(w * pc + (1 - w) * pf, y), accuracy(w * pc + (1 - w) * pf, y), w)
           for w in grid]
    ll, acc, w = min(res)
    log("fusion on %d tracks with out-of-fold predictions of both nets: CNN weight %.2f (logloss %.3f, "
        "acc %.3f; FNN alone %.3f, CNN alone %.3f)" % (len(common), w, ll, acc, res[0][1], res[-1][1]))
    return float(w), {"tracks": len(common), "cnn_weight": float(w), "accuracy": acc, "logloss": ll,
                      "accuracy_fnn_only": res[0][1], "accuracy_cnn_only": res[-1][1]}


# --------------------------------------------------------------------------------------- export
def fnn_block(w, res, int8, weight=1.0):
    return qnet.network_block(w, "fnn", weight, ["input kind=summary57"], res["mean"], res["std"],
                              res["qlayers"] if int8 else res["layers"])


def cnn_block(w, res, int8, weight=1.0):
    return qnet.network_block(w, "cnn", weight,
                              ["input kind=mel", cnn.RECIPE,
                               "segment frames=%d hop=%d" % (cnn.FRAMES, cnn.HOP)],
                              res["mean"], res["std"], res["qlayers"] if int8 else res["layers"])


def write_models(args, labels, fnn_res, cnn_res, weight, info):
    os.makedirs(args.out, exist_ok=True)
    written = {}

    def emit(fname, blocks):
        w = mgm.ModelWriter("melgenre-" + fname[:-4], labels)
        for line in info:
            w.add_info(line)
        for make, res, int8, wt in blocks:
            w.add_network(make(w, res, int8, wt))
        path = os.path.join(args.out, fname)
        n = w.write(path)
        written[fname] = n
        log("wrote %s (%d bytes)" % (path, n))

    for int8 in (False, True):
        sfx = "int8" if int8 else "f32"
        if fnn_res:
            emit("fnn-%s.mgm" % sfx, [(fnn_block, fnn_res, int8, 1.0)])
        if cnn_res:
            emit("cnn-%s.mgm" % sfx, [(cnn_block, cnn_res, int8, 1.0)])
        if fnn_res and cnn_res:
            emit("bundle-%s.mgm" % sfx, [(cnn_block, cnn_res, int8, weight),
                                         (fnn_block, fnn_res, int8, 1.0 - weight)])
    default = "bundle-int8.mgm" if (fnn_res and cnn_res) else ("cnn-int8.mgm" if cnn_res else "fnn-int8.mgm")
    with open(os.path.join(args.out, default), "rb") as f:
        blob = f.read()
    with open(os.path.join(args.out, "default.mgm"), "wb") as f:
        f.write(blob)
    written["default.mgm"] = len(blob)
    log("default.mgm = %s" % default)
    return written


def evaluate(args, files):
    """melgenre eval --format json on the held-out tree, for each model file."""
    results = {}
    if not args.heldout or not os.path.isdir(args.heldout):
        return results
    for fname in files:
        path = os.path.join(args.out, fname)
        t = time.time()
        r = subprocess.run([args.cli, "eval", "--format", "json", "--model", path, args.heldout],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            res = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            log("eval %s failed (exit %d): %s" % (fname, r.returncode, r.stderr.strip()[-300:]))
            continue
        res["seconds"] = round(time.time() - t, 1)
        results[fname] = res
        log("held-out eval %s: accuracy %s over %s tracks (%.0f s)" %
            (fname, res.get("accuracy"), res.get("tracks"), res["seconds"]))
    return results


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cli", required=True, help="the melgenre binary")
    ap.add_argument("--audio", required=True, help="folder-per-genre audio tree for the CNN")
    ap.add_argument("--features-csv", default="", help="57-feature CSV for the FNN ('' = no FNN, "
                    "'auto' = compute the rows of the --audio files with melgenre)")
    ap.add_argument("--heldout", default="", help="held-out folder-per-genre tree: excluded, then evaluated")
    ap.add_argument("--out", required=True, help="output folder for the .mgm files")
    ap.add_argument("--work", required=True, help="scratch folder (feature cache)")
    ap.add_argument("--cnn-epochs", type=int, default=60)
    ap.add_argument("--cnn-folds", type=int, default=3)
    ap.add_argument("--fnn-folds", type=int, default=5)
    ap.add_argument("--fnn-max-epochs", type=int, default=80)
    ap.add_argument("--no-eval", action="store_true")
    args = ap.parse_args()
    torch.set_num_threads(1)  # the CNN workers take the other core(s)
    torch.manual_seed(0)
    st = Stages()

    held = data.heldout_keys(args.heldout)
    labels, items = data.list_audio_tree(args.audio)
    if len(labels) < 2:
        raise SystemExit("%s: need at least two genre folders with audio" % args.audio)
    n_all = len(items)
    items = [it for it in items if data.track_key(it[0]) not in held]
    log("labels %s; %d audio files, %d after removing held-out tracks" % (" ".join(labels), n_all, len(items)))

    mels, keep = st.run("features (melgenre features)", features.extract_mels, args.cli, items, args.work, log)
    if args.features_csv == "auto":
        args.features_csv = st.run("summary rows (melgenre features --kind summary)",
                                   summary_csv_from_audio, args.cli, items, args.work)
    # The CNN trains in worker processes while the FNN trains here.
    cnn_state = st.run("CNN start", cnn_start, args, labels, items, mels, keep, held)
    fnn_res = st.run("FNN", fnn_stage, args, labels, held) if args.features_csv else None
    cnn_res = st.run("CNN (wait for workers, export, quantise)", cnn_finish, cnn_state)
    weight, fusion = (choose_weight(fnn_res, cnn_res) if fnn_res else (1.0, {}))
    info = ["trainer=tools/train/train_all seed_fnn=%d seed_cnn=%d" % (SEED_FNN, SEED_CNN),
            "data=%s excerpts=%d csv_rows=%s heldout_excluded=%d" %
            (os.path.basename(os.path.normpath(args.audio)), len(mels),
             fnn_res["cv"]["rows"] if fnn_res else 0, len(held)),
            "cnn_epochs=%d fnn_epochs=%s fusion_cnn_weight=%.2f" %
            (args.cnn_epochs, fnn_res["cv"]["epochs"] if fnn_res else "-", weight)]
    sizes = st.run("export", write_models, args, labels, fnn_res, cnn_res, weight, info)
    train_seconds = time.time() - st.t0
    evals = {} if args.no_eval else st.run("held-out eval (melgenre eval)", evaluate, args, sorted(sizes))
    summary = {
        "labels": labels,
        "training_seconds": round(train_seconds, 1),
        "stage_seconds": {k: round(v, 1) for k, v in st.times.items()},
        "params": {"fnn": fnn_res["params"] if fnn_res else 0, "cnn": cnn_res["params"]},
        "file_bytes": sizes,
        "cv": {"fnn": fnn_res["cv"] if fnn_res else None, "cnn": cnn_res["cv"], "fusion": fusion},
        "heldout": evals,
    }
    with open(os.path.join(args.work, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if evals:
        # models/card.json: the figures the model card states and tests/cli/model_card.sh re-measures.
        with open(os.path.join(args.out, "card.json"), "w") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
        readme = os.path.join(args.out, "README.md")
        if os.path.exists(readme):  # refresh the measured tables of the model card
            card.main(os.path.join(args.out, "card.json"), readme)
            log("model card tables refreshed in %s" % readme)
    log("stage times: " + ", ".join("%s %.1f s" % kv for kv in st.times.items()))
    log("training (features to export) took %.1f s; summary in %s" %
        (train_seconds, os.path.join(args.work, "summary.json")))


if __name__ == "__main__":
    main()
