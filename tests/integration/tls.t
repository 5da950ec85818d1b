#!/bin/sh
# tls.t - TLS as the docker CLI does it, against the fake engine behind
# build/tlsfront (an mbedTLS server that answers plain HTTP like Go's):
# events over tcp://127.0.0.1, tcp://localhost and tcp://[::1]; refused,
# with one clear line and no event, for a wrong CA, an expired certificate,
# a name or IP address mismatch, a certificate with only a Common Name, a
# missing client certificate, plain HTTP to the TLS port and TLS to a plain
# port. A TLS=none build only refuses TLS, at start.
. tests/integration/lib.sh

if $WRAP "$DOCKEV" --version 2>/dev/null | grep -q 'TLS none'; then
	dockev -H tcp://127.0.0.1:2376 --tls >/dev/null 2>"$T/err"
	is $? 1 "TLS asked of a TLS=none build: exit 1"
	grep -q "built without TLS" "$T/err"; ok $? "says it was built without TLS"
	DOCKER_TLS_VERIFY=1 dockev -H tcp://127.0.0.1:2376 >/dev/null 2>&1
	is $? 1 "DOCKER_TLS_VERIFY turns TLS on"
	nm -D "$DOCKEV" 2>/dev/null | grep -q mbedtls; is $? 1 "no mbedTLS symbol linked in"
	done_testing
	exit
fi

# The front may come from another build (check-mbedtls3: 2.28's, TLS 1.2).
TLSFRONT=${TLSFRONT:-$BUILD/tlsfront}
C=$T/c
tools/tlscerts "$C"; ok $? "certificates made with openssl"
N=40
FRONT_PID=
front_stop() {
	if [ -n "$FRONT_PID" ]; then kill "$FRONT_PID" 2>/dev/null; wait "$FRONT_PID" 2>/dev/null; FRONT_PID=; fi
}
trap 'front_stop; cleanup' EXIT INT TERM
# front CERT [ADDR [--ca CA]]: a TLS front for the fake engine; sets $PORT.
front() {
	front_stop
	cert=$1; addr=${2:-127.0.0.1}; shift; [ $# -gt 0 ] && shift
	rm -f "$T/fport" "$T/fready"
	"$TLSFRONT" -l "$addr:0" --to "$SOCK" --cert "$C/$cert" \
		--key "$C/server-key.pem" --port-file "$T/fport" --ready-file "$T/fready" \
		"$@" 2>>"$T/front.err" &
	FRONT_PID=$!
	i=0
	while [ ! -e "$T/fready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	PORT=$(cat "$T/fport")
}
VERIFY="--tlsverify --tlscacert $C/ca.pem --tlscert $C/client.pem --tlskey $C/client-key.pem"
# run URL ARGS...: the agent to the --until end of the fake's events.
run() {
	url=$1; shift
	dockev -H "$url" --json --since 0 --until $UNTIL "$@" >"$T/out" 2>"$T/err"
}

fake_start -g $N --t0 1795790000000000000
front server.pem 127.0.0.1 --ca "$C/ca.pem"
# shellcheck disable=SC2086
run "tcp://127.0.0.1:$PORT" $VERIFY
is $? 0 "tcp://127.0.0.1: verified (IP address in the certificate), exit 0 at --until"
is "$(events "$T/out" | wc -l)" $N "tcp://127.0.0.1: all $N events"
# shellcheck disable=SC2086
run "tcp://localhost:$PORT" $VERIFY
is $? 0 "tcp://localhost: verified (DNS name), exit 0"
is "$(events "$T/out" | wc -l)" $N "tcp://localhost: all $N events"

# As the docker CLI: DOCKER_TLS_VERIFY and DOCKER_CERT_PATH's three files.
mkdir "$T/dc"
cp "$C/ca.pem" "$T/dc/ca.pem"; cp "$C/client.pem" "$T/dc/cert.pem"; cp "$C/client-key.pem" "$T/dc/key.pem"
DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=$T/dc run "tcp://127.0.0.1:$PORT"
is $? 0 "DOCKER_TLS_VERIFY=1, DOCKER_CERT_PATH with ca.pem, cert.pem, key.pem: exit 0"
is "$(events "$T/out" | wc -l)" $N "DOCKER_CERT_PATH: all $N events"
mkdir -p "$T/home"; cp -r "$T/dc" "$T/home/.docker"
DOCKER_TLS_VERIFY=yes HOME=$T/home run "tcp://localhost:$PORT"
is "$?:$(events "$T/out" | wc -l)" "0:$N" "DOCKER_CERT_PATH unset: ~/.docker"

# --tls: encrypted but not verified, with a warning at each connect.
front name.pem
run "tcp://127.0.0.1:$PORT" --tls
is "$?:$(events "$T/out" | wc -l)" "0:$N" "--tls: a certificate for another name is not checked"
grep -q "TLS without verification" "$T/err"; ok $? "--tls: warns that nothing is verified"

if grep -q '^0\{31\}1 ' /proc/net/if_inet6 2>/dev/null; then
	front server.pem ::1 --ca "$C/ca.pem"
	# shellcheck disable=SC2086
	run "tcp://[::1]:$PORT" $VERIFY
	is "$?:$(events "$T/out" | wc -l)" "0:$N" "tcp://[::1]: verified (IPv6 address in the certificate)"
	front ip2.pem ::1
	# shellcheck disable=SC2086
	run "tcp://[::1]:$PORT" $VERIFY
	is "$?:$(events "$T/out" | wc -l)" "1:0" "tcp://[::1], certificate for 127.0.0.2: refused, exit 1"
	grep -q "certificate is for 127.0.0.2, not ::1" "$T/err"; ok $? "IPv6 mismatch: says what did not match"
else
	n=$((n + 3)); echo "ok $((n - 2)) # skip no ::1"; echo "ok $((n - 1)) # skip"; echo "ok $n # skip"
fi

# refused CERT ADDR URLHOST MESSAGE DESCRIPTION [AGENT ARGS]: exit 1 with
# --until, one error line holding MESSAGE, no event.
refused() {
	cert=$1; addr=$2; host=$3; msg=$4; what=$5; shift 5
	[ -n "$cert" ] && front "$cert" "$addr" --ca "$C/ca.pem"
	# shellcheck disable=SC2086
	run "tcp://$host:$PORT" "$@"
	is "$?:$(events "$T/out" | wc -l)" "1:0" "$what: exit 1, no event"
	grep -q -- "$msg" "$T/err"; ok $? "$what: '$msg'"
	is "$(grep -c 'error:' "$T/err")" 1 "$what: one error line"
}
# shellcheck disable=SC2086
refused server.pem 127.0.0.1 127.0.0.1 "not signed by the CA in $C/other-ca.pem" "wrong CA" \
	--tlsverify --tlscacert "$C/other-ca.pem" --tlscert "$C/client.pem" --tlskey "$C/client-key.pem"
# shellcheck disable=SC2086
refused expired.pem 127.0.0.1 127.0.0.1 "certificate expired (valid until 2020-01-02" "expired server certificate" $VERIFY
# shellcheck disable=SC2086
refused name.pem 127.0.0.1 localhost "certificate is for engine.invalid, not localhost" "name mismatch" $VERIFY
# shellcheck disable=SC2086
refused ip2.pem 127.0.0.1 127.0.0.1 "certificate is for 127.0.0.2, not 127.0.0.1" "IP mismatch" $VERIFY
# shellcheck disable=SC2086
refused ipdns.pem 127.0.0.1 127.0.0.1 "names 127.0.0.1 as a DNS name, not as an IP address" "address as a DNS name only" $VERIFY
# shellcheck disable=SC2086
refused cn.pem 127.0.0.1 127.0.0.1 "no subjectAltName" "Common Name only (Go and the docker CLI ignore it)" $VERIFY
refused server.pem 127.0.0.1 127.0.0.1 "it requires a client certificate" "no client certificate, engine requires one" \
	--tlsverify --tlscacert "$C/ca.pem"
refused "" "" "127.0.0.1" "Client sent an HTTP request to an HTTPS server\": a TLS port, use --tlsverify" "plain HTTP to the TLS port"

# TLS to a plain port that answers, as Go's HTTP server does when the
# hello happens to hold a newline...
front_stop
rm -f "$T/fready"
"$TLSFRONT" --plain -l 127.0.0.1:0 --to "$SOCK" --cert "$C/server.pem" \
	--key "$C/server-key.pem" --port-file "$T/fport" --ready-file "$T/fready" &
FRONT_PID=$!
i=0; while [ ! -e "$T/fready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$T/fport")
# shellcheck disable=SC2086
refused "" "" 127.0.0.1 "answered plain HTTP, not TLS" "TLS to a plain port that answers" $VERIFY
# ...and to one that waits for a request line (the fake engine; usual):
# the handshake times out (5 s) with a hint, and is retried as transient.
fake_start -g $N --t0 1795790000000000000 -l tcp:127.0.0.1:0 --port-file "$T/pport"
PORT=$(cat "$T/pport")
# shellcheck disable=SC2086
timeout 9 $WRAP "$DOCKEV" -H "tcp://127.0.0.1:$PORT" $VERIFY --backoff 30s:30s >"$T/out" 2>"$T/err"
is "$(events "$T/out" | wc -l)" 0 "TLS to a plain port that waits: no event"
grep -q "no answer to our TLS hello (a plain HTTP port" "$T/err"; ok $? "TLS to a plain port that waits: says so"

# Without --until a verification failure is not retried soon: the longest
# back-off, whatever the first delay.
fake_start -g $N --t0 1795790000000000000
front ip2.pem 127.0.0.1
# shellcheck disable=SC2086
timeout 6 $WRAP "$DOCKEV" -H "tcp://127.0.0.1:$PORT" $VERIFY --backoff 50ms:30s >"$T/out" 2>"$T/err"
grep -q "not 127.0.0.1; retrying in 30.000s" "$T/err"; ok $? "mismatch without --until: retried after the longest back-off (30s)"
is "$(grep -c 'error:' "$T/err")" 1 "mismatch without --until: one line per attempt, one attempt in 6 s"

# Files that cannot be used: exit 1 at start, before connecting.
dockev -H tcp://127.0.0.1:1 --tlsverify --tlscacert "$T/none.pem" >/dev/null 2>"$T/err"
is $? 1 "missing CA file: exit 1"
grep -q "cannot load CA certificate (--tlscacert) $T/none.pem" "$T/err"; ok $? "missing CA file: says which"
dockev -H tcp://127.0.0.1:1 --tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/client.pem" \
	--tlskey "$C/server-key.pem" >/dev/null 2>"$T/err"
is $? 1 "key of another certificate: exit 1"
grep -q "does not belong to the certificate" "$T/err"; ok $? "key of another certificate: says so"
dockev -H tcp://127.0.0.1:1 --tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/client.pem" >/dev/null 2>"$T/err"
is $? 1 "--tlscert without --tlskey: exit 1"

done_testing
