#!/usr/bin/env bash
# portal-reads.sh - partner portal reads under load: GET /v1/ocas and /v1/ocas/{id}/routes with
# wrk (keep-alive) on 127.0.0.1, on a database of OCAS OCAs with PREFIXES routes each (made by
# bench_ingest), next to the HTTP floor of the same server in the same run (GET /healthz).
#
#   bench/portal-reads.sh            OCAS=1000 PREFIXES=100000 DURATION=10 CONNS=64
# Reuses the database in $BENCH_DIR (default /tmp/ocdn-bench-portal) when it matches.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
OCAS=${OCAS:-1000} PREFIXES=${PREFIXES:-100000} DURATION=${DURATION:-10} CONNS=${CONNS:-64}
DIR=${BENCH_DIR:-/tmp/ocdn-bench-portal}
BIN=$BUILD/bin
mkdir -p "$DIR"
if [ "$(cat "$DIR/made-with" 2>/dev/null)" != "$OCAS $PREFIXES" ]; then
	rm -f "$DIR"/cp.db*
	"$BUILD/bench/bench_ingest" -o "$OCAS" -p "$PREFIXES" -d 100 -k "$DIR" >"$DIR/ingest.out"
	echo "$OCAS $PREFIXES" >"$DIR/made-with"
fi
user=""
[ "$(id -u)" -ne 0 ] || { user=nobody; chown -R nobody "$DIR"; }
cat >"$DIR/cp.conf" <<CONF
listen = 127.0.0.1:0
db = $DIR/cp.db
airports = $PWD/var/data/airports.json
user = $user
auth_cache_ttl = 60s
CONF
"$BIN/ocdn-controlplane" -c "$DIR/cp.conf" >"$DIR/cp.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q "ready listen" "$DIR/cp.log" && break; sleep 0.1; done
port=$(sed -n 's/.*ready listen=.* port=\([0-9]*\).*/\1/p' "$DIR/cp.log")
[ -n "$port" ] || { cat "$DIR/cp.log"; exit 1; }
KEY=$("$BIN/ocdn-controlplane" -c "$DIR/cp.conf" key create --scope partner:1 2>/dev/null)
export KEY OCAS
url=http://127.0.0.1:$port
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
echo "portal reads: $OCAS OCAs x $PREFIXES routes, wrk -t2 -c$CONNS -d${DURATION}s, 2 cores shared with wrk"
floor=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url/healthz" | rps)
ocas=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $KEY" "$url/v1/ocas?limit=100" | rps)
routes=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s bench/portal-reads.lua "$url" | rps)
printf '%-44s %10.0f req/s  (baseline)\n' "GET /healthz (HTTP floor of this server)" "$floor"
printf '%-44s %10.0f req/s  %.2fx the floor\n' "GET /v1/ocas?limit=100" "$ocas" "$(awk -v a="$ocas" -v b="$floor" 'BEGIN{print a/b}')"
printf '%-44s %10.0f req/s  %.2fx the floor\n' "GET /v1/ocas/{random}/routes?limit=100" "$routes" "$(awk -v a="$routes" -v b="$floor" 'BEGIN{print a/b}')"
