# lib.sh - sourced by bench/portal-reads.sh and bench/steer-http.sh: the database of OCAS OCAs
# with PREFIXES routes each (made once by bench_ingest, reused while it matches), and a control
# plane on it listening on an ephemeral port.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
BUILD=${BUILD:-build}
OCAS=${OCAS:-1000} PREFIXES=${PREFIXES:-100000} DURATION=${DURATION:-10} CONNS=${CONNS:-64}
DIR=${BENCH_DIR:-/tmp/ocdn-bench}
BIN=$BUILD/bin
export OCAS PREFIXES
mkdir -p "$DIR"
if [ "$(cat "$DIR/made-with" 2>/dev/null)" != "$OCAS $PREFIXES" ]; then
	rm -f "$DIR"/cp.db*
	"$BUILD/bench/bench_ingest" -o "$OCAS" -p "$PREFIXES" -d 100 -k "$DIR" >"$DIR/ingest.out"
	echo "$OCAS $PREFIXES" >"$DIR/made-with"
fi

# start_cp NAME: control plane with $DIR/NAME.conf on the database; sets CP_PID and URL.
start_cp() {
	local user=""
	[ "$(id -u)" -ne 0 ] || { user=nobody; chown -R nobody "$DIR"; }
	cat >"$DIR/$1.conf" <<CONF
listen = 127.0.0.1:0
db = $DIR/cp.db
airports = $PWD/var/data/airports.json
geoip = $PWD/var/data/GeoLite2-City.mmdb
user = $user
auth_cache_ttl = 60s
CONF
	"$BIN/ocdn-controlplane" -c "$DIR/$1.conf" >"$DIR/$1.log" 2>&1 &
	CP_PID=$!
	trap 'kill $CP_PID 2>/dev/null; wait $CP_PID 2>/dev/null || true' EXIT
	for _ in $(seq 600); do grep -q "ready listen" "$DIR/$1.log" && break; sleep 0.1; done
	local port
	port=$(sed -n 's/.*ready listen=.* port=\([0-9]*\).*/\1/p' "$DIR/$1.log")
	[ -n "$port" ] || { cat "$DIR/$1.log"; exit 1; }
	URL=http://127.0.0.1:$port
}

rps() { sed -n 's/^Requests\/sec: *\([0-9.]*\).*/\1/p'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
