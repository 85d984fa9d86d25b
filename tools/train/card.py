"""Renders the measured tables of the model card (models/README.md) from models/card.json, so the
card quotes exactly what `melgenre eval` measured. usage: card.py models/card.json"""
import json
import sys

ORDER = ["default.mgm", "bundle-int8.mgm", "bundle-f32.mgm", "cnn-int8.mgm", "cnn-f32.mgm",
         "fnn-int8.mgm", "fnn-f32.mgm"]


def pct(x):
    x = float(x)
    return "%.1f %%" % (100 * x if x <= 1 else x)


def main(path):
    c = json.load(open(path))
    labels = c["labels"]
    ev = c["heldout"]
    names = [n for n in ORDER if n in ev] + sorted(n for n in ev if n not in ORDER)
    print("| model file | bytes | held-out accuracy (100 tracks) |")
    print("| --- | ---: | ---: |")
    for n in names:
        print("| `%s` | %d | %s |" % (n, c["file_bytes"].get(n, 0), pct(ev[n]["accuracy"])))
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


if __name__ == "__main__":
    main(sys.argv[1])
