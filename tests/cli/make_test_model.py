#!/usr/bin/env python3
"""Writes a small random CNN model file (.mgm, models/FORMAT.md) for the CLI tests, with the standard
library only (struct, zlib, random). Never a shipped model: tests build it in their scratch dir.

usage: make_test_model.py OUT.mgm [--seed N] [--frames F] [--hop H]
The network: [F frames x 16 mels x 1] -> conv 3x3 (4, relu, pad 1) -> maxpool 2x2 -> flatten ->
dense 10 -> softmax, GTZAN's 10 labels, recipe 22050 Hz, n_fft 512, hop 256, db=refmax.
"""
import argparse
import random
import struct
import zlib

LABELS = "blues classical country disco hiphop jazz metal pop reggae rock".split()
N_MELS = 16


def align(n):
    return (n + 63) // 64 * 64


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
    lines = ["melgenre-model 1", "name cli-test-cnn", "labels 10 " + " ".join(LABELS),
             "info built-by=tests/cli/make_test_model.py seed=%d" % a.seed]
    data = b""
    for name, shape, values in tensors:
        lines.append("tensor %s dtype=f32 shape=%s offset=%d" % (name, ",".join(map(str, shape)), len(data)))
        blob = struct.pack("<%df" % len(values), *values)
        data += blob + b"\0" * (align(len(blob)) - len(blob))
    lines += [
        "networks 1",
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
        "end",
    ]
    meta = ("\n".join(lines) + "\n").encode()
    data_offset = align(64 + len(meta))
    body = meta + b"\0" * (data_offset - 64 - len(meta)) + data
    size = 64 + len(body)
    header = b"MELGENRE" + struct.pack("<IIQQQQQ", 1, 64, size, 64, len(meta), data_offset, len(data))
    header += struct.pack("<II", zlib.crc32(body) & 0xFFFFFFFF, 0)
    assert len(header) == 64
    with open(a.out, "wb") as f:
        f.write(header + body)


if __name__ == "__main__":
    main()
