#!/usr/bin/env bash
# ctest-labels: slow
# The model card cannot drift from the code: every shipped model (models/*.mgm) is evaluated with
# `melgenre eval` on the held-out tracks and must reach the accuracy models/card.json and
# models/README.md state, within 1 point; the default model must fit in 1 MB.
# env: MELGENRE (CLI), DATA (shared data), ROOT (repo), TMPDIR_BASE (scratch).
set -euo pipefail
: "${MELGENRE:?}" "${DATA:?}" "${ROOT:?}"
HELD=$DATA/gtzan-mini/genres
CARD=$ROOT/models/card.json
README=$ROOT/models/README.md
fail() { echo "FAIL: $*" >&2; exit 1; }

[ -f "$CARD" ] || fail "models/card.json is missing"
[ -f "$README" ] || fail "models/README.md is missing"
[ -f "$ROOT/models/default.mgm" ] || fail "models/default.mgm is missing"
size=$(stat -c %s "$ROOT/models/default.mgm")
[ "$size" -le 1048576 ] || fail "models/default.mgm is $size bytes, more than 1 MB"
[ -d "$HELD" ] || fail "held-out data $HELD not found"

# Every shipped model has a stated held-out accuracy.
stated=$(python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); [print(k, "%.4f" % v["accuracy"]) for k, v in sorted(c["heldout"].items())]' "$CARD")
for f in "$ROOT"/models/*.mgm; do
  grep -q "^$(basename "$f") " <<<"$stated" || fail "$(basename "$f") ships without an accuracy in models/card.json"
done

while read -r name acc; do
  [ -f "$ROOT/models/$name" ] || fail "card.json lists $name but models/$name does not exist"
  # The README states the same figure (as a percentage with one decimal) on the model's table row.
  pct=$(python3 -c 'import sys; print("%.1f" % (100 * float(sys.argv[1])))' "$acc")
  grep -E "^\| \`$name\`" "$README" | grep -q -- "$pct %" || fail "models/README.md does not state $pct % for $name"
  out=$("$MELGENRE" eval --format json --model "$ROOT/models/$name" "$HELD") || fail "melgenre eval failed for $name"
  got=$(python3 -c '
import json, sys
r = json.loads(sys.stdin.read().strip().splitlines()[-1])
a = float(r["accuracy"])
print("%.4f" % (a / 100 if a > 1 else a), r["tracks"])' <<<"$out") || fail "unreadable eval JSON for $name: $out"
  read -r measured tracks <<<"$got"
  [ "$tracks" -ge 100 ] || fail "$name: eval saw $tracks tracks, expected 100"
  python3 -c 'import sys; s, m = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(s - m) <= 0.01 + 1e-9 else 1)' \
    "$acc" "$measured" || fail "$name: card states $acc, melgenre eval measures $measured"
  echo "ok $name: stated $acc, measured $measured on $tracks tracks"
done <<<"$stated"
