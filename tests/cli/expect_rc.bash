# Sourced by the counting-style CLI tests (features.sh, summary.sh); not a test itself (ctest runs
# tests/cli/*.sh only). Needs MELGENRE, a scratch dir WORK and a counting fail() in the caller.
# expect_rc CODE ARGS...: run melgenre with ARGS (stdout to $WORK/out.txt, stderr to $WORK/err.txt)
# and check the exit code.
expect_rc() {
  local want=$1; shift
  "$MELGENRE" "$@" >"$WORK/out.txt" 2>"$WORK/err.txt"
  local got=$?
  [ "$got" = "$want" ] || fail "melgenre $* -> exit $got, expected $want ($(head -c 300 "$WORK/err.txt"))"
}
