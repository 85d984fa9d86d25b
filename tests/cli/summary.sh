#!/bin/bash
# CLI contract of `melgenre features --kind summary`: the GTZAN table's header, one row per file
# (directories walked), values equal to the table's for a held-out clip, json lines, exit codes.
set -u
: "${MELGENRE:?path to the melgenre binary}" "${DATA:?shared data folder}" "${TMPDIR_BASE:=/tmp}"
CLIP="$DATA/gtzan-mini/genres/disco/disco.00002.wav"
TABLE="$DATA/gtzan-features/features_30_sec.csv"
WORK="$(mktemp -d "$TMPDIR_BASE/cli-summary.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# shellcheck source=expect_rc.bash
source "$(dirname "${BASH_SOURCE[0]}")/expect_rc.bash"

expect_rc 0 features --kind summary --help
grep -q -- "--format" "$WORK/out.txt" || fail "--help does not describe --format"

# Header: the table's columns without `label`.
expect_rc 0 features --kind summary "$CLIP"
want_header=$(head -1 "$TABLE" | tr -d '\r' | sed 's/,label$//')
[ "$(head -1 "$WORK/out.txt")" = "$want_header" ] || fail "header differs from the table's: $(head -1 "$WORK/out.txt")"
[ "$(wc -l <"$WORK/out.txt")" = 2 ] || fail "expected a header and one row"

# The row equals the table's row to 1e-5 relative (1e-6 absolute for the harmony/perceptr means).
row=$(sed -n 2p "$WORK/out.txt")
ref=$(grep '^disco.00002.wav,' "$TABLE" | tr -d '\r' | sed 's/,[a-z]*$//')
[ -n "$ref" ] || fail "disco.00002.wav is not in the table"
paste -d '\n' <(echo "$want_header" | tr ',' '\n') <(echo "$row" | tr ',' '\n') <(echo "$ref" | tr ',' '\n') |
  paste - - - | awk -F '\t' '
    NR <= 2 { if ($2 != $3) { print "FAIL: " $1 " is " $2 ", table " $3; bad = 1 } next }
    { d = $2 - $3; if (d < 0) d = -d; m = $3 < 0 ? -$3 : $3
      lim = ($1 == "harmony_mean" || $1 == "perceptr_mean") ? 1e-6 : 1e-5 * m
      if (d > lim) { print "FAIL: " $1 " is " $2 ", table " $3; bad = 1 } }
    END { exit bad }' || fails=$((fails + 1))

# JSON: one object per line with every column.
expect_rc 0 features --kind summary --format json "$CLIP"
[ "$(wc -l <"$WORK/out.txt")" = 1 ] || fail "json: expected one line"
grep -q '^{"filename":"disco.00002.wav","length":661794,"chroma_stft_mean":' "$WORK/out.txt" || fail "json line: $(head -c 200 "$WORK/out.txt")"
grep -q '"mfcc20_var":[-0-9.e]*}$' "$WORK/out.txt" || fail "json line does not end with mfcc20_var"

# A directory is walked; a bad file is reported, skipped, and turns the exit code into 2.
mkdir -p "$WORK/dir/sub"
ln -s "$CLIP" "$WORK/dir/sub/a.wav"
printf 'not audio at all' >"$WORK/dir/broken.wav"
expect_rc 2 features --kind summary "$WORK/dir"
[ "$(wc -l <"$WORK/out.txt")" = 2 ] || fail "directory: expected a header and one good row"
grep -q '^a.wav,661794,' "$WORK/out.txt" || fail "directory row should be named by its basename"
grep -q 'broken.wav' "$WORK/err.txt" || fail "the bad file is not named on stderr"

# Other sample rates are refused unless --resample is given.
ffmpeg -loglevel error -y -i "$CLIP" -ar 44100 -t 3 "$WORK/fast.wav" 2>/dev/null
if [ -s "$WORK/fast.wav" ]; then
  expect_rc 2 features --kind summary "$WORK/fast.wav"
  grep -q -- "--resample" "$WORK/err.txt" || fail "a 44.1 kHz file should be refused with a hint to --resample"
  expect_rc 0 features --kind summary --resample "$WORK/fast.wav"
  grep -q '^fast.wav,66150,' "$WORK/out.txt" || fail "--resample row: $(sed -n 2p "$WORK/out.txt" | head -c 80)"
fi

# Usage errors.
expect_rc 1 features --kind summary --format xml "$CLIP"
expect_rc 1 features --kind summary
expect_rc 2 features --kind summary "$WORK/does-not-exist.wav"

[ "$fails" = 0 ] && echo "cli summary: all checks passed"
exit $((fails > 0))
