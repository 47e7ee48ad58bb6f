#!/usr/bin/env bash
# golden.sh - compare (check) or regenerate (update) the golden files tests/data/<area>/*.out.
# Each area names the program that turns its *.in files into *.out; areas are independent.
#
#   tests/golden.sh check     exit non-zero if any *.out differs from what the code produces
#   tests/golden.sh update    rewrite the *.out files (review the diff before committing)
#
# BUILD selects the build directory (build, build-asan).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
mode=${1:-}
case "$mode" in
check | update) ;;
*)
	echo "usage: $0 check|update" >&2
	exit 2
	;;
esac

fail=0
# area steer: tests/data/steer/<case>.in (sites, OCAs, routes, catalog, queries) -> <case>.out
make --no-print-directory "BUILD=$BUILD" "$BUILD/tests/check_steer" >/dev/null
if ! CK_VERBOSITY=silent "$BUILD/tests/check_steer" "--golden-$mode"; then
	echo "golden: steer: failed" >&2
	fail=1
else
	echo "golden: steer: $mode ok ($(ls tests/data/steer/*.in | wc -l) cases)"
fi
exit $fail
