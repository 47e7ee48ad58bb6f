#!/usr/bin/env bash
# run-all.sh - every benchmark (make bench). Each prints its figures next to a baseline measured
# in the same run, as ratios: the machines here are noisy, absolute numbers are not comparable
# from one run to the next. BENCH_QUICK=1 runs everything smaller and shorter.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build}
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	steer_args=(--small)
	export OCAS=100 PREFIXES=10000 DURATION=5 RUNS=1
else
	steer_args=()
	export OCAS=${OCAS:-1000} PREFIXES=${PREFIXES:-100000} DURATION=${DURATION:-10} RUNS=${RUNS:-3}
fi
export BENCH_DIR=${BENCH_DIR:-/tmp/ocdn-bench}
mkdir -p "$BENCH_DIR"
section() { printf '\n### %s\n' "$*"; }

section "steering engine: lookups, decisions, snapshot build (bench_steer)"
"$BUILD/bench/bench_steer" "${steer_args[@]}"

section "report ingest: $OCAS OCAs, first report of $PREFIXES prefixes, then deltas (bench_ingest)"
rm -f "$BENCH_DIR"/cp.db*
"$BUILD/bench/bench_ingest" -o "$OCAS" -p "$PREFIXES" -d 1000 -k "$BENCH_DIR" | tee "$BENCH_DIR/ingest.out"
echo "$OCAS $PREFIXES" >"$BENCH_DIR/made-with"

section "partner portal reads over HTTP (wrk)"
bench/portal-reads.sh

section "steering over HTTP (wrk)"
# Its own world: the ingest database (100 M routes) is beyond what a steering snapshot holds
# (steer_max_routes); 1,000 OCAs with 2,000 prefixes each is 200 k prefixes, 2 M routes.
if [ "${BENCH_QUICK:-0}" = 1 ]; then
	OCAS=100 PREFIXES=1000 BENCH_DIR=$BENCH_DIR/steer bench/steer-http.sh
else
	OCAS=1000 PREFIXES=2000 BENCH_DIR=$BENCH_DIR/steer bench/steer-http.sh
fi

section "file serving against nginx (serve-baseline.sh)"
bench/serve.sh
