#!/usr/bin/env bash
# demo.sh - ocdn on loopback: a control plane, an origin and two OCAs inside two ISPs,
# provisioned through the API; then what a video front end and an operator would see:
# the sites and host names, steering answers for clients of each ISP (and one of neither),
# and each steered URL fetched from its OCA with its SHA-256 checked.
#
#   scripts/demo.sh          run, show, stop everything
#   DEMO_KEEP=1 scripts/demo.sh    leave it running (prints how to stop it)
#   scripts/demo.sh stop     stop what a DEMO_KEEP=1 run left running
#
# Ports: DEMO_PORT (default 18080) for the API, the next three for the origin and the OCAs.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${BUILD:-build}/bin
D=$ROOT/var/demo
P=${DEMO_PORT:-18080}
CP_PORT=$P ORIGIN_PORT=$((P + 1)) OCA1_PORT=$((P + 2)) OCA2_PORT=$((P + 3))

stop_all() {
	local pid
	for f in "$D"/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		kill -TERM "$pid" 2>/dev/null || true
	done
	for f in "$D"/*.pid; do
		[ -e "$f" ] || continue
		pid=$(cat "$f")
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
		rm -f "$f"
	done
}
if [ "${1:-}" = stop ]; then
	stop_all
	echo "demo: stopped"
	exit 0
fi

say() { printf '\n== %s\n' "$*"; }
die() {
	echo "demo: $*" >&2
	for l in "$D"/*.log; do [ -e "$l" ] && { echo "--- $l" >&2; tail -n 15 "$l" >&2; }; done
	exit 1
}
for port in $CP_PORT $ORIGIN_PORT $OCA1_PORT $OCA2_PORT; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		die "port $port is in use (a DEMO_KEEP=1 run? try: scripts/demo.sh stop; or DEMO_PORT=...)"
	fi
done
[ -x "$BIN/ocdn-controlplane" ] && [ -x "$BIN/ocdn-agent" ] || die "build first: make"

stop_all
rm -rf "$D"
mkdir -p "$D"
chmod 755 "$D"
RUN_USER=""
if [ "$(id -u)" -eq 0 ]; then RUN_USER=nobody; fi
if [ "${DEMO_KEEP:-0}" != 1 ]; then trap stop_all EXIT; fi

wait_for() { # file pattern
	for _ in $(seq 150); do grep -q -- "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
	die "timed out waiting for '$2' in $1"
}

API=http://127.0.0.1:$CP_PORT
api() { # method path [body]: the response body on stdout; fails on HTTP >= 400
	local out code
	out=$(curl -sS -w '\n%{http_code}' -X "$1" -H "Authorization: Bearer $ADMIN" \
		${3:+-H 'Content-Type: application/json' --data-binary "$3"} "$API$2")
	code=${out##*$'\n'}
	out=${out%$'\n'*}
	[ "$code" -lt 400 ] || die "$1 $2: HTTP $code: $out"
	printf '%s' "$out"
}

say "control plane on 127.0.0.1:$CP_PORT (SQLite in var/demo/cp.db)"
cat >"$D/cp.conf" <<EOF
listen = 127.0.0.1:$CP_PORT
db = $D/cp.db
airports = $ROOT/var/data/airports.json
geoip = $ROOT/var/data/GeoLite2-City.mmdb
origin_url = http://127.0.0.1:$ORIGIN_PORT
user = $RUN_USER
report_interval = 10s
steer_rebuild = 0s
EOF
mkdir -p "$D/cp"
[ -z "$RUN_USER" ] || chown "$RUN_USER" "$D"
"$BIN/ocdn-controlplane" -c "$D/cp.conf" >"$D/cp.log" 2>&1 &
echo $! >"$D/cp.pid"
wait_for "$D/cp.log" "ready listen="
ADMIN=$("$BIN/ocdn-controlplane" -c "$D/cp.conf" key create --scope admin --label demo 2>>"$D/cp.log")
echo "admin key: ${ADMIN:0:12}... (created with: ocdn-controlplane key create --scope admin)"

say "two ISPs, a site each (names allocated by the control plane), an OCA in each"
api POST /v1/orgs '{"name":"bouyguestelecom","display_name":"Bouygues Telecom","kind":"isp","asns":[5410]}' >/dev/null
api POST /v1/orgs '{"name":"orange","display_name":"Orange","kind":"isp","asns":[3215]}' >/dev/null
api POST /v1/sites '{"org_id":1,"iata":"TLS","type":"isp"}' | jq -r '"site \(.id): \(.name) (\(.lat), \(.lon), \(.tz))"'
api POST /v1/sites '{"org_id":2,"iata":"CDG","type":"isp"}' | jq -r '"site \(.id): \(.name) (\(.lat), \(.lon), \(.tz))"'
provision() { # site port name
	local r
	r=$(api POST /v1/ocas "{\"site_id\":$1,\"model\":\"storage\",\"capacity_bytes\":120000000000000,\"nic_bps\":100000000000,\"ipv4\":\"127.0.0.1\",\"http_port\":$2}")
	jq -r '"oca \(.id): \(.hostname)\n       \(.ipv4_hostname)\n       \(.ipv6_hostname)"' <<<"$r"
	(umask 077 && jq -r .appliance_key <<<"$r" >"$D/$3.key")
	[ -z "$RUN_USER" ] || chown "$RUN_USER" "$D/$3.key"
}
provision 1 "$OCA1_PORT" oca1
provision 2 "$OCA2_PORT" oca2

say "an origin with three video files; each OCA is shipped pre-filled with two of them"
mkdir -p "$D/origin" "$D/oca1/data" "$D/oca2/data" "$D/oca1/state" "$D/oca2/state"
api POST /v1/titles '{"id":"tt0001","name":"Demo Title"}' >/dev/null
for f in tt0001-1080p:6 tt0001-720p:3 tt0001-480p:2; do
	id=${f%%:*} mib=${f##*:}
	head -c $((mib * 1048576)) /dev/urandom >"$D/origin/$id"
	sum=$(sha256sum "$D/origin/$id" | cut -d' ' -f1)
	echo "$sum" >"$D/$id.sha256"
	api POST /v1/files "{\"id\":\"$id\",\"title_id\":\"tt0001\",\"size\":$((mib * 1048576)),\"sha256\":\"$sum\"}" >/dev/null
	printf '%-14s %2d MiB  sha256 %s\n' "$id" "$mib" "$sum"
done
cp "$D/origin/tt0001-1080p" "$D/origin/tt0001-720p" "$D/oca1/data/"
cp "$D/origin/tt0001-1080p" "$D/origin/tt0001-480p" "$D/oca2/data/"
echo "OCA 1 holds 1080p + 720p, OCA 2 holds 1080p + 480p"

say "BGP: each ISP announces its client prefixes to its OCA (static routes in this demo)"
echo "176.128.0.0/11|5410||||isp4" >"$D/oca1/routes"
echo "90.0.0.0/9|3215||||isp4" >"$D/oca2/routes"
echo "OCA 1 learns 176.128.0.0/11 from AS 5410; OCA 2 learns 90.0.0.0/9 from AS 3215"
[ -z "$RUN_USER" ] || chown -R "$RUN_USER" "$D/oca1" "$D/oca2" "$D/origin"

agent_conf() { # name role port [extra]
	cat >"$D/$1.conf" <<EOF
role = $2
controlplane = $API
listen = 127.0.0.1:$3
data_dir = $D/$1/data
state_dir = $D/$1/state
user = ${RUN_USER:-$(id -un)}
workers = 1
report_interval = 10s
EOF
	if [ "$2" = oca ]; then
		# No oca_id: at its first start the agent asks the control plane who it is.
		printf 'key_file = %s\nroutes_file = %s\n' "$D/$1.key" "$D/$1/routes" >>"$D/$1.conf"
	fi
}
mkdir -p "$D/origin-state"
agent_conf origin origin "$ORIGIN_PORT"
sed -i "s|^data_dir = .*|data_dir = $D/origin|; s|^state_dir = .*|state_dir = $D/origin-state|" "$D/origin.conf"
[ -z "$RUN_USER" ] || chown "$RUN_USER" "$D/origin-state"
agent_conf oca1 oca "$OCA1_PORT"
agent_conf oca2 oca "$OCA2_PORT"
for a in origin oca1 oca2; do
	"$BIN/ocdn-agent" -c "$D/$a.conf" >"$D/$a.log" 2>&1 &
	echo $! >"$D/$a.pid"
done
for a in origin oca1 oca2; do wait_for "$D/$a.log" "agent: started"; done
echo "agents started: origin :$ORIGIN_PORT, OCA 1 :$OCA1_PORT, OCA 2 :$OCA2_PORT"

say "the OCAs report (routes, catalog, health) and come online"
for _ in $(seq 150); do
	n=$(api GET /v1/ocas | jq '[.items[] | select(.status == "online" or .status == "degraded")] | length')
	[ "$n" = 2 ] && break
	sleep 0.2
done
[ "$n" = 2 ] || die "the OCAs did not come online"
api GET /v1/ocas | jq -r '.items[] | "oca \(.id) \(.hostname): \(.status), \(.prefixes) prefix(es), last report \(.last_report_at)"'

FE=$(api POST /v1/keys '{"scope":"frontend","label":"demo front end"}' | jq -r .key)
steer() { # client file
	curl -sS -H "Authorization: Bearer $FE" "$API/v1/steer?client=$1&file=$2&n=2"
}
for _ in $(seq 100); do # the steering snapshot follows the reports within a rebuild
	[ "$(steer 90.12.34.56 tt0001-1080p | jq -r .mode)" = route ] &&
		[ "$(steer 176.130.1.1 tt0001-1080p | jq -r .mode)" = route ] && break
	sleep 0.2
done

fetch() { # url file: fetch through the OCA's real host name and check the hash
	local host port want got
	host=$(sed -E 's|^https?://([^:/]+).*|\1|' <<<"$1")
	port=$(sed -E 's|^https?://[^:/]+:([0-9]+).*|\1|' <<<"$1")
	want=$(cat "$D/$2.sha256")
	got=$(curl -sS --fail --resolve "$host:$port:127.0.0.1" "$1" | sha256sum | cut -d' ' -f1)
	if [ "$got" = "$want" ]; then
		echo "   curl $host:$port/$2 ... sha256 ok ($got)"
	else
		die "sha256 mismatch for $1: got $got, want $want"
	fi
}
show() { # client file label
	local r
	say "steering: client $1 ($3) asks for $2"
	r=$(steer "$1" "$2")
	jq -r '"mode: \(.mode), client AS \(.client_asn // "unknown")"' <<<"$r"
	jq -r '.urls[] | " #\(.rank) \(.hostname)\n    matched \(.reason.matched_prefix) via \(.reason.source), AS path \(.reason.as_path_len), \(if .reason.decided_by == "last" then "no other eligible OCA follows" else "ranked by \(.reason.decided_by)" end)\n    \(.url[0:110])..."' <<<"$r"
	if [ "$(jq -r .mode <<<"$r")" = origin ]; then
		jq -r '"   no OCA covers this client: origin \(.origin_url)"' <<<"$r"
		got=$(curl -sS --fail "$(jq -r .origin_url <<<"$r")" | sha256sum | cut -d' ' -f1)
		[ "$got" = "$(cat "$D/$2.sha256")" ] || die "origin: sha256 mismatch"
		echo "   curl the origin ... sha256 ok ($got)"
	fi
	for u in $(jq -r '.urls[].url' <<<"$r"); do fetch "$u" "$2"; done
}
show 176.130.1.1 tt0001-720p "a Bouygues Telecom subscriber"
show 90.12.34.56 tt0001-480p "an Orange subscriber"
show 90.12.34.56 tt0001-1080p "the same Orange subscriber, a file both OCAs hold"
show 8.8.8.8 tt0001-1080p "no ISP announces it"

say "a tampered URL is refused by the OCA"
u=$(steer 176.130.1.1 tt0001-720p | jq -r '.urls[0].url')
bad="${u%?}A"
[ "$bad" != "$u" ] || bad="${u%?}B"
host=$(sed -E 's|^https?://([^:/]+).*|\1|' <<<"$u")
code=$(curl -s -o /dev/null -w '%{http_code}' --resolve "$host:$OCA1_PORT:127.0.0.1" "$bad")
echo "   curl <url with the token's last character changed>: HTTP $code"
[ "$code" = 403 ] || die "expected 403 for a tampered token, got $code"

say "partner view: Bouygues Telecom's route explorer for 176.130.1.1"
PK=$(api POST /v1/keys '{"scope":"partner","org_id":1,"label":"demo noc"}' | jq -r .key)
curl -sS -H "Authorization: Bearer $PK" "$API/v1/route-explorer?ip=176.130.1.1" |
	jq -r '.candidates[] | "   \(.hostname): \(.prefix), AS path \(.as_path_len), rank \(.rank), eligible \(.eligible)"'
echo "   (Orange's OCA is not shown to Bouygues Telecom; GET /v1/ocas/2 with this key is a 404)"

say "done"
if [ "${DEMO_KEEP:-0}" = 1 ]; then
	echo "still running (DEMO_KEEP=1): API $API, admin key in the output above;"
	echo "logs in var/demo/*.log; stop everything with: scripts/demo.sh stop"
else
	echo "stopping the control plane, the origin and the OCAs (DEMO_KEEP=1 leaves them running)"
fi
