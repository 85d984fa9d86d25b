#!/bin/bash
# CLI contract of `melgenre features`: shapes of the .npy outputs, --help, exit codes 1 (usage) and 2 (bad input).
set -u
: "${MELGENRE:?path to the melgenre binary}" "${DATA:?shared data folder}" "${TMPDIR_BASE:=/tmp}"
CLIP="$DATA/gtzan-mini/genres/blues/blues.00000.wav"
WORK="$(mktemp -d "$TMPDIR_BASE/cli-features.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# shellcheck source=expect_rc.bash
source "$(dirname "${BASH_SOURCE[0]}")/expect_rc.bash"

# npy_shape FILE: prints the shape tuple from the .npy header, e.g. "(20, 1293)".
npy_shape() {
  head -c 128 "$1" | tr -d '\000' | grep -ao "'shape': ([0-9, ]*)" | sed "s/'shape': //"
}

expect_shape() {
  local file=$1 want=$2
  [ "$(head -c 6 "$file" | tail -c 5)" = "NUMPY" ] || { fail "$file is not a .npy file"; return; }
  local got; got=$(npy_shape "$file")
  [ "$got" = "$want" ] || fail "$file has shape $got, expected $want"
  # header + data size must agree: float32 values after a 64-byte-aligned header.
  local n; n=$(( $(echo "$want" | tr -d '() ' | sed 's/,$//; s/,/ * /g') ))
  local size; size=$(stat -c %s "$file")
  [ $(( (size - n * 4) % 64 )) = 0 ] && [ "$size" -gt $((n * 4)) ] || fail "$file: size $size does not hold $n float32 values"
}

expect_rc 0 features --help
grep -q -- "--kind" "$WORK/out.txt" || fail "--help does not describe --kind"

expect_rc 0 features --kind mfcc --out "$WORK/mfcc.npy" "$CLIP"
expect_shape "$WORK/mfcc.npy" "(20, 1293)"
expect_rc 0 features --out "$WORK/mel.npy" "$CLIP"
expect_shape "$WORK/mel.npy" "(128, 1293)"
expect_rc 0 features --kind stft --pad reflect --out "$WORK/stft.npy" "$CLIP"
expect_shape "$WORK/stft.npy" "(1025, 1293)"
expect_rc 0 features --kind mel --db refmax --n-fft 512 --hop 256 --n-mels 64 --out "$WORK/mel64.npy" - <"$CLIP"
expect_shape "$WORK/mel64.npy" "(64, 2586)"
expect_rc 0 features --kind mfcc --n-mfcc 13 --sr 16000 --out "$WORK/mfcc16k.npy" "$CLIP"
expect_shape "$WORK/mfcc16k.npy" "(13, 938)"  # 30 s at 16 kHz: ~480218 samples, 1 + n // 512 frames

# --kind summary is handed to the summary command with the original arguments.
expect_rc 0 features --kind summary --help
grep -qi "summary" "$WORK/out.txt" || fail "features --kind summary --help is not the summary command's help"

# Several files in one process.
mkdir -p "$WORK/dir"
expect_rc 0 features --kind mfcc --out-dir "$WORK/dir" "$CLIP" "$DATA/gtzan-mini/genres/classical/classical.00001.wav"
expect_shape "$WORK/dir/blues.00000.npy" "(20, 1293)"
expect_shape "$WORK/dir/classical.00001.npy" "(20, 1293)"

# Mel band edges and scale: the defaults spelled out give the same bytes; --htk and a band range
# give a different filterbank of the asked size.
expect_rc 0 features --out "$WORK/mel_default.npy" "$CLIP"
expect_rc 0 features --fmin 0 --fmax 11025 --out "$WORK/mel_explicit.npy" "$CLIP"
cmp -s "$WORK/mel_default.npy" "$WORK/mel_explicit.npy" || fail "--fmin 0 --fmax sr/2 must equal the default"
expect_rc 0 features --n-mels 40 --fmin 50 --fmax 8000 --out "$WORK/mel_slaney40.npy" "$CLIP"
expect_rc 0 features --n-mels 40 --fmin 50 --fmax 8000 --htk --out "$WORK/mel_htk40.npy" "$CLIP"
expect_shape "$WORK/mel_htk40.npy" "(40, 1293)"
cmp -s "$WORK/mel_slaney40.npy" "$WORK/mel_htk40.npy" && fail "--htk must change the filterbank"
expect_rc 1 features --fmin 9000 --fmax 8000 --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --fmax 20000 --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --fmin nan --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --kind stft --htk --out "$WORK/x.npy" "$CLIP"

# Usage errors: exit 1.
expect_rc 1 features --bogus --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --kind chroma --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --n-fft 0 --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --hop 0 --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --n-mels 2000 --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features --pad edge --out "$WORK/x.npy" "$CLIP"
expect_rc 1 features "$CLIP"
expect_rc 1 features --out "$WORK/x.npy"

# Bad input: exit 2, and the message names the file.
head -c 4096 /dev/urandom >"$WORK/garbage.wav"
expect_rc 2 features --out "$WORK/x.npy" "$WORK/garbage.wav"
grep -q "garbage.wav" "$WORK/err.txt" || fail "error for garbage.wav does not name the file"
expect_rc 2 features --out "$WORK/x.npy" "$WORK/does-not-exist.wav"
: >"$WORK/empty.wav"
expect_rc 2 features --out "$WORK/x.npy" "$WORK/empty.wav"

[ "$fails" = 0 ] && echo "cli features: all checks passed"
exit $((fails > 0))
