#!/usr/bin/env bash
# skeleton.sh - the walking skeleton end to end, with assertions: the control plane, two
# partner orgs each with a site and an OCA (real ocdn-agent processes with static routes and
# pre-filled data), reports, steering, signed URLs fetched from the agents; and the refusals:
# wrong key 401, another partner's OCA 404, malformed JSON 400 with nothing stored, tampered
# / expired / wrong-host / other-OCA tokens 403. Tokens are also forged here with openssl
# from the key the agent is given, so the token format is checked independently of token.c.
. "$(dirname "$0")/lib.sh"

CP_REPORT_INTERVAL=10s cp_conf cp
start_cp cp
ADMIN=$(cp_key cp admin)
ok "control plane up on port $CP_PORT"

expect 200 GET /healthz ""
expect 401 GET /v1/sites ""
expect 401 GET /v1/sites "ocdn_adm_0000000000000000000000000000000000000000000"
expect 401 GET /v1/sites "not-a-key"
ok "no key, an unknown key and garbage are 401"

expect 201 POST /v1/orgs "$ADMIN" '{"name":"bouyguestelecom","display_name":"Bouygues Telecom","kind":"isp","asns":[5410]}'
expect 201 POST /v1/orgs "$ADMIN" '{"name":"orange","display_name":"Orange","kind":"isp","asns":[3215]}'
expect 400 POST /v1/orgs "$ADMIN" '{"name":"broken",'
expect 400 POST /v1/orgs "$ADMIN" '{"name":"x y","display_name":"x","kind":"isp"}'
expect 400 POST /v1/orgs "$ADMIN" '{"name":"extra","display_name":"x","kind":"isp","oops":1}'
expect 200 GET /v1/orgs "$ADMIN"
[ "$(jq '.items | length' <<<"$BODY")" = 2 ] || fail "a refused request stored an org: $BODY"
ok "malformed JSON, a bad name and an unknown member are 400 and store nothing"

expect 201 POST /v1/sites "$ADMIN" '{"org_id":1,"iata":"TLS","type":"isp"}'
[ "$(jq -r .name <<<"$BODY")" = TLS001.bouyguestelecom.ISP ] || fail "site name: $BODY"
expect 201 POST /v1/sites "$ADMIN" '{"org_id":2,"iata":"CDG","type":"isp"}'
[ "$(jq -r .name <<<"$BODY")" = CDG001.orange.ISP ] || fail "site name: $BODY"
ok "sites named per the design"

port_a=$(( (RANDOM % 20000) + 30000 ))
port_b=$((port_a + 1))
provision() { # site port name
	expect 201 POST /v1/ocas "$ADMIN" "{\"site_id\":$1,\"model\":\"storage\",\"capacity_bytes\":1000000000000,\"nic_bps\":10000000000,\"ipv4\":\"127.0.0.1\",\"http_port\":$2}"
	(umask 077 && jq -r .appliance_key <<<"$BODY" >"$T/$3.key")
	[ -z "$RUN_USER" ] || chown "$RUN_USER" "$T/$3.key"
	jq -r .hostname <<<"$BODY" >"$T/$3.host"
	jq -r .id <<<"$BODY" >"$T/$3.id"
}
provision 1 "$port_a" a
provision 2 "$port_b" b
[ "$(cat "$T/a.host")" = c001-tls001-bouyguestelecom-isp.1.oca.example.net ] || fail "host name"
ok "OCAs provisioned: $(cat "$T/a.host"), $(cat "$T/b.host")"

expect 201 POST /v1/keys "$ADMIN" '{"scope":"partner","org_id":1}'
PA=$(jq -r .key <<<"$BODY")
expect 201 POST /v1/keys "$ADMIN" '{"scope":"partner","org_id":2}'
PB=$(jq -r .key <<<"$BODY")
expect 200 GET /v1/ocas/1 "$PA"
expect 404 GET /v1/ocas/2 "$PA"
missing=$BODY
expect 404 GET /v1/ocas/999 "$PA"
[ "$BODY" = "$missing" ] || fail "another org's OCA must look exactly like a missing one"
expect 404 GET /v1/ocas/1/routes "$PB"
expect 403 POST /v1/orgs "$PA" '{"name":"mine","display_name":"x","kind":"isp"}'
ok "partner keys: another partner's OCA is 404 (same as missing), admin routes 403"

expect 201 POST /v1/titles "$ADMIN" '{"id":"tt1","name":"Title"}'
for f in a b; do
	mkdir -p "$T/$f/data" "$T/$f/state"
done
head -c 3000000 /dev/urandom >"$T/a/data/tt1-hd"
cp "$T/a/data/tt1-hd" "$T/b/data/tt1-hd"
sum=$(sha256sum "$T/a/data/tt1-hd" | cut -d' ' -f1)
expect 201 POST /v1/files "$ADMIN" "{\"id\":\"tt1-hd\",\"title_id\":\"tt1\",\"size\":3000000,\"sha256\":\"$sum\"}"
echo "176.128.0.0/11|5410||||isp4" >"$T/a/routes"
echo "90.0.0.0/9|3215||||isp4" >"$T/b/routes"
for f in a b; do
	port=$port_a
	[ $f = a ] || port=$port_b
	cat >"$T/$f.conf" <<EOF
role = oca
controlplane = $CP
key_file = $T/$f.key
listen = 127.0.0.1:$port
data_dir = $T/$f/data
state_dir = $T/$f/state
routes_file = $T/$f/routes
oca_id = $(cat "$T/$f.id")
user = ${RUN_USER:-$(id -un)}
workers = 1
report_interval = 10s
EOF
	[ -z "$RUN_USER" ] || chown -R "$RUN_USER" "$T/$f"
	"$BIN/ocdn-agent" -c "$T/$f.conf" >"$T/$f.log" 2>&1 &
	PIDS+=($!)
	wait_log "$T/$f.log" "agent: started"
done
ok "two agents started"

for _ in $(seq 100); do
	expect 200 GET /v1/ocas "$ADMIN"
	[ "$(jq '[.items[] | select(.status == "online")] | length' <<<"$BODY")" = 2 ] && break
	sleep 0.2
done
[ "$(jq '[.items[] | select(.status == "online")] | length' <<<"$BODY")" = 2 ] || fail "OCAs not online: $BODY"
expect 200 GET /v1/ocas/1/routes "$PA"
[ "$(jq -r '.items[0].prefix' <<<"$BODY")" = 176.128.0.0/11 ] || fail "routes: $BODY"
ok "both OCAs reported and are online; routes stored"

expect 201 POST /v1/keys "$ADMIN" '{"scope":"frontend"}'
FE=$(jq -r .key <<<"$BODY")
steer_url() { # client -> url of rank 1 (waits for the snapshot)
	local u
	for _ in $(seq 100); do
		expect 200 GET "/v1/steer?client=$1&file=tt1-hd" "$FE"
		u=$(jq -r '.urls[0].url // empty' <<<"$BODY")
		[ -n "$u" ] && { echo "$u"; return 0; }
		sleep 0.1
	done
	fail "no URL for $1: $BODY"
}
fetch() { # url [host for the Host header] -> status; body in $T/got
	local host port
	host=$(sed -E 's|^http://([^:/]+).*|\1|' <<<"$1")
	port=$(sed -E 's|^http://[^:/]+:([0-9]+).*|\1|' <<<"$1")
	curl -s -o "$T/got" -w '%{http_code}' --resolve "${2:-$host}:$port:127.0.0.1" \
		"${1/$host/${2:-$host}}"
}
ua=$(steer_url 176.130.1.1)
ub=$(steer_url 90.12.34.56)
[[ $ua == *"ipv4-$(cat "$T/a.host"):$port_a/tt1-hd?o=tt1-hd&v=1&"* ]] || fail "client of AS 5410 steered to $ua"
[[ $ub == *"ipv4-$(cat "$T/b.host"):$port_b/tt1-hd?o=tt1-hd&v=2&"* ]] || fail "client of AS 3215 steered to $ub"
ok "each client steered to the OCA of its ISP"

for u in "$ua" "$ub"; do
	for _ in $(seq 50); do # the agent takes its keys from the config reply of its first report
		code=$(fetch "$u")
		[ "$code" = 200 ] && break
		sleep 0.2
	done
	[ "$code" = 200 ] || fail "GET $u: $code"
	[ "$(sha256sum "$T/got" | cut -d' ' -f1)" = "$sum" ] || fail "sha256 of $u"
done
ok "both steered URLs fetched from the agents, sha256 matches"

code=$(curl -s -o "$T/got" -w '%{http_code}' -H 'Range: bytes=1000-1999' \
	--resolve "ipv4-$(cat "$T/a.host"):$port_a:127.0.0.1" "$ua")
[ "$code" = 206 ] && [ "$(stat -c %s "$T/got")" = 1000 ] || fail "range request: $code"
[ "$(tail -c +1001 "$T/a/data/tt1-hd" | head -c 1000 | sha256sum)" = "$(sha256sum <"$T/got")" ] || fail "range bytes"
ok "a Range request gets 206 with the right bytes"

tampered="${ua%?}$( [ "${ua: -1}" = A ] && echo B || echo A)"
[ "$(fetch "$tampered")" = 403 ] || fail "tampered token accepted"
[ "$(fetch "$ua" "ipv4-$(cat "$T/b.host")")" = 403 ] || fail "token accepted for another host"
other="${ua/:$port_a/:$port_b}"
[ "$(fetch "${other/$(cat "$T/a.host")/$(cat "$T/b.host")}")" = 403 ] || fail "OCA A's token accepted by OCA B"
ok "tampered token, wrong host and another OCA's token are 403"

# Forge tokens with openssl from the signing key the agent is given (GET /v1/agent/config).
expect 200 GET /v1/agent/config "$(cat "$T/a.key")"
key_hex=$(jq -r '.sign_keys[0].key' <<<"$BODY" | tr '_-' '/+' | sed 's/$/=/' | base64 -d | od -An -tx1 | tr -d ' \n')
[ ${#key_hex} = 64 ] || fail "signing key is not 32 bytes"
host_a="ipv4-$(cat "$T/a.host")"
forge() { # expiry -> token
	printf 'ocdn1\nvideo\n%s\ntt1-hd\n1\n%s\n\n' "$host_a" "$1" |
		openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key_hex" -binary | head -c 20 |
		base64 | tr '+/' '-_' | tr -d '='
}
now=$(date +%s)
good="http://$host_a:$port_a/tt1-hd?o=tt1-hd&v=1&e=$((now + 600))&t=$(forge $((now + 600)))"
[ "$(fetch "$good")" = 200 ] || fail "a token forged with the agent's key is refused: the format differs"
expired="http://$host_a:$port_a/tt1-hd?o=tt1-hd&v=1&e=$((now - 5))&t=$(forge $((now - 5)))"
[ "$(fetch "$expired")" = 403 ] || fail "expired token accepted"
ok "token format matches openssl's HMAC-SHA256; an expired (correctly signed) token is 403"

expect 200 GET "/v1/steer?client=8.8.8.8&file=tt1-hd" "$FE"
[ "$(jq -r .mode <<<"$BODY")" = origin ] || fail "no route should fall back to the origin: $BODY"
expect 400 GET "/v1/steer?client=176.130.1&file=tt1-hd" "$FE"
expect 400 GET "/v1/steer?client=176.130.1.1&file=nope" "$FE"
expect 400 GET "/v1/steer?client=176.130.1.1&file=tt1-hd&n=100" "$FE"
ok "no route: origin; bad client, unknown file, oversize n: 400"
