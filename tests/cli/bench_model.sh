#!/usr/bin/env bash
# melgenre bench model: the table's shape and exit codes (no timing is checked: speed is not a test).
# env: MELGENRE (CLI), DATA (shared data), ROOT (repo), TMPDIR_BASE (scratch).
# shellcheck source=fail_fast.bash
source "$(dirname "${BASH_SOURCE[0]}")/fail_fast.bash"

# Built-in seed-001 shape, smallest segment, one run: one row per dtype, 30 s track = 160 segments.
"$MELGENRE" bench model --backend simd --threads 1 --frames 32 --runs 1 > "$T/out.txt" || fail "bench model failed"
grep -q "RANDOM weights" "$T/out.txt" || fail "the output must say the weights are random"
[ "$(grep -c '^simd .*seed001 F=32 .* int8 .* 1  *160 ' "$T/out.txt")" = 1 ] || { cat "$T/out.txt"; fail "no int8 row"; }
[ "$(grep -c '^simd .*seed001 F=32 .* f32 .* 1  *160 ' "$T/out.txt")" = 1 ] || { cat "$T/out.txt"; fail "no f32 row"; }

# A model file: its networks as stored.
/usr/bin/python3 "$ROOT/tests/cli/make_test_model.py" "$T/m.mgm" --seed 5
"$MELGENRE" bench model --model "$T/m.mgm" --backend simd --threads 1 --runs 1 > "$T/model.txt" || fail "bench --model failed"
grep -q '^simd ' "$T/model.txt" || { cat "$T/model.txt"; fail "no row for the model"; }

# Usage errors exit 1, unusable inputs 2, an unknown backend is reported.
set +e
"$MELGENRE" bench model --threads 0 > /dev/null 2>&1; [ $? = 1 ] || fail "--threads 0 must be a usage error"
"$MELGENRE" bench model --frames 40 --backend simd > /dev/null 2>&1; [ $? = 1 ] || fail "--frames 40 must be refused"
echo "not a model" > "$T/bad.mgm"
"$MELGENRE" bench model --model "$T/bad.mgm" > "$T/err.txt" 2>&1; [ $? = 2 ] || fail "a bad model file must exit 2"
grep -q "bad.mgm" "$T/err.txt" || fail "the error must name the file"
"$MELGENRE" bench model --backend nosuch --frames 32 --runs 1 > "$T/nosuch.txt" 2>&1; [ $? = 2 ] || fail "an unknown backend must fail"
grep -q "unknown backend" "$T/nosuch.txt" || fail "unknown backend not reported"
set -e
echo ok
