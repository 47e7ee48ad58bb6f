#!/usr/bin/env bash
# tls-report.sh - the agent reports to a control plane behind a TLS terminator (nginx, as in
# deploy/), verifying it with ca_file: a certificate from another CA is refused with a clear
# error and nothing is stored; with the right CA the first start fetches its config and the
# report is acknowledged over https.
. "$(dirname "$0")/lib.sh"

NG=$T/nginx
A=$T/agent
mkdir -p "$NG" "$T/tls" "$A/data" "$A/state"
chmod 755 "$A" "$A/data" "$T/tls"
[ -z "$RUN_USER" ] || chown "$RUN_USER" "$A/state" "$NG"

# ---- a private CA, a server certificate for 127.0.0.1 from it, and an unrelated CA ---------
ec() { openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "$@" 2>/dev/null; }
ec -keyout "$T/tls/ca.key" -out "$T/tls/ca.crt" -subj /CN=ocdn-test-ca
ec -keyout "$T/tls/other.key" -out "$T/tls/other.crt" -subj /CN=ocdn-other-ca
openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=127.0.0.1 \
	-keyout "$T/tls/server.key" -out "$T/tls/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' >"$T/tls/san"
openssl x509 -req -in "$T/tls/server.csr" -CA "$T/tls/ca.crt" -CAkey "$T/tls/ca.key" \
	-CAcreateserial -days 2 -extfile "$T/tls/san" -out "$T/tls/server.crt" 2>/dev/null
chmod 644 "$T/tls"/*.crt
ok "test CA and server certificate for 127.0.0.1"

cp_conf cp
start_cp cp
ADMIN=$(cp_key cp admin)
provision_oca "$A/key"
printf '81.250.0.0/16|65001 3215||||isp4\n' >"$A/routes"
chmod 644 "$A/routes"

# ---- nginx terminates TLS in front of the control plane (nginx cannot listen on port 0:
# a few random ports are tried) ---------------------------------------------------------------
start_nginx() {
	local try
	for try in 1 2 3 4 5; do
		NG_PORT=$((20000 + RANDOM % 20000))
		cat >"$NG/nginx.conf" <<EOF
daemon off;
worker_processes 1;
pid $NG/nginx.pid;
error_log $NG/error.log;
${RUN_USER:+user $RUN_USER nogroup;}
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $NG/body;
    proxy_temp_path $NG/proxy;
    fastcgi_temp_path $NG/fastcgi;
    uwsgi_temp_path $NG/uwsgi;
    scgi_temp_path $NG/scgi;
    client_max_body_size 300m;
    server {
        listen 127.0.0.1:$NG_PORT ssl;
        ssl_certificate $T/tls/server.crt;
        ssl_certificate_key $T/tls/server.key;
        location / {
            proxy_pass http://127.0.0.1:$CP_PORT;
            proxy_http_version 1.1;
        }
    }
}
EOF
		: >"$NG/error.log"
		nginx -e "$NG/error.log" -p "$NG" -c "$NG/nginx.conf" &
		NG_PID=$!
		PIDS+=("$NG_PID")
		for _ in $(seq 50); do
			if curl -s -o /dev/null --cacert "$T/tls/ca.crt" "https://127.0.0.1:$NG_PORT/healthz"; then
				return 0
			fi
			kill -0 "$NG_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill "$NG_PID" 2>/dev/null || true
		wait "$NG_PID" 2>/dev/null || true
	done
	cat "$NG/error.log" >&2
	fail "nginx did not start"
}
start_nginx
ok "nginx terminates TLS on 127.0.0.1:$NG_PORT in front of the control plane"

agent_conf() { # $1: CA file
	cat >"$A/agent.conf" <<EOF
role = oca
controlplane = https://127.0.0.1:$NG_PORT
ca_file = $1
key_file = $A/key
listen = 127.0.0.1:0
data_dir = $A/data
state_dir = $A/state
routes_file = $A/routes
workers = 1
user = ${RUN_USER:-$(id -un)}
report_retry_min = 200ms
report_retry_max = 1s
drain_timeout = 2s
EOF
}

# ---- the wrong CA: the first start cannot fetch its config; a clear error, nothing stored --
agent_conf "$T/tls/other.crt"
if "$BIN/ocdn-agent" -d -c "$A/agent.conf" >"$T/wrong.log" 2>&1; then
	fail "the agent started against a certificate its CA file does not sign"
fi
grep -qi "certificate" "$T/wrong.log" || fail "no certificate error: $(cat "$T/wrong.log")"
[ ! -e "$A/state/config.json" ] || fail "a refused first start saved a config"
expect 200 GET "/v1/ocas/$OCA" "$ADMIN"
[ "$(jq -r .status <<<"$BODY")" = unreported ] || fail "something was stored: $BODY"
ok "a server certificate from another CA is refused, with the reason, and nothing is stored"

# ---- the right CA: config fetched and the report acknowledged over https -------------------
agent_conf "$T/tls/ca.crt"
: >"$T/agent.log"
"$BIN/ocdn-agent" -d -c "$A/agent.conf" >>"$T/agent.log" 2>&1 &
AG_PID=$!
PIDS+=("$AG_PID")
wait_log "$T/agent.log" "first start: the control plane says this is oca_id=$OCA"
wait_log "$T/agent.log" "reporter: acked seq="
expect 200 GET "/v1/ocas/$OCA" "$ADMIN"
[ "$(jq -r .status <<<"$BODY")" = online ] || fail "OCA not online: $BODY"
expect 200 GET "/v1/ocas/$OCA/routes" "$ADMIN"
[ "$(jq -r .total <<<"$BODY")" = 1 ] || fail "routes not stored: $BODY"
ok "with ca_file = the right CA: config fetched and the first report acknowledged over https"

kill -TERM "$AG_PID"
wait "$AG_PID" || fail "ocdn-agent exited with $?"
ok "agent stopped cleanly"
