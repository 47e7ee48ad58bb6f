#!/usr/bin/env bash
# steer-http.sh - GET /v1/steer under load with wrk (keep-alive) on 127.0.0.1: random clients
# inside the prefixes of OCAS OCAs with PREFIXES routes each (database made by bench_ingest,
# shared with portal-reads.sh), 3 signed URLs per answer; next to the same server's HTTP floor
# (GET /healthz) measured in the same run.
#
#   bench/steer-http.sh          OCAS=1000 PREFIXES=100000 DURATION=10 CONNS=64
. "$(dirname "$0")/lib.sh"
start_cp cp-steer
KEY=$("$BIN/ocdn-controlplane" -c "$DIR/cp-steer.conf" key create --scope frontend 2>/dev/null)
export KEY
# The answer must be a real one before measuring.
curl -sf -H "Authorization: Bearer $KEY" "$URL/v1/steer?client=1.0.0.1&file=bench-1" >/dev/null
echo "steer over HTTP: $OCAS OCAs x $PREFIXES prefixes, wrk -t2 -c$CONNS -d${DURATION}s, 2 cores shared with wrk"
{ grep "steer:" "$DIR/cp-steer.log" || true; } | tail -n 2 | sed "s/^/  /"
floor=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$URL/healthz" | rps)
steer=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s bench/steer-http.lua "$URL" | rps)
printf '%-44s %10.0f req/s  (baseline)\n' "GET /healthz (HTTP floor of this server)" "$floor"
printf '%-44s %10.0f req/s  %sx the floor\n' "GET /v1/steer (random client, n=3, signed)" "$steer" "$(ratio "$steer" "$floor")"
