"""Writes a small random-weight mel CNN (.mgm) for the wasm/browser tests, used only while
models/default.mgm does not exist yet. Test data only: it goes to the test's temp dir, never to models/.

usage: /usr/bin/python3 tests/web/make_test_model.py OUT.mgm
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "train"))
import mgm  # noqa: E402

GENRES = "blues classical country disco hiphop jazz metal pop reggae rock".split()


def main(out):
    rng = np.random.default_rng(20261122)
    w = mgm.ModelWriter("web-test-cnn", GENRES)
    n_mels, frames, c1, c2 = 32, 128, 8, 12
    w.add_tensor("c1.w", "f32", rng.normal(0, 0.4, (c1, 3, 3, 1)))
    w.add_tensor("c1.b", "f32", rng.normal(0, 0.1, (c1,)))
    w.add_tensor("c2.w", "f32", rng.normal(0, 0.25, (c2, 3, 3, c1)))
    w.add_tensor("c2.b", "f32", rng.normal(0, 0.1, (c2,)))
    # Large output weights spread the logits, so top-1 is never a near tie between two genres.
    w.add_tensor("d.w", "f32", rng.normal(0, 3.0, (len(GENRES), c2)))
    w.add_tensor("d.b", "f32", np.zeros(len(GENRES)))
    w.add_network([
        "network cnn weight=1",
        "input kind=mel",
        "recipe sample_rate=22050 kind=mel n_fft=512 hop=256 center=1 pad=constant n_mels=%d fmin=0 "
        "fmax=11025 htk=0 db=ref1 top_db=80" % n_mels,
        "segment frames=%d hop=%d" % (frames, frames // 2),
        "normalize mean=-30 std=20",
        "layers 6",
        "conv2d weight=c1.w bias=c1.b kernel=3,3 stride=1,1 pad=1,1,1,1 act=relu",
        "maxpool kernel=4,4 stride=4,4",
        "conv2d weight=c2.w bias=c2.b kernel=3,3 stride=1,1 pad=1,1,1,1 act=relu",
        "globalavgpool",
        "dense weight=d.w bias=d.b act=none",
        "softmax",
    ])
    w.add_info("test-only random weights (tests/web/make_test_model.py)")
    w.write(out)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
