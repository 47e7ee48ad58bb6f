#!/usr/bin/env bash
# run-unit.sh - run every Check program given on the command line, then print one line that
# totals them in Check's own summary format. Exit non-zero if any program failed.
set -uo pipefail
fail=0 checks=0 failures=0 errors=0 progs=0
for t in "$@"; do
	progs=$((progs + 1))
	out=$(CK_VERBOSITY=${CK_VERBOSITY:-normal} "$t" 2>&1)
	rc=$?
	# The whole output (log lines of servers under test, failure details) only on failure.
	if [ $rc -ne 0 ] || [ "${VERBOSE:-0}" = 1 ]; then
		printf '%s\n' "$out" | grep -v '^Running suite' | sed "s|^|$(basename "$t"): |"
	else
		printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1 | sed "s|^|$(basename "$t"): |"
	fi
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks: ' | tail -n 1)
	if [ -n "$line" ]; then
		c=$(sed -E 's/.*Checks: ([0-9]+).*/\1/' <<<"$line")
		f=$(sed -E 's/.*Failures: ([0-9]+).*/\1/' <<<"$line")
		e=$(sed -E 's/.*Errors: ([0-9]+).*/\1/' <<<"$line")
		checks=$((checks + c)) failures=$((failures + f)) errors=$((errors + e))
	else
		errors=$((errors + 1))
		echo "$(basename "$t"): no Check summary (crashed?)"
	fi
	[ $rc -eq 0 ] || fail=1
done
pct=100
[ $checks -gt 0 ] && pct=$(((checks - failures - errors) * 100 / checks))
echo "unit tests: $progs programs"
echo "${pct}%: Checks: $checks, Failures: $failures, Errors: $errors"
exit $fail
