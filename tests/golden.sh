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
# area config: tests/data/config/<prog>-<case>.in -> <case>.out, the -n output of the program
# (effective configuration, or the error naming file, line and key) and its exit status.
make --no-print-directory "BUILD=$BUILD" "$BUILD/bin/ocdn-controlplane" "$BUILD/bin/ocdn-agent" >/dev/null
n=0 bad=0
for in in tests/data/config/*.in; do
	case $(basename "$in") in
	cp-*) prog=ocdn-controlplane ;;
	agent-*) prog=ocdn-agent ;;
	*) echo "golden: config: $in: name must start with cp- or agent-" >&2; fail=1; continue ;;
	esac
	out=${in%.in}.out
	got=$(cd tests/data/config && "../../../$BUILD/bin/$prog" -n -c "$(basename "$in")" 2>&1; echo "exit $?")
	n=$((n + 1))
	if [ "$mode" = update ]; then
		printf '%s\n' "$got" >"$out"
	elif ! diff -u "$out" <(printf '%s\n' "$got") >&2; then
		echo "golden: config: $in differs from $out" >&2
		bad=$((bad + 1))
	fi
done
if [ $bad -gt 0 ]; then
	fail=1
else
	echo "golden: config: $mode ok ($n cases)"
fi
exit $fail
