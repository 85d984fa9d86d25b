#!/usr/bin/env bash
# melgenre eval: accuracy / per-genre recall / confusion matrix on a folder-per-genre tree, JSON and
# SVG output, refusal of folders that are not labels. The model is a small random CNN written by
# tests/cli/make_test_model.py; the tree links a few training excerpts (never the held-out set).
# env: MELGENRE (CLI), DATA (shared data), ROOT (repo), TMPDIR_BASE (scratch).
# shellcheck source=fail_fast.bash
source "$(dirname "${BASH_SOURCE[0]}")/fail_fast.bash"
: "${DATA:?}"

MODEL=$T/test.mgm
/usr/bin/python3 "$ROOT/tests/cli/make_test_model.py" "$MODEL" --seed 5
EX=$DATA/gtzan-excerpts
for g in blues jazz metal; do
  mkdir -p "$T/tree/$g"
  for id in 00010 00011 00012; do
    f=$(ls "$EX/$g/$g.$id"*.wav 2>/dev/null | head -1)
    [ -n "$f" ] || fail "no excerpt $g.$id"
    ln -s "$f" "$T/tree/$g/"
  done
done

"$MELGENRE" eval --model "$MODEL" --format json --svg "$T/confusion.svg" "$T/tree" > "$T/eval.json" \
  || fail "eval failed"
# The per-track genres from classify must add up to eval's confusion matrix.
"$MELGENRE" classify --model "$MODEL" --format json "$T/tree" > "$T/tracks.json" || fail "classify failed"
python3 - "$T/eval.json" "$T/tracks.json" <<'EOF' || fail "eval JSON inconsistent"
import json, sys, os
r = json.loads(open(sys.argv[1]).read().strip().splitlines()[-1])
labels = r["labels"]
assert labels == "blues classical country disco hiphop jazz metal pop reggae rock".split()
assert r["tracks"] == 9 and r["failed"] == 0, r
conf = r["confusion"]
assert len(conf) == 10 and all(len(row) == 10 for row in conf)
expected = [[0] * 10 for _ in range(10)]
for line in open(sys.argv[2]):
    o = json.loads(line)
    truth = os.path.basename(os.path.dirname(o["file"]))
    expected[labels.index(truth)][labels.index(o["genre"])] += 1
assert conf == expected, (conf, expected)
correct = sum(conf[i][i] for i in range(10))
assert abs(r["accuracy"] - correct / 9) < 1e-6
for i, g in enumerate(labels):
    pg = r["per_genre"][g]
    if sum(conf[i]) == 0:
        assert pg["recall"] is None and pg["tracks"] == 0
    else:
        assert abs(pg["recall"] - conf[i][i] / sum(conf[i])) < 1e-6 and pg["tracks"] == 3
EOF
head -c 200 "$T/confusion.svg" | grep -q "<svg" || fail "SVG not written"
grep -q ">metal</text>" "$T/confusion.svg" || fail "SVG lacks labels"

"$MELGENRE" eval --model "$MODEL" "$T/tree" > "$T/eval.txt" || fail "eval table failed"
grep -q "^accuracy" "$T/eval.txt" || fail "table has no accuracy line"
grep -q "confusion matrix" "$T/eval.txt" || fail "table has no confusion matrix"

# A folder that is not a label is an error naming it; a bad file is counted as failed (exit 2).
mkdir -p "$T/tree2/folk" && ln -s "$EX/blues/blues.00010.wav" "$T/tree2/folk/"
set +e
"$MELGENRE" eval --model "$MODEL" "$T/tree2" > /dev/null 2> "$T/err.txt"; rc=$?
set -e
[ $rc -eq 2 ] || fail "unknown genre folder: exit $rc"
grep -q "'folk' is not a label" "$T/err.txt" || fail "message: $(cat "$T/err.txt")"
printf 'junk' > "$T/tree/jazz/broken.wav"
set +e
"$MELGENRE" eval --model "$MODEL" --format json "$T/tree" > "$T/eval2.json" 2> "$T/err2.txt"; rc=$?
set -e
[ $rc -eq 2 ] || fail "bad file in eval: exit $rc"
grep -q "broken.wav" "$T/err2.txt" || fail "bad file not named"
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); assert r["failed"]==1 and r["tracks"]==9, r' \
  "$T/eval2.json" || fail "failed count"
set +e
"$MELGENRE" eval --model "$MODEL" > /dev/null 2>&1; rc=$?
set -e
[ $rc -eq 1 ] || fail "eval without DIR: exit $rc"
echo "ok eval"
