#!/usr/bin/env bash
# portal-reads.sh - partner portal reads under load: GET /v1/ocas and /v1/ocas/{id}/routes with
# wrk (keep-alive) on 127.0.0.1, on a database of OCAS OCAs with PREFIXES routes each (made by
# bench_ingest), next to the HTTP floor of the same server in the same run (GET /healthz).
#
#   bench/portal-reads.sh            OCAS=1000 PREFIXES=100000 DURATION=10 CONNS=64
. "$(dirname "$0")/lib.sh"
start_cp cp-portal
KEY=$("$BIN/ocdn-controlplane" -c "$DIR/cp-portal.conf" key create --scope partner:1 2>/dev/null)
export KEY
echo "portal reads: $OCAS OCAs x $PREFIXES routes, wrk -t2 -c$CONNS -d${DURATION}s, 2 cores shared with wrk"
floor=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" "$URL/healthz" | rps)
ocas=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -H "Authorization: Bearer $KEY" "$URL/v1/ocas?limit=100" | rps)
routes=$(wrk -t2 -c"$CONNS" -d"${DURATION}s" -s bench/portal-reads.lua "$URL" | rps)
printf '%-44s %10.0f req/s  (baseline)\n' "GET /healthz (HTTP floor of this server)" "$floor"
printf '%-44s %10.0f req/s  %sx the floor\n' "GET /v1/ocas?limit=100" "$ocas" "$(ratio "$ocas" "$floor")"
printf '%-44s %10.0f req/s  %sx the floor\n' "GET /v1/ocas/{random}/routes?limit=100" "$routes" "$(ratio "$routes" "$floor")"
