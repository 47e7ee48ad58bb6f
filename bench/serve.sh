#!/usr/bin/env bash
# serve.sh - the agent's file server against nginx on the same files, same machine, same run,
# with bench/serve-baseline.sh (a copy of ../shared/bench/serve-baseline.sh): plain HTTP
# workloads (2 MiB ranges, 4 KiB whole files). TLS comes with the serving issue.
#
#   bench/serve.sh       RUNS=3 DURATION=15 (BENCH_QUICK=1: RUNS=1 DURATION=5)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-3} DURATION=${DURATION:-15}
DIR=${BENCH_DIR:-/tmp/ocdn-bench}/serve-data
PORT=${SERVE_PORT:-18090}
mkdir -p "$(dirname "$DIR")"
bench/serve-baseline.sh --setup-only --data "$DIR" >/dev/null
echo "nginx (baseline), started by serve-baseline.sh:"
bench/serve-baseline.sh --data "$DIR" --workloads range-http,small-http --runs "$RUNS" \
	--duration "$DURATION" --port-base 18180 | sed 's/^/  /'
"$BUILD/bench/bench_serve" --data "$DIR" --listen "127.0.0.1:$PORT" >"$DIR/../bench_serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q "started" "$DIR/../bench_serve.log" && break; sleep 0.1; done
echo "ocdn-agent's server (bench_serve, no token check, same files):"
bench/serve-baseline.sh --data "$DIR" --http "127.0.0.1:$PORT" --https - --server-pid "$pid" \
	--workloads range-http,small-http --runs "$RUNS" --duration "$DURATION" | sed 's/^/  /'
