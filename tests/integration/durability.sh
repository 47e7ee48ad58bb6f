#!/usr/bin/env bash
# durability.sh - kill -9 the control plane in the middle of report ingest, many times
# (bounded): it never loses a report it acknowledged and never keeps part of one.
# Each report k is a full route set of n(k) routes, so the stored count tells which report the
# database holds. DURABILITY_ITERATIONS (default 15) sets the number of kills.
. "$(dirname "$0")/lib.sh"
ITER=${DURABILITY_ITERATIONS:-15}

n_of() { echo $((1500 + ($1 * 37) % 1000)); }
body_of() { # seq -> report body on stdout
	awk -v k="$1" -v n="$(n_of "$1")" 'BEGIN {
		printf "{\"seq\":%d,\"routes\":{\"mode\":\"full\",\"add\":[", k
		for (i = 0; i < n; i++)
			printf "%s\"11.%d.%d.0/24|64500 %d|%d|||p\"", (i ? "," : ""), int(i / 256), i % 256, 64501 + k, k
		printf "]}}"
	}'
}

cp_conf cp
start_cp cp
ADMIN=$(cp_key cp admin)
expect 201 POST /v1/orgs "$ADMIN" '{"name":"isp-a","display_name":"ISP A","kind":"isp"}'
expect 201 POST /v1/sites "$ADMIN" '{"org_id":1,"iata":"TLS","type":"isp"}'
expect 201 POST /v1/ocas "$ADMIN" '{"site_id":1,"model":"storage","capacity_bytes":1,"nic_bps":1000000000,"ipv4":"192.0.2.1"}'
APP=$(jq -r .appliance_key <<<"$BODY")
ok "provisioned an OCA"

client() { # first_seq: posts reports k, k+1, ... until killed; logs attempts and acks
	local k=$1 code
	while :; do
		echo "$k" >>"$T/attempted"
		body_of "$k" >"$T/body.$k"
		code=$(curl -s -o "$T/reply.$k" -w '%{http_code}' -X POST -H "Authorization: Bearer $APP" \
			-H 'Content-Type: application/json' --data-binary @"$T/body.$k" "$CP/v1/agent/report") || code=000
		if [ "$code" = 200 ] && [ "$(jq -r .ack_seq "$T/reply.$k" 2>/dev/null)" = "$k" ]; then
			echo "$k" >>"$T/acked"
		fi
		rm -f "$T/body.$k" "$T/reply.$k"
		k=$((k + 1))
	done
}

: >"$T/acked"
: >"$T/attempted"
next=1
for it in $(seq "$ITER"); do
	client "$next" &
	cpid=$!
	sleep "0.$((RANDOM % 9 + 2))"
	kill -KILL "$CP_PID"
	wait "$CP_PID" 2>/dev/null || true
	kill "$cpid" 2>/dev/null || true
	wait "$cpid" 2>/dev/null || true
	start_cp cp
	acked=$(sort -n "$T/acked" | tail -n 1)
	attempted=$(sort -n "$T/attempted" | tail -n 1)
	expect 200 GET /v1/ocas/1 "$ADMIN"
	last=$(jq -r .last_seq <<<"$BODY")
	expect 200 "GET" "/v1/ocas/1/routes?limit=1" "$ADMIN"
	total=$(jq -r .total <<<"$BODY")
	[ -n "$acked" ] || acked=0
	[ "$last" -ge "$acked" ] || fail "iteration $it: acknowledged report $acked lost (database has $last)"
	[ "$last" -le "$attempted" ] || fail "iteration $it: database has seq $last, never sent"
	if [ "$last" -gt 0 ]; then
		[ "$total" = "$(n_of "$last")" ] ||
			fail "iteration $it: report $last has $(n_of "$last") routes, database holds $total (partial)"
	fi
	ok "kill $it: acknowledged up to $acked, database at report $last with all $total routes"
	next=$((attempted + 1))
done
[ "$(wc -l <"$T/acked")" -gt 0 ] || fail "no report was ever acknowledged"
ok "$(wc -l <"$T/acked") reports acknowledged over $ITER kills, none lost, none partial"
