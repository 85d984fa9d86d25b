#!/usr/bin/env bash
# melgenre classify --backend vulkan batches the segments of many tracks per dispatch (worker threads
# decode and compute features, one GPU classifier runs groups of tracks). Checks that this changes
# nothing a user sees: (1) the shipped model on 6 held-out clips gives the same genres as --backend
# reference with every probability within 1e-3, and the same segments; (2) many short files (several
# groups) with unreadable files among them give the results in input order, and the same per-file
# errors and exit code as the CPU path.
# env: MELGENRE (CLI), DATA (shared data), ROOT (repo), TMPDIR_BASE (scratch); MELGENRE_SKIP_VULKAN=1
# turns "no Vulkan device" into a skip (machines without lavapipe).
# shellcheck source=fail_fast.bash
source "$(dirname "${BASH_SOURCE[0]}")/fail_fast.bash"
: "${DATA:?}"

/usr/bin/python3 "$ROOT/tests/cli/make_test_model.py" "$T/test.mgm" --seed 11
EX=$DATA/gtzan-excerpts
[ -f "$EX/blues/blues.00010.wav" ] || fail "test audio missing under $EX"

if ! "$MELGENRE" classify --model "$T/test.mgm" --backend vulkan --format json "$EX/blues/blues.00010.wav" \
    > /dev/null 2> "$T/probe.err"; then
  if [ "${MELGENRE_SKIP_VULKAN:-0}" = 1 ]; then
    echo "SKIP: no usable Vulkan backend: $(cat "$T/probe.err")"
    exit 0
  fi
  fail "--backend vulkan does not run (CI has lavapipe; MELGENRE_SKIP_VULKAN=1 skips): $(cat "$T/probe.err")"
fi

compare() { /usr/bin/python3 "$ROOT/tests/cli/compare_classify_json.py" "$1" "$2"; }

# (1) The shipped model on held-out clips (lavapipe is slow: 6 clips).
if [ -f "$ROOT/models/default.mgm" ]; then
  cp "$ROOT/models/default.mgm" "$T/default.mgm"  # one snapshot for both runs, even if models/ is rewritten meanwhile
  H=$DATA/gtzan-mini/genres
  CLIPS=()
  for g in blues country hiphop jazz pop rock; do
    f=$(ls "$H/$g"/*.wav | sed -n 2p)
    [ -f "$f" ] || fail "held-out clip missing under $H/$g"
    CLIPS+=("$f")
  done
  for b in vulkan reference; do
    "$MELGENRE" classify --model "$T/default.mgm" --backend "$b" --threads 2 --segments --format json \
      "${CLIPS[@]}" > "$T/default.$b.json" || fail "default model: classify --backend $b failed"
  done
  echo "default model, held-out clips: vulkan (batched) vs reference"
  compare "$T/default.vulkan.json" "$T/default.reference.json" || fail "default model: vulkan differs from reference"
else
  echo "models/default.mgm missing: held-out parity part skipped"
fi

# (2) 40 short excerpts (more than two groups of tracks) with two unreadable files among them.
FILES=()
for g in blues classical country disco hiphop jazz metal pop; do
  for f in $(ls "$EX/$g"/*.wav | head -5); do FILES+=("$f"); done
done
printf 'not audio at all' > "$T/bad1.wav"
: > "$T/bad2.wav"
FILES=("${FILES[@]:0:7}" "$T/bad1.wav" "${FILES[@]:7:20}" "$T/bad2.wav" "${FILES[@]:27}")
[ "${#FILES[@]}" -eq 42 ] || fail "expected 42 inputs, got ${#FILES[@]}"

for b in vulkan reference; do
  set +e
  "$MELGENRE" classify --model "$T/test.mgm" --backend "$b" --threads 2 --segments --format json "${FILES[@]}" \
    > "$T/many.$b.json" 2> "$T/many.$b.err"
  rc=$?
  set -e
  [ "$rc" -eq 2 ] || fail "many files, --backend $b: exit code $rc, expected 2 (some files failed): $(cat "$T/many.$b.err")"
done
[ "$(wc -l < "$T/many.vulkan.json")" -eq 40 ] || fail "vulkan: expected 40 results, got $(wc -l < "$T/many.vulkan.json")"
grep -q "bad1.wav" "$T/many.vulkan.err" && grep -q "bad2.wav" "$T/many.vulkan.err" \
  || fail "vulkan: the bad files are not reported: $(cat "$T/many.vulkan.err")"
diff "$T/many.vulkan.err" "$T/many.reference.err" > /dev/null \
  || fail "per-file errors differ between vulkan and reference: $(diff "$T/many.vulkan.err" "$T/many.reference.err")"
echo "many short files with bad ones: vulkan (batched) vs reference"
compare "$T/many.vulkan.json" "$T/many.reference.json" || fail "many files: vulkan differs from reference"
echo "classify gpu batch: ok"
