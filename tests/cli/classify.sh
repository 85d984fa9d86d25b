#!/usr/bin/env bash
# melgenre classify: output formats, folders, stdin, bad files, exit codes, default-model lookup.
# The model is a small random CNN written by tests/cli/make_test_model.py (Debian /usr/bin/python3 with numpy, through tools/train/mgm.py)
# into the scratch dir; no model ships for tests.
# env: MELGENRE (CLI), DATA (shared data), ROOT (repo), TMPDIR_BASE (scratch).
# shellcheck source=fail_fast.bash
source "$(dirname "${BASH_SOURCE[0]}")/fail_fast.bash"
: "${DATA:?}"

MODEL=$T/test.mgm
/usr/bin/python3 "$ROOT/tests/cli/make_test_model.py" "$MODEL" --seed 3
EX=$DATA/gtzan-excerpts
A=$EX/blues/blues.00010.wav
B=$EX/metal/metal.00010.wav
[ -f "$A" ] && [ -f "$B" ] || fail "test audio missing under $EX"

# JSON: one object per line with the contract's keys; scores over the 10 labels sum to 1.
"$MELGENRE" classify --model "$MODEL" --format json "$A" "$B" > "$T/out.json" || fail "classify json failed"
python3 - "$T/out.json" "$A" "$B" <<'EOF' || fail "bad JSON output"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 2, lines
for line, name in zip(lines, sys.argv[2:]):
    o = json.loads(line)
    assert o["file"] == name, o["file"]
    assert set(o["scores"]) == set("blues classical country disco hiphop jazz metal pop reggae rock".split())
    assert abs(sum(o["scores"].values()) - 1) < 1e-4
    assert o["genre"] == max(o["scores"], key=o["scores"].get)
    assert abs(o["confidence"] - o["scores"][o["genre"]]) < 1e-9
    assert "segments" not in o
EOF

# --segments: start < end, consecutive starts one hop (16 frames x 256 samples) apart.
"$MELGENRE" classify --model "$MODEL" --format json --segments "$A" > "$T/seg.json" || fail "classify --segments failed"
python3 - "$T/seg.json" <<'EOF' || fail "bad segments"
import json, sys
o = json.loads(open(sys.argv[1]).read())
segs = o["segments"]
assert len(segs) >= 2, len(segs)
for s in segs:
    assert 0 <= s["start"] < s["end"], s
    assert abs(sum(s["scores"].values()) - 1) < 1e-4
assert abs((segs[1]["start"] - segs[0]["start"]) - 16 * 256 / 22050) < 1e-4
mean = {k: sum(s["scores"][k] for s in segs) / len(segs) for k in o["scores"]}
assert all(abs(mean[k] - o["scores"][k]) < 1e-4 for k in mean)
EOF

# CSV: a header then one row per file; table: one line per file naming it.
"$MELGENRE" classify --model "$MODEL" --format csv "$A" "$B" > "$T/out.csv" || fail "classify csv failed"
head -1 "$T/out.csv" | grep -qx 'file,genre,confidence,blues,classical,country,disco,hiphop,jazz,metal,pop,reggae,rock' \
  || fail "csv header: $(head -1 "$T/out.csv")"
[ "$(wc -l < "$T/out.csv")" -eq 3 ] || fail "csv rows"
"$MELGENRE" classify --model "$MODEL" "$A" > "$T/out.txt" || fail "classify table failed"
grep -q "blues.00010.wav" "$T/out.txt" || fail "table does not name the file"

# Folders are walked recursively; '-' reads stdin; the same audio gives the same answer.
mkdir -p "$T/tree/sub"
cp "$A" "$T/tree/a.wav"
cp "$B" "$T/tree/sub/b.wav"
"$MELGENRE" classify --model "$MODEL" --format json "$T/tree" > "$T/tree.json" || fail "folder classify failed"
[ "$(wc -l < "$T/tree.json")" -eq 2 ] || fail "folder: expected 2 results"
"$MELGENRE" classify --model "$MODEL" --format json - < "$A" > "$T/stdin.json" || fail "stdin classify failed"
python3 - "$T/stdin.json" "$T/out.json" <<'EOF' || fail "stdin result differs from the file result"
import json, sys
s = json.loads(open(sys.argv[1]).read())
f = json.loads(open(sys.argv[2]).read().splitlines()[0])
assert s["file"] == "-"
assert all(abs(s["scores"][k] - f["scores"][k]) < 1e-6 for k in s["scores"])
EOF

# Backends and thread counts agree (float model: every backend within 1e-3).
for be in reference auto; do
  for th in 1 2; do
    "$MELGENRE" classify --model "$MODEL" --backend $be --threads $th --format json "$A" "$B" > "$T/b.json" \
      || fail "backend $be threads $th failed"
    python3 - "$T/b.json" "$T/out.json" <<'EOF' || fail "backend $be threads $th disagrees"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
b = [json.loads(l) for l in open(sys.argv[2])]
for x, y in zip(a, b):
    assert all(abs(x["scores"][k] - y["scores"][k]) < 1e-3 for k in x["scores"]), (x, y)
EOF
  done
done

# A bad file is reported and skipped: the good one is still classified, exit code 2.
printf 'this is not audio\n' > "$T/bad.wav"
set +e
"$MELGENRE" classify --model "$MODEL" --format json "$T/bad.wav" "$A" > "$T/mixed.json" 2> "$T/mixed.err"
rc=$?
set -e
[ $rc -eq 2 ] || fail "bad file: exit $rc, expected 2"
grep -q "bad.wav" "$T/mixed.err" || fail "bad file not named on stderr: $(cat "$T/mixed.err")"
[ "$(wc -l < "$T/mixed.json")" -eq 1 ] || fail "the good file was not classified"
# A silent file (3 s of zeros) gets no genre: a reason on stderr and exit code 2.
python3 -c 'import sys, wave; w = wave.open(sys.argv[1], "wb"); w.setnchannels(1); w.setsampwidth(2); w.setframerate(22050); w.writeframes(bytes(2 * 66150)); w.close()' "$T/silence.wav"
set +e
"$MELGENRE" classify --model "$MODEL" "$T/silence.wav" > "$T/silence.out" 2> "$T/silence.err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "silent file: exit $rc, expected 2"
grep -q "silence.wav: the audio is silent" "$T/silence.err" || fail "silent file: $(cat "$T/silence.err")"
[ ! -s "$T/silence.out" ] || fail "a silent file got a result: $(cat "$T/silence.out")"
set +e
"$MELGENRE" classify --model "$MODEL" "$T/does-not-exist.wav" 2> "$T/missing.err"; rc=$?
set -e
[ $rc -eq 2 ] || fail "missing file: exit $rc"
grep -q "does-not-exist.wav" "$T/missing.err" || fail "missing file not named"

# Usage errors exit 1; model errors exit 2 with the loader's reason.
expect_exit() {
  local want=$1; shift
  set +e
  "$@" > /dev/null 2> "$T/err.txt"
  local rc=$?
  set -e
  [ $rc -eq "$want" ] || fail "$* -> exit $rc (expected $want): $(cat "$T/err.txt")"
}
expect_exit 1 "$MELGENRE" classify --model "$MODEL"
expect_exit 1 "$MELGENRE" classify --model "$MODEL" --format xml "$A"
expect_exit 1 "$MELGENRE" classify --model "$MODEL" --backend tpu "$A"
expect_exit 1 "$MELGENRE" classify --model "$MODEL" --threads 0 "$A"
expect_exit 1 "$MELGENRE" classify --model "$MODEL" --bogus "$A"
expect_exit 2 "$MELGENRE" classify --model "$T/none.mgm" "$A"
head -c 1000 "$MODEL" > "$T/truncated.mgm"
expect_exit 2 "$MELGENRE" classify --model "$T/truncated.mgm" "$A"
grep -q "truncated" "$T/err.txt" || fail "truncated model message: $(cat "$T/err.txt")"
cp "$MODEL" "$T/corrupt.mgm"
printf '\xff' | dd of="$T/corrupt.mgm" bs=1 seek=2000 conv=notrunc status=none
expect_exit 2 "$MELGENRE" classify --model "$T/corrupt.mgm" "$A"
grep -q "corrupt" "$T/err.txt" || fail "corrupt model message: $(cat "$T/err.txt")"

# Without --model: $MELGENRE_MODEL, else models/default.mgm beside the binary, else a clear error.
MELGENRE_MODEL="$MODEL" "$MELGENRE" classify --format json "$A" > "$T/env.json" || fail "MELGENRE_MODEL not used"
cmp -s <(head -1 "$T/out.json") "$T/env.json" || fail "MELGENRE_MODEL result differs"
mkdir -p "$T/bin/models"
cp "$MELGENRE" "$T/bin/melgenre"
set +e
env -u MELGENRE_MODEL "$T/bin/melgenre" classify "$A" > /dev/null 2> "$T/nomodel.err"; rc=$?
set -e
[ $rc -eq 1 ] || fail "no model: exit $rc"
grep -q "no model: pass --model FILE" "$T/nomodel.err" || fail "no-model message: $(cat "$T/nomodel.err")"
cp "$MODEL" "$T/bin/models/default.mgm"
env -u MELGENRE_MODEL "$T/bin/melgenre" classify --format json "$A" > "$T/default.json" || fail "default model not found"
cmp -s <(head -1 "$T/out.json") "$T/default.json" || fail "default model result differs"

# No progress bar when stderr is not a terminal.
"$MELGENRE" classify --model "$MODEL" "$A" "$B" > /dev/null 2> "$T/progress.err"
[ ! -s "$T/progress.err" ] || fail "stderr not empty without a terminal: $(cat "$T/progress.err")"
echo "ok classify"
