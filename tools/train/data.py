"""Training data: the folder-per-genre audio tree, the 57-feature CSV, the held-out exclusion set and
track-grouped cross-validation folds."""
import csv
import os
import re

import numpy as np

GTZAN_GENRES = ["blues", "classical", "country", "disco", "hiphop", "jazz", "metal", "pop", "reggae",
                "rock"]
AUDIO_EXT = (".wav", ".au", ".mp3", ".ogg", ".flac")
TRACK_RE = re.compile(r"^(?P<genre>[A-Za-z0-9_-]+)\.(?P<id>\d+)")


def track_key(filename):
    """'blues.00012.wav' -> 'blues.00012' (the track a file or excerpt belongs to)."""
    base = os.path.basename(filename)
    m = TRACK_RE.match(base)
    return "%s.%s" % (m.group("genre"), m.group("id")) if m else os.path.splitext(base)[0]


def track_number(filename):
    """Numeric track id if the file follows GTZAN naming, else None."""
    m = TRACK_RE.match(os.path.basename(filename))
    return int(m.group("id")) if m else None


def heldout_keys(heldout_dir):
    """Track keys of every audio file below heldout_dir (gtzan-mini): never trained or tuned on."""
    keys = set()
    if heldout_dir and os.path.isdir(heldout_dir):
        for root, _, files in os.walk(heldout_dir):
            for f in files:
                if f.lower().endswith(AUDIO_EXT):
                    keys.add(track_key(f))
    return keys


def list_audio_tree(root):
    """Folder-per-genre tree -> (sorted labels, [(path, label)]). Labels are the folder names that hold
    at least one audio file; GTZAN's genres/<g>/*.au layout and gtzan-excerpts/<g>/*.wav both fit."""
    items = []
    for g in sorted(os.listdir(root)):
        d = os.path.join(root, g)
        if not os.path.isdir(d):
            continue
        for dirpath, _, files in os.walk(d):
            for f in sorted(files):
                if f.lower().endswith(AUDIO_EXT):
                    items.append((os.path.join(dirpath, f), g))
    items.sort()
    labels = sorted({g for _, g in items})
    return labels, items


def load_features_csv(path):
    """-> (filenames, X [n,57] float64, labels [n] str, column names). Drops filename/length/label."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    cols = [c for c in head if c not in ("filename", "length", "label")]
    idx = [head.index(c) for c in cols]
    fi, li = head.index("filename"), head.index("label")
    names = [r[fi] for r in rows[1:]]
    X = np.array([[float(r[i]) for i in idx] for r in rows[1:]], dtype=np.float64)
    y = [r[li] for r in rows[1:]]
    if X.shape[1] != 57:
        raise ValueError("%s: expected 57 feature columns, found %d" % (path, X.shape[1]))
    return names, X, y, cols


def summary_targets(csv_path, keys, held):
    """The 57 summary features of each key's track (a training-only regression target of the CNN),
    standardised over the table's non-held-out rows; None when some key has no row."""
    names, X, _, _ = load_features_csv(csv_path)
    keep = [i for i, n in enumerate(names) if track_key(n) not in held]
    Xk = X[keep]
    mu, sd = Xk.mean(0), Xk.std(0) + 1e-9
    by_key = {track_key(names[i]): (X[i] - mu) / sd for i in keep}
    if any(k not in by_key for k in keys):
        return None
    return np.stack([by_key[k] for k in keys]).astype(np.float32)


def group_folds(keys, n_folds):
    """Fold index per item, grouped so that all items of a track AND its neighbours (a contiguous block
    of ids, since neighbouring GTZAN ids often share an artist) fall in the same fold. Files without a
    GTZAN id are grouped by track key, assigned round-robin in sorted order."""
    nums = [track_number(k) for k in keys]
    known = sorted({n for n in nums if n is not None})
    fold_of_num = {}
    if known:
        # Contiguous blocks of ids: ids sorted, cut into n_folds runs of (nearly) equal length.
        blocks = np.array_split(np.array(known), n_folds)
        for f, b in enumerate(blocks):
            for n in b:
                fold_of_num[int(n)] = f
    others = sorted({track_key(k) for k, n in zip(keys, nums) if n is None})
    fold_of_key = {k: i % n_folds for i, k in enumerate(others)}
    return np.array([fold_of_num[n] if n is not None else fold_of_key[track_key(k)]
                     for k, n in zip(keys, nums)])
