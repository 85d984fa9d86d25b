#!/usr/bin/python3
"""Cross-validates CNN training variants the way train_all cross-validates the shipped CNN: 3 folds by
blocks of track ids over the training excerpts (held-out tracks removed), one crop per excerpt per
epoch, per-excerpt accuracy and log-loss of the out-of-fold probabilities. The model card's table of
tried variants comes from here; nothing here reads the held-out labels.

usage: tools/train/cv_variants.py [--cli BIN] [--data DIR] [--work DIR] NAME... | --list
       tools/train/cv_variants.py --mean NAME,NAME   (mean of saved out-of-fold probabilities)
Each run saves its out-of-fold probabilities to WORK/cv_NAME.npy. Folds train in 3 processes.
"""
import argparse
import multiprocessing as mp
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cnn  # noqa: E402
import data  # noqa: E402
import features  # noqa: E402
from metrics import accuracy, logloss  # noqa: E402

WIDE = (32, 64, 128, 128)  # the first global-pooling net (shipped before the current 16/32/64/64)
NO_AUX = {"aux": 0.0}      # without the training-only summary-feature head (shipped: aux 1.0)
VARIANTS = {
    "shipped": {},
    "seed2": {"seed": 2},
    "aux3": {"aux": 3.0},
    "no-aux": dict(NO_AUX),
    "no-aux-seed2": dict(NO_AUX, seed=2),
    "no-aux-mid": dict(NO_AUX, chans=(24, 48, 96, 96)),
    "no-aux-tiny": dict(NO_AUX, chans=(8, 16, 32, 32)),
    "no-aux-100ep": dict(NO_AUX, epochs=100),
    "wide": dict(NO_AUX, chans=WIDE),
    "wide-seed2": dict(NO_AUX, chans=WIDE, seed=2),
    "wide-specaug": dict(NO_AUX, chans=WIDE, specaug=True),
    "wide-mixup": dict(NO_AUX, chans=WIDE, mixup=0.4),
    "wide-100ep": dict(NO_AUX, chans=WIDE, epochs=100),
    "wide-dropout0.5": dict(NO_AUX, chans=WIDE, dropout=0.5),
    "wide-mix0.5": dict(NO_AUX, chans=WIDE, mix_p=0.5),
    "wide-smooth0.1": dict(NO_AUX, chans=WIDE, smoothing=0.1),
    "wide-aux": {"chans": WIDE},
}


def fold_job(job):
    import torch
    torch.set_num_threads(1)
    name, cfg, f, mels, y, aux, tr, va, epochs, seed = job
    t = time.time()
    _, _, _, hist = cnn.train([mels[i] for i in tr], y[tr], 10, epochs, seed, [mels[i] for i in va], y[va],
                              log=lambda s: print("  %s fold%d %s (%.0f s)" % (name, f, s, time.time() - t),
                                                  flush=True) if s.startswith("epoch %d " % epochs) else None,
                              aux_targets=aux[tr] if aux is not None else None, **cfg)
    return f, va, hist[-1][2]


def scores(p, y):
    return accuracy(p, y), logloss(p, y)


def main():
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("names", nargs="*")
    ap.add_argument("--cli", default=os.environ.get("MELGENRE", os.path.join(root, "build/native/melgenre")))
    ap.add_argument("--data", default=os.environ.get("MELGENRE_DATA", os.path.join(root, "../shared/data")))
    ap.add_argument("--work", default=os.path.join(root, "tools/train/work"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--mean", default="")
    args = ap.parse_args()
    if args.list or not (args.names or args.mean):
        for n, c in VARIANTS.items():
            print("%-16s %s" % (n, c))
        return
    unknown = [n for n in args.names if n not in VARIANTS]
    if unknown:
        sys.exit("cv_variants: unknown variant(s) %s (see --list)" % ", ".join(unknown))

    held = data.heldout_keys(os.path.join(args.data, "gtzan-mini/genres"))
    labels, items = data.list_audio_tree(os.path.join(args.data, "gtzan-excerpts"))
    items = [it for it in items if data.track_key(it[0]) not in held]
    mels, keep = features.extract_mels(args.cli, items, args.work, lambda s: None)
    y = np.array([labels.index(items[k][1]) for k in keep])
    keys = [data.track_key(items[k][0]) for k in keep]
    folds = data.group_folds(keys, 3)

    if args.mean:
        ps = [np.load(os.path.join(args.work, "cv_%s.npy" % n)) for n in args.mean.split(",")]
        print("RESULT mean(%s) acc %.3f ll %.3f" % ((args.mean,) + scores(np.mean(ps, 0), y)))
        return
    csv_path = os.path.join(args.data, "gtzan-features/features_30_sec.csv")
    for name in args.names:
        cfg = dict(VARIANTS[name])
        epochs, seed = cfg.pop("epochs", 60), cfg.pop("seed", 1)
        aux = data.summary_targets(csv_path, keys, held) if cfg.get("aux", cnn.CFG["aux"]) > 0 else None
        if cfg.get("aux", cnn.CFG["aux"]) > 0 and aux is None:
            sys.exit("cv_variants: %s needs a summary row for every training track" % csv_path)
        jobs = [(name, cfg, f, mels, y, aux, np.flatnonzero(folds != f), np.flatnonzero(folds == f), epochs, seed)
                for f in range(3)]
        t = time.time()
        with mp.get_context("spawn").Pool(3) as pool:
            res = pool.map(fold_job, jobs)
        oof = np.zeros((len(y), len(labels)))
        for _, va, p in res:
            oof[va] = p
        np.save(os.path.join(args.work, "cv_%s.npy" % name), oof)
        print("RESULT %s acc %.3f ll %.3f (%d excerpts, %.0f s)" % ((name,) + scores(oof, y) + (len(y), time.time() - t)),
              flush=True)


if __name__ == "__main__":
    main()
