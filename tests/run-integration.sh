#!/usr/bin/env bash
# run-integration.sh - run tests/integration/*.sh (or those named in TESTS) against
# $BUILD/bin; each gets its own temp dir and free ports. Prints one line per test.
set -uo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export OCDN_BIN=$PWD/$BUILD/bin OCDN_ROOT=$PWD
pass=0 fail=0 failed=()
list=${TESTS:-$(ls tests/integration/*.sh 2>/dev/null | grep -v '/lib\.sh$')}
for t in $list; do
	name=$(basename "$t" .sh)
	start=$(date +%s)
	log=$(mktemp /tmp/ocdn-it-"$name".XXXXXX.log)
	if bash "$t" >"$log" 2>&1; then
		pass=$((pass + 1))
		echo "integration: $name: ok ($(($(date +%s) - start)) s, $(grep -c '^ok ' "$log") checks)"
		rm -f "$log"
	else
		fail=$((fail + 1))
		failed+=("$name")
		echo "integration: $name: FAILED ($(($(date +%s) - start)) s); last lines of $log:"
		tail -n 40 "$log" | sed 's/^/    /'
	fi
done
echo "integration: $pass passed, $fail failed${failed:+ (${failed[*]})}"
[ $fail -eq 0 ]
