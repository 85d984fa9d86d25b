#!/usr/bin/env bash
# ctest-labels: slow
# melgenre classify --backend vulkan on held-out clips: the same top-1 as the CPU backends and
# probabilities within 1e-3 (CI runs it on Mesa's software device lavapipe). Also: an explicit
# `--backend vulkan` without any Vulkan driver fails with a clear message; `--backend auto` falls back
# to the CPU silently. Models: a small random CNN built here (tests/cli/make_test_model.py), plus the
# shipped models/default.mgm when it exists.
# env: MELGENRE (CLI), DATA (shared data), ROOT (repo), TMPDIR_BASE (scratch); MELGENRE_SKIP_VULKAN=1
# turns "no Vulkan device" into a skip (machines without lavapipe).
# shellcheck source=fail_fast.bash
source "$(dirname "${BASH_SOURCE[0]}")/fail_fast.bash"
: "${DATA:?}"

H=$DATA/gtzan-mini/genres
CLIPS=()
for g in blues classical country disco hiphop jazz metal pop reggae rock; do
  f=$(ls "$H/$g"/*.wav | head -1)
  [ -f "$f" ] || fail "held-out clip missing under $H/$g"
  CLIPS+=("$f")
done

/usr/bin/python3 "$ROOT/tests/cli/make_test_model.py" "$T/test.mgm" --seed 5

# Is the backend there at all?
if ! "$MELGENRE" classify --model "$T/test.mgm" --backend vulkan --format json "${CLIPS[0]}" > /dev/null 2> "$T/probe.err"; then
  if [ "${MELGENRE_SKIP_VULKAN:-0}" = 1 ]; then
    echo "SKIP: no usable Vulkan backend: $(cat "$T/probe.err")"
    exit 0
  fi
  fail "--backend vulkan does not run (CI has lavapipe; MELGENRE_SKIP_VULKAN=1 skips): $(cat "$T/probe.err")"
fi

compare() { /usr/bin/python3 "$ROOT/tests/cli/compare_classify_json.py" "$1" "$2"; }

run_model() {  # model, tag, clips...
  local model=$1 tag=$2
  shift 2
  "$MELGENRE" classify --model "$model" --backend vulkan --format json "$@" > "$T/$tag.vulkan.json" \
    || fail "$tag: classify --backend vulkan failed"
  local compared=0
  for cpu in reference simd xnnpack; do
    if "$MELGENRE" classify --model "$model" --backend "$cpu" --format json "$@" > "$T/$tag.$cpu.json" 2> "$T/$cpu.err"; then
      echo "$tag: vulkan vs $cpu"
      compare "$T/$tag.vulkan.json" "$T/$tag.$cpu.json" || fail "$tag: vulkan differs from $cpu"
      compared=$((compared + 1))
    elif ! grep -q "not built into" "$T/$cpu.err"; then
      fail "$tag: classify --backend $cpu failed: $(cat "$T/$cpu.err")"
    fi
  done
  [ "$compared" -ge 1 ] || fail "$tag: no CPU backend to compare with"
}

run_model "$T/test.mgm" test-cnn "${CLIPS[@]}"
if [ -f "$ROOT/models/default.mgm" ]; then
  # The real model is heavier and lavapipe is slow: three held-out tracks are enough for parity.
  run_model "$ROOT/models/default.mgm" default "${CLIPS[0]}" "${CLIPS[4]}" "${CLIPS[6]}"
fi

# No Vulkan driver at all: explicit vulkan is an error naming the problem; auto quietly uses the CPU.
export VK_ICD_FILENAMES=$T/none.json VK_DRIVER_FILES=$T/none.json
set +e
"$MELGENRE" classify --model "$T/test.mgm" --backend vulkan "${CLIPS[0]}" > "$T/none.out" 2> "$T/none.err"
rc=$?
set -e
[ "$rc" -ne 0 ] || fail "--backend vulkan without a driver exited 0"
grep -qi "vulkan" "$T/none.err" || fail "no clear message without a driver: $(cat "$T/none.err")"
[ ! -s "$T/none.out" ] || fail "--backend vulkan without a driver printed results"
"$MELGENRE" classify --model "$T/test.mgm" --backend auto --format json "${CLIPS[0]}" > "$T/auto.json" 2> "$T/auto.err" \
  || fail "--backend auto without a Vulkan driver failed: $(cat "$T/auto.err")"
[ ! -s "$T/auto.err" ] || fail "--backend auto was not silent: $(cat "$T/auto.err")"
unset VK_ICD_FILENAMES VK_DRIVER_FILES
echo "vulkan classify: ok"
