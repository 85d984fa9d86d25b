# Sourced first by the fail-fast CLI tests (the first failed check ends the script); not a test
# itself (ctest runs tests/cli/*.sh only). Checks the environment every such test needs, makes a
# scratch dir T (removed on exit) named after the sourcing script, and defines fail().
# env: MELGENRE (CLI), ROOT (repo), TMPDIR_BASE (scratch); tests that read audio also check DATA.
set -euo pipefail
: "${MELGENRE:?}" "${ROOT:?}" "${TMPDIR_BASE:?}"
mkdir -p "$TMPDIR_BASE"
T=$(mktemp -d "$TMPDIR_BASE/$(basename "$0" .sh).XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
