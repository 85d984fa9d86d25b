"""Renders the measured tables of the model card from models/card.json, so the card quotes exactly
what `melgenre eval` measured.
usage: card.py models/card.json                 (print the tables)
       card.py models/card.json models/README.md (rewrite the blocks between <!-- card:X --> markers)"""
import contextlib
import io
import json
import re
import sys

ORDER = ["default.mgm", "bundle-int8.mgm", "bundle-f32.mgm", "cnn-int8.mgm", "cnn-f32.mgm",
         "fnn-int8.mgm", "fnn-f32.mgm"]


def pct(x):
    x = float(x)
    return "%.1f %%" % (100 * x if x <= 1 else x)


def files_table(c):
    ev = c["heldout"]
    names = [n for n in ORDER if n in ev] + sorted(n for n in ev if n not in ORDER)
    print("| model file | networks | bytes | held-out accuracy (100 tracks) |")
    print("| --- | --- | ---: | ---: |")
    for n in names:
        nets = "CNN + FNN" if n.startswith(("bundle", "default")) else n[:3].upper()
        kind = "int8" if ("int8" in n or n == "default.mgm") else "float32"
        print("| `%s` | %s, %s | %d | %s |" % (n, nets, kind, c["file_bytes"].get(n, 0), pct(ev[n]["accuracy"])))


def params_table(c):
    b = c["file_bytes"]
    print("| network | parameters | float32 file | int8 file |")
    print("| --- | ---: | ---: | ---: |")
    for net in ("fnn", "cnn"):
        print("| %s | %d | %d bytes | %d bytes |" % (net.upper(), c["params"][net], b.get(net + "-f32.mgm", 0),
                                                     b.get(net + "-int8.mgm", 0)))


def times_table(c):
    print("| stage | seconds |")
    print("| --- | ---: |")
    for k, v in c["stage_seconds"].items():
        print("| %s | %.0f |" % (k, v))
    print("| **total (features to export)** | **%.0f** |" % c["training_seconds"])


def cv_table(c):
    f, k, u = c["cv"]["fnn"], c["cv"]["cnn"], c["cv"]["fusion"]
    print("| model | folds (id blocks) | unit | float32 | int8 |")
    print("| --- | --- | --- | ---: | ---: |")
    if f:
        print("| FNN (%d epochs) | %d | 30 s track (CSV row), %d rows | %s | %s |" % (
            f["epochs"], f["folds"], f["rows"], pct(f["accuracy_f32"]), pct(f["accuracy_int8"])))
    if k:
        print("| CNN (%d epochs) | %d | one 2-3 s excerpt, %d excerpts | %s | %s |" % (
            k["epochs"], k["folds"], k["excerpts"], pct(k["accuracy_f32"]), pct(k["accuracy_int8"])))
    if u and "cnn_weight" in u:
        print("| bundle, CNN weight %.2f | (out-of-fold) | %d tracks with both | %s | - |" % (
            u["cnn_weight"], u["tracks"], pct(u["accuracy"])))
    if k:
        print("\nCNN CV accuracy after each epoch: %s." % ", ".join("%.0f" % (100 * a) for a in k["curve"]))


def heldout_tables(c):
    labels = c["labels"]
    ev = c["heldout"]
    names = [n for n in ORDER if n in ev] + sorted(n for n in ev if n not in ORDER)
    print("| model | accuracy | correct / tracks |")
    print("| --- | ---: | ---: |")
    for n in names:
        print("| %s | %s | %s / %s |" % (n, pct(ev[n]["accuracy"]), ev[n].get("correct", "?"), ev[n]["tracks"]))
    print()
    print("Per-genre recall (held-out):\n")
    print("| model | " + " | ".join(labels) + " |")
    print("| --- |" + " ---: |" * len(labels))
    for n in names:
        pg = ev[n].get("per_genre", {})
        cells = []
        for g in labels:
            v = pg.get(g)
            if isinstance(v, dict):
                v = v.get("recall")
            cells.append("-" if v is None else "%.0f" % (100 * v if v <= 1 else v))
        print("| %s | %s |" % (n, " | ".join(cells)))
    for n in names:
        conf = ev[n].get("confusion")
        if not conf:
            continue
        print("\nConfusion matrix of `%s` (rows = true genre, columns = predicted):\n" % n)
        print("| true \\ predicted | " + " | ".join(g[:4] for g in labels) + " |")
        print("| --- |" + " ---: |" * len(labels))
        for g, row in zip(labels, conf):
            print("| %s | %s |" % (g, " | ".join(str(v) for v in row)))


BLOCKS = {"files": files_table, "params": params_table, "times": times_table, "cv": cv_table,
          "heldout": heldout_tables}


def main(path, readme=None):
    c = json.load(open(path))
    if readme is None:
        for fn in BLOCKS.values():
            fn(c)
            print()
        return
    text = open(readme).read()
    for name, fn in BLOCKS.items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            fn(c)
        text = re.sub(r"(<!-- card:%s -->\n).*?(<!-- /card:%s -->)" % (name, name),
                      lambda m: m.group(1) + buf.getvalue() + m.group(2), text, flags=re.S)
    fusion = c["cv"]["fusion"] or {}
    text = re.sub(r"(<!-- card:fusion_tracks -->)\d*(<!-- /card:fusion_tracks -->)",
                  lambda m: m.group(1) + str(fusion.get("tracks", 0)) + m.group(2), text)
    with open(readme, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main(*sys.argv[1:3])
