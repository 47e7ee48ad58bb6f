#!/usr/bin/env bash
# steer-http.sh - GET /v1/steer under load with wrk (keep-alive) on 127.0.0.1: random clients
# inside the prefixes of OCAS OCAs with PREFIXES routes each (database made by bench_ingest,
# shared with portal-reads.sh), 3 signed URLs per answer; next to the same server's HTTP floor
# (GET /healthz) measured in the same run.
#
#   bench/steer-http.sh          OCAS=1000 PREFIXES=100000 DURATION=10 CONNS=64
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
cat >"$DIR/cp-steer.conf" <<CONF
listen = 127.0.0.1:0
db = $DIR/cp.db
airports = $PWD/var/data/airports.json
geoip = $PWD/var/data/GeoLite2-City.mmdb
user = $user
auth_cache_ttl = 60s
CONF
"$BIN/ocdn-controlplane" -c "$DIR/cp-steer.conf" >"$DIR/cp-steer.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q "ready listen" "$DIR/cp-steer.log" && break; sleep 0.1; done
port=$(sed -n 's/.*ready listen=.* port=\([0-9]*\).*/\1/p' "$DIR/cp-steer.log")
[ -n "$port" ] || { cat "$DIR/cp-steer.log"; exit 1; }
KEY=$("$BIN/ocdn-controlplane" -c "$DIR/cp-steer.conf" key create --scope frontend 2>/dev/null)
export KEY OCAS PREFIXES
url=http://127.0.0.1:$port
# The answer must be a real one before measuring.
curl -sf -H "Authorization: Bearer $KEY" "$url/v1/steer?client=1.0.0.1&file=bench-1" >/dev/null
rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
echo "steer over HTTP: $OCAS OCAs x $PREFIXES prefixes, wrk -t2 -c$CONNS -d${DURATION}s, 2 cores shared with wrk"
{ grep "steer:" "$DIR/cp-steer.log" || true; } | tail -n 2 | sed "s/^/  /"
floor=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$url/healthz" | rps)
steer=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s bench/steer-http.lua "$url" | rps)
printf '%-44s %10.0f req/s  (baseline)\n' "GET /healthz (HTTP floor of this server)" "$floor"
printf '%-44s %10.0f req/s  %.2fx the floor\n' "GET /v1/steer (random client, n=3, signed)" "$steer" \
	"$(awk -v a="$steer" -v b="$floor" 'BEGIN{print a/b}')"
