#!/usr/bin/python3
"""Writes a small random CNN model file (.mgm, models/FORMAT.md) for the CLI tests through the project's
one Python writer (tools/train/mgm.py). Never a shipped model: tests build it in their scratch dir.
Run with /usr/bin/python3 (Debian's numpy).

usage: make_test_model.py OUT.mgm [--seed N] [--frames F] [--hop H]
The network: [F frames x 16 mels x 1] -> conv 3x3 (4, relu, pad 1) -> maxpool 2x2 -> flatten ->
dense 10 -> softmax, GTZAN's 10 labels, recipe 22050 Hz, n_fft 512, hop 256, db=refmax.
"""
import argparse
import os
import random
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "train"))
import mgm  # noqa: E402

LABELS = "blues classical country disco hiphop jazz metal pop reggae rock".split()
N_MELS = 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--frames", type=int, default=32)
    ap.add_argument("--hop", type=int, default=16)
    a = ap.parse_args()
    rng = random.Random(a.seed)

    def rand(n, lo, hi):
        return [rng.uniform(lo, hi) for _ in range(n)]

    flat = (a.frames // 2) * (N_MELS // 2) * 4
    tensors = [  # name, shape, values (all float32)
        ("conv_w", [4, 3, 3, 1], rand(36, -0.5, 0.5)),
        ("conv_b", [4], rand(4, -0.1, 0.1)),
        ("dense_w", [10, flat], rand(10 * flat, -0.1, 0.1)),
        ("dense_b", [10], rand(10, -0.5, 0.5)),
    ]
    w = mgm.ModelWriter("cli-test-cnn", LABELS)
    w.add_info("built-by=tests/cli/make_test_model.py seed=%d" % a.seed)
    for name, shape, values in tensors:
        w.add_tensor(name, "f32", np.asarray(values, dtype=np.float64).reshape(shape))
    w.add_network([
        "network cnn weight=1",
        "input kind=mel",
        "recipe sample_rate=22050 kind=mel n_fft=512 hop=256 center=1 pad=constant n_mels=%d fmin=0 fmax=11025 "
        "htk=0 db=refmax top_db=80" % N_MELS,
        "segment frames=%d hop=%d" % (a.frames, a.hop),
        "normalize mean=-30 std=20",
        "layers 5",
        "  conv2d weight=conv_w bias=conv_b kernel=3,3 stride=1,1 pad=1,1,1,1 act=relu",
        "  maxpool kernel=2,2 stride=2,2",
        "  flatten",
        "  dense weight=dense_w bias=dense_b act=none",
        "  softmax",
    ])
    w.write(a.out)

if __name__ == "__main__":
    main()
