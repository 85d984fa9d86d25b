#!/usr/bin/python3
"""Compares two `melgenre classify --format json` outputs (A.json B.json): the same files in the same
order, the same top-1, every probability within 1e-3, and (when --segments was given) the same
segment boundaries with segment probabilities within 1e-3. Exits non-zero with the first difference."""
import json
import sys

a = [json.loads(line) for line in open(sys.argv[1])]
b = [json.loads(line) for line in open(sys.argv[2])]
assert len(a) == len(b) and len(a) > 0, (len(a), len(b))
worst = 0.0
for x, y in zip(a, b):
    assert x["file"] == y["file"], (x["file"], y["file"])
    assert x["genre"] == y["genre"], (x["file"], x["genre"], y["genre"])
    for k in x["scores"]:
        worst = max(worst, abs(x["scores"][k] - y["scores"][k]))
    sa, sb = x.get("segments", []), y.get("segments", [])
    assert len(sa) == len(sb), (x["file"], len(sa), len(sb))
    for p, q in zip(sa, sb):
        assert (p["start"], p["end"]) == (q["start"], q["end"]), (x["file"], p["start"], q["start"])
        for k in p["scores"]:
            worst = max(worst, abs(p["scores"][k] - q["scores"][k]))
assert worst <= 1e-3, worst
print(f"  {len(a)} tracks, same top-1, max |dp| = {worst:.2e}")
