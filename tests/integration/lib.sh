# lib.sh - shared by tests/integration/*.sh (sourced). Real binaries from $OCDN_BIN on
# 127.0.0.1 with ephemeral ports, a temp directory per test (KEEP_TMP=1 keeps it), every
# process started here stopped on exit. Each assertion prints one "ok ..." line.
set -euo pipefail

ROOT=${OCDN_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${OCDN_BIN:-$ROOT/build/bin}
T=$(mktemp -d /tmp/ocdn-it.XXXXXX)
chmod 755 "$T"
PIDS=()
CHECKS=0
# The programs refuse to run as root; tests started by root run them as nobody.
RUN_USER=""
if [ "$(id -u)" -eq 0 ]; then
	RUN_USER=nobody
	chown nobody "$T"
fi

cleanup() {
	local rc=$?
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]:-}"; do
		[ -n "$p" ] || continue
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ "${KEEP_TMP:-0}" = 1 ] || [ $rc -ne 0 ]; then
		echo "temp dir kept: $T"
	else
		rm -rf "$T"
	fi
	exit $rc
}
trap cleanup EXIT

ok() {
	CHECKS=$((CHECKS + 1))
	echo "ok $CHECKS - $*"
}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# wait_log FILE PATTERN [SECONDS]: until the pattern appears in the file (bounded).
wait_log() {
	local f=$1 pat=$2 secs=${3:-15} i
	for ((i = 0; i < secs * 10; i++)); do
		if grep -q -- "$pat" "$f" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "--- $f" >&2
	tail -n 30 "$f" >&2 || true
	fail "timed out waiting for '$pat' in $f"
}

# cp_conf NAME: write $T/NAME.conf for a control plane with its own database, port 0.
cp_conf() {
	local name=$1
	mkdir -p "$T/$name"
	[ -z "$RUN_USER" ] || chown "$RUN_USER" "$T/$name"
	cat >"$T/$name.conf" <<EOF
listen = 127.0.0.1:0
db = $T/$name/cp.db
airports = $ROOT/var/data/airports.json
geoip = $ROOT/var/data/GeoLite2-City.mmdb
user = $RUN_USER
report_interval = ${CP_REPORT_INTERVAL:-300s}
steer_rebuild = 0s
${CP_EXTRA:-}
EOF
}

# start_cp NAME: start ocdn-controlplane with $T/NAME.conf; sets CP_PID, CP_PORT, CP.
start_cp() {
	local name=$1 log=$T/$1.log
	: >"$log"
	"$BIN/ocdn-controlplane" -c "$T/$name.conf" >>"$log" 2>&1 &
	CP_PID=$!
	PIDS+=("$CP_PID")
	wait_log "$log" "ready listen="
	CP_PORT=$(sed -n 's/.*ready listen=.* port=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
	CP=http://127.0.0.1:$CP_PORT
}

# cp_key NAME SCOPE: a new API key from the CLI.
cp_key() {
	"$BIN/ocdn-controlplane" -c "$T/$1.conf" key create --scope "$2" 2>>"$T/$1.log"
}

# api METHOD PATH KEY [BODY]: sets STATUS and BODY (the response body).
api() {
	local method=$1 path=$2 key=$3 body=${4:-} args=()
	args=(-s -o "$T/.body" -w '%{http_code}' -X "$method")
	[ -z "$key" ] || args+=(-H "Authorization: Bearer $key")
	if [ -n "$body" ]; then args+=(-H 'Content-Type: application/json' --data-binary "$body"); fi
	STATUS=$(curl "${args[@]}" "$CP$path") || STATUS=000
	BODY=$(cat "$T/.body")
}

# expect CODE METHOD PATH KEY [BODY]: api + check the status.
expect() {
	local code=$1
	shift
	api "$@"
	[ "$STATUS" = "$code" ] || fail "$1 $2: expected $code, got $STATUS: $BODY"
}

# provision_oca KEYFILE: through the API with $ADMIN, one ISP org, a site at TLS and one OCA on
# 127.0.0.1; sets OCA (its id) and writes its appliance key to KEYFILE (mode 0600).
provision_oca() {
	expect 201 POST /v1/orgs "$ADMIN" '{"name":"isp-a","display_name":"ISP A","kind":"isp"}'
	expect 201 POST /v1/sites "$ADMIN" '{"org_id":1,"iata":"TLS","type":"isp"}'
	expect 201 POST /v1/ocas "$ADMIN" \
		'{"site_id":1,"model":"storage","capacity_bytes":1000000000,"nic_bps":1000000000,"ipv4":"127.0.0.1"}'
	OCA=$(jq -r .id <<<"$BODY")
	jq -r .appliance_key <<<"$BODY" >"$1"
	chmod 600 "$1"
}
