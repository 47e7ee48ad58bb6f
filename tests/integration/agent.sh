#!/usr/bin/env bash
# agent.sh - ocdn-agent against a real control plane: first report in full, the signing keys
# and host names handed to the server (a steered URL is served, a forged one refused), deltas,
# a restart with the control plane down (still serving with the saved keys, retrying), the
# control plane back (the same report acknowledged), signing-key rotation, need_full after the
# agent's state went back, role = origin, -n, and a clean drain on SIGTERM.
. "$(dirname "$0")/lib.sh"

A=$T/agent
mkdir -p "$A/data" "$A/state"
chmod 755 "$A" "$A/data"
[ -z "$RUN_USER" ] || chown "$RUN_USER" "$A/state"

cp_conf cp
start_cp cp
ADMIN=$(cp_key cp admin)
FE=$(cp_key cp frontend)
provision_oca "$A/key"
ok "provisioned OCA $OCA"

printf 'hello world\n' >"$A/data/tt0001-1080p"
head -c 100000 /dev/urandom >"$A/data/tt0002-720p"
printf 'partial' >"$A/data/tt0004.tmp"
chmod 644 "$A/data"/*
cat >"$A/routes" <<'EOF'
# the lab's routes
203.0.113.0/24|65001 64500|50|65001:300|198.18.0.1|isp4
81.250.0.0/16|65001 3215||||isp4
EOF
chmod 644 "$A/routes"

agent_conf() { # extra lines on stdin
	cat >"$A/agent.conf" <<EOF
role = oca
controlplane = $CP
key_file = $A/key
listen = 127.0.0.1:0
data_dir = $A/data
state_dir = $A/state
routes_file = $A/routes
workers = 2
user = ${RUN_USER:-$(id -un)}
report_retry_min = 200ms
report_retry_max = 1s
drain_timeout = 5s
$(cat)
EOF
}

# start_agent LOG: sets AG_PID, AG_PORT
start_agent() {
	local log=$T/$1
	: >"$log"
	"$BIN/ocdn-agent" -d -c "$A/agent.conf" >>"$log" 2>&1 &
	AG_PID=$!
	PIDS+=("$AG_PID")
	wait_log "$log" "agent: started"
	AG_PORT=$(sed -n 's/.*agent: started .* port=\([0-9]*\).*/\1/p' "$log" | tail -n 1)
}

stop_agent() {
	kill -TERM "$AG_PID"
	wait "$AG_PID" || fail "ocdn-agent exited with $?"
}

# get URL: sets CODE and GOT (body) from the agent, whatever host the URL names.
get() {
	CODE=$(curl -s -o "$T/.got" -w '%{http_code}' --connect-to "::127.0.0.1:$AG_PORT" "$1") || CODE=000
	GOT=$(cat "$T/.got")
}

count() { grep -c -- "$2" "$T/$1" || true; }

# ---- first boot without oca_id, nothing saved, the control plane unreachable: a clear error
agent_conf </dev/null
sed -i "s|^controlplane = .*|controlplane = http://127.0.0.1:1|" "$A/agent.conf"
if "$BIN/ocdn-agent" -c "$A/agent.conf" >"$T/noid.log" 2>&1; then fail "started without oca_id"; fi
grep -q "oca_id is not set" "$T/noid.log" || fail "no oca_id message: $(cat "$T/noid.log")"
[ ! -e "$A/state/config.json" ] || fail "a failed first start saved a config"
ok "first boot without oca_id and no control plane refused with a reason"
agent_conf </dev/null

chmod 644 "$A/key"
if "$BIN/ocdn-agent" -c "$A/agent.conf" >"$T/mode.log" 2>&1; then fail "started with a 0644 key"; fi
grep -q "chmod 600" "$T/mode.log" || fail "no key mode message: $(cat "$T/mode.log")"
grep -q "ocdn_app_" "$T/mode.log" && fail "the key was logged"
chmod 600 "$A/key"
ok "a key file readable by others is refused"

"$BIN/ocdn-agent" -n -c "$A/agent.conf" >"$T/n.out" || fail "-n failed"
grep -q "^report_interval = 5m" "$T/n.out" || fail "-n output lacks defaults"
echo "listen = 127.0.0.1:1 127.0.0.1:2 127.0.0.1:3" >>"$A/agent.conf"
if "$BIN/ocdn-agent" -n -c "$A/agent.conf" 2>"$T/n.err"; then fail "-n accepted a bad config"; fi
grep -q "agent.conf:.*listen" "$T/n.err" || fail "-n error lacks file and key: $(cat "$T/n.err")"
ok "-n prints the effective config, and exits 1 naming file, line and key"

# ---- first report: without oca_id, the first start asks the control plane ------------------
agent_conf </dev/null
start_agent agent1.log
grep -q "first start: the control plane says this is oca_id=$OCA" "$T/agent1.log" ||
	fail "the first start did not learn its oca_id: $(cat "$T/agent1.log")"
grep -q "using the saved config" "$T/agent1.log" || fail "the fetched config was not applied"
wait_log "$T/agent1.log" "reporter: acked seq="
expect 200 GET "/v1/ocas/$OCA" "$ADMIN"
[ "$(jq -r .status <<<"$BODY")" = online ] || fail "OCA not online: $BODY"
SEQ1=$(jq -r .last_seq <<<"$BODY")
expect 200 GET "/v1/ocas/$OCA/routes" "$ADMIN"
[ "$(jq -r .total <<<"$BODY")" = 2 ] || fail "routes not stored: $BODY"
[ "$(stat -c %a "$A/state/config.json")" = 600 ] || fail "config.json is not private"
ok "first report applied (seq $SEQ1, 2 routes), config saved mode 0600"

# ---- a steered URL is served: the keys and host names reached the server ------------------
expect 201 POST /v1/titles "$ADMIN" '{"id":"tt0001","name":"Test"}'
expect 201 POST /v1/files "$ADMIN" \
	"{\"id\":\"tt0001-1080p\",\"title_id\":\"tt0001\",\"size\":12,\"sha256\":\"$(sha256sum "$A/data/tt0001-1080p" | cut -c1-64)\"}"
printf 'three\n' >"$A/data/tt0003-480p"
chmod 644 "$A/data/tt0003-480p"
kill -HUP "$AG_PID" # reload: reports at once (a catalog delta: the steering snapshot is rebuilt)
for i in $(seq 100); do
	api GET "/v1/steer?client=81.250.1.1&file=tt0001-1080p" "$FE"
	[ "$STATUS" = 200 ] && break
	sleep 0.1
done
[ "$STATUS" = 200 ] || fail "steering never answered: $STATUS $BODY"
URL=$(jq -r '.urls[0].url' <<<"$BODY")
RANGE=$(jq -r '.urls[0].range_url' <<<"$BODY" | sed 's/{start}-{end}/0-4/')
get "$URL"
[ "$CODE" = 200 ] && [ "$GOT" = "hello world" ] || fail "signed URL: $CODE $GOT"
get "$RANGE"
[ "$CODE" = 200 ] && [ "$GOT" = "hello" ] || fail "signed range URL: $CODE $GOT"
# A token with its last character changed (to another one, whatever it was).
get "${URL%?}$([ "${URL: -1}" = A ] && echo B || echo A)"
[ "$CODE" = 403 ] || fail "forged token: $CODE"
ok "steered URL served by the agent (keys and host names from the control plane), forged one 403"

expect 200 GET "/v1/ocas/$OCA" "$ADMIN"
SEQ2=$(jq -r .last_seq <<<"$BODY")
[ "$SEQ2" -gt "$SEQ1" ] || fail "no second report"
grep -q '"tt0004.tmp"' "$A/state/base" && fail "a temporary file was reported"
grep -q '^tt0003-480p$' "$A/state/base" || fail "the new file is not in the acknowledged base"
ok "catalog delta acknowledged (seq $SEQ2), temporary files left out"

# ---- control plane down: restart the agent, it keeps serving with the saved keys ----------
kill -TERM "$CP_PID"
wait "$CP_PID" || true
stop_agent
grep -q "agent: stopped" "$T/agent1.log" || fail "agent did not stop cleanly"
start_agent agent2.log
wait_log "$T/agent2.log" "reporter: report failed"
get "$URL"
[ "$CODE" = 200 ] || fail "saved keys not used while the control plane is down: $CODE"
ok "restart with the control plane down: serving with the saved keys, retrying"

sed -i "s/^listen = .*/listen = 127.0.0.1:$CP_PORT/" "$T/cp.conf"
start_cp cp
wait_log "$T/agent2.log" "control plane reachable again" 20
expect 200 GET "/v1/ocas/$OCA" "$ADMIN"
SEQ3=$(jq -r .last_seq <<<"$BODY")
[ "$SEQ3" -gt "$SEQ2" ] || fail "seq did not increase across the restart: $SEQ3 <= $SEQ2"
ok "control plane back: the pending report acknowledged (seq $SEQ3)"

# ---- signing key rotation: fetched, both keys verify --------------------------------------
expect 200 POST "/v1/ocas/$OCA/signing-key" "$ADMIN"
n=$(count agent2.log "config applied")
kill -HUP "$AG_PID"
for i in $(seq 100); do [ "$(count agent2.log "config applied")" -gt "$n" ] && break; sleep 0.1; done
[ "$(count agent2.log "config applied")" -gt "$n" ] || fail "rotated key not fetched"
grep "config applied" "$T/agent2.log" | tail -n 1 | grep -q "keys=2" || fail "not two keys"
expect 200 GET "/v1/steer?client=81.250.1.1&file=tt0001-1080p" "$FE"
get "$(jq -r '.urls[0].url' <<<"$BODY")"
[ "$CODE" = 200 ] || fail "URL signed with the new key: $CODE"
get "$URL"
[ "$CODE" = 200 ] || fail "URL signed with the previous key: $CODE"
ok "signing key rotation: new config fetched, new and previous key verify"

# ---- a large change goes gzip-compressed, as a delta --------------------------------------
awk 'BEGIN { for (i = 0; i < 20000; i++) printf "10.%d.%d.0/24|65001 %d|||198.18.0.1|isp4\n", int(i / 256), i % 256, 64500 + i % 100 }' >>"$A/routes"
kill -HUP "$AG_PID"
for i in $(seq 100); do
	api GET "/v1/ocas/$OCA/routes?limit=1" "$ADMIN"
	[ "$(jq -r .total <<<"$BODY")" = 20002 ] && break
	sleep 0.1
done
[ "$(jq -r .total <<<"$BODY")" = 20002 ] || fail "20000 new routes not stored: $BODY"
ok "20000 routes added by one delta"

# ---- the agent's state goes back (restored from an old copy): need_full, then full --------
# One more report with no change: the control plane is then one seq past the saved base.
expect 200 GET "/v1/ocas/$OCA" "$ADMIN"
LAST=$(jq -r .last_seq <<<"$BODY")
kill -HUP "$AG_PID"
for i in $(seq 100); do
	api GET "/v1/ocas/$OCA" "$ADMIN"
	[ "$(jq -r .last_seq <<<"$BODY")" -gt "$LAST" ] && break
	sleep 0.1
done
LAST=$(jq -r .last_seq <<<"$BODY")
stop_agent
base=$(sed -n 's/^base_seq //p' "$A/state/seq")
[ "$base" -lt "$LAST" ] || fail "base $base is not behind the control plane's $LAST"
sed -i "s/^acked_seq .*/acked_seq $base/" "$A/state/seq"
start_agent agent3.log
wait_log "$T/agent3.log" "control plane wants a full report"
for i in $(seq 100); do
	api GET "/v1/ocas/$OCA" "$ADMIN"
	[ "$(jq -r .last_seq <<<"$BODY")" -gt "$LAST" ] && break
	sleep 0.1
done
[ "$(jq -r .last_seq <<<"$BODY")" -gt "$LAST" ] || fail "no full report after need_full"
expect 200 GET "/v1/ocas/$OCA/routes?limit=1" "$ADMIN"
[ "$(jq -r .total <<<"$BODY")" = 20002 ] || fail "full report lost routes: $BODY"
stop_agent
ok "state gone back: need_full answered with a full report"

# ---- oca_id from the saved config; drain on SIGTERM ---------------------------------------
agent_conf </dev/null
start_agent agent4.log
grep -q "using the saved config" "$T/agent4.log" || fail "saved config not used"
get "$URL"
[ "$CODE" = 200 ] || fail "oca_id from the saved config: $CODE"
stop_agent
grep -q "agent: drained" "$T/agent4.log" || fail "no drain"
ok "oca_id taken from the saved config; SIGTERM drains and exits 0"

# ---- role = origin: data_dir without tokens, no reporter ----------------------------------
cat >"$A/agent.conf" <<EOF
role = origin
listen = 127.0.0.1:0
data_dir = $A/data
workers = 1
user = ${RUN_USER:-$(id -un)}
EOF
start_agent origin.log
curl -s -o "$T/.got" -w '%{http_code}' "http://127.0.0.1:$AG_PORT/tt0001-1080p" >"$T/.code"
[ "$(cat "$T/.code")" = 200 ] && [ "$(cat "$T/.got")" = "hello world" ] || fail "origin: $(cat "$T/.code")"
grep -q "reporter" "$T/origin.log" && fail "origin runs a reporter"
stop_agent
ok "role = origin serves data_dir without tokens and does not report"
