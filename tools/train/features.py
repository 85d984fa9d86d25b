"""Spectrogram features for training come from melgenre's own C++ code (`melgenre features`), so the
network sees in training exactly what the engine computes at inference."""
import os
import subprocess

import numpy as np

import cnn


def cache_name(path, label):
    # The CLI names outputs by the file stem; keep one folder per label so stems cannot collide.
    stem = os.path.basename(path)
    dot = stem.rfind(".")
    if dot > 0:
        stem = stem[:dot]
    return label, stem


def extract_mels(cli, items, work_dir, log=print, chunk=64):
    """items: [(audio path, label)]. Runs the CLI (one process per label and chunk of files) into
    work_dir/mel/<label>/<stem>.npy, reusing files already there, and returns the dB matrices [T, M]
    frame-major, in items' order."""
    todo = {}
    paths = []
    for path, label in items:
        lab, stem = cache_name(path, label)
        out = os.path.join(work_dir, "mel", lab, stem + ".npy")
        paths.append(out)
        if not os.path.exists(out):
            todo.setdefault(lab, []).append(path)
    for lab, files in sorted(todo.items()):
        d = os.path.join(work_dir, "mel", lab)
        os.makedirs(d, exist_ok=True)
        for i in range(0, len(files), chunk):
            part = files[i:i + chunk]
            r = subprocess.run([cli, "features"] + cnn.CLI_ARGS + ["--out-dir", d] + part,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            if r.returncode != 0:
                log("melgenre features failed (exit %d): %s" % (r.returncode, r.stderr.strip()))
    mels = []
    keep = []
    for k, out in enumerate(paths):
        if not os.path.exists(out):
            log("skipping %s: no features" % items[k][0])
            continue
        power = np.load(out)  # (bins, frames) float32, power mel
        if power.ndim != 2 or power.shape[0] != cnn.N_MELS:
            raise ValueError("%s: expected (%d, frames), got %s" % (out, cnn.N_MELS, power.shape))
        mels.append(cnn.power_to_db_ref1(power.T))
        keep.append(k)
    return mels, keep
