#!/bin/sh
# tls.t (engine) - dockev over TLS to Debian's real dockerd, started here
# with --tlsverify on loopback and private paths: events flow over
# tcp://127.0.0.1:PORT and tcp://localhost:PORT; a missing client
# certificate, a wrong CA and plain HTTP to the TLS port are refused with
# their one line. Installs docker.io when dockerd is missing (root, apt).
# Stops exactly the dockerd it started (which stops its containerd).
. tests/integration/lib.sh

if "$DOCKEV" --version | grep -q 'TLS none'; then
	echo "ok 1 # skip built with TLS=none"; echo "1..1"; exit 0
fi
if ! command -v dockerd >/dev/null 2>&1; then
	tools/apt-install docker.io >"$T/apt.log" 2>&1
fi
command -v dockerd >/dev/null 2>&1; ok $? "dockerd installed"
CLI=$(command -v docker)

D=$T/e
C=$T/c
mkdir -p "$D"
tools/tlscerts "$C"; ok $? "certificates made with openssl"

# A free loopback port: the first of a few random ones no one listens on.
PORT=
for _ in 1 2 3 4 5 6 7 8 9 10; do
	p=$((20000 + $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000))
	hex=$(printf ':%04X ' "$p")
	if ! grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null; then PORT=$p; break; fi
done

DPID=
DOCKEV_PIDS=
stop_all() {
	for p in $DOCKEV_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	DOCKEV_PIDS=
	if [ -n "$DPID" ]; then
		kill "$DPID" 2>/dev/null
		i=0
		while kill -0 "$DPID" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
		kill -9 "$DPID" 2>/dev/null
		wait "$DPID" 2>/dev/null
		DPID=
	fi
}
trap 'stop_all; cleanup' EXIT INT TERM

dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/pid" \
	-H "unix://$D/docker.sock" -H "tcp://127.0.0.1:$PORT" \
	--tlsverify --tlscacert "$C/ca.pem" --tlscert "$C/server.pem" --tlskey "$C/server-key.pem" \
	--iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
	--bridge=none --userland-proxy=false --storage-driver=vfs \
	--exec-opt native.cgroupdriver=cgroupfs >"$D/log" 2>&1 &
DPID=$!
i=0
until curl -fsS --max-time 2 --unix-socket "$D/docker.sock" http://docker/_ping >/dev/null 2>&1; do
	i=$((i + 1))
	if [ $i -ge 120 ] || ! kill -0 "$DPID" 2>/dev/null; then break; fi
	sleep 0.5
done
curl -fsS --max-time 2 --unix-socket "$D/docker.sock" http://docker/_ping >/dev/null 2>&1
ok $? "dockerd answers /_ping on its unix socket (TLS on 127.0.0.1:$PORT)"
[ $? -eq 0 ] || sed 's/^/# /' "$D/log" | tail -20

VERIFY="--tlsverify --tlscacert $C/ca.pem --tlscert $C/client.pem --tlskey $C/client-key.pem"
# watch NAME HOST: dockev over TLS in the background, output in $T/NAME.
watch() {
	# shellcheck disable=SC2086
	$WRAP "$DOCKEV" -H "tcp://$2:$PORT" $VERIFY --json >"$T/$1.out" 2>"$T/$1.err" &
	DOCKEV_PIDS="$DOCKEV_PIDS $!"
}
# wait_for FILE PATTERN: at most 60 s.
wait_for() {
	i=0
	while ! grep -q -- "$2" "$1" 2>/dev/null && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	grep -q -- "$2" "$1" 2>/dev/null
}
watch ip 127.0.0.1
watch name localhost
wait_for "$T/ip.err" "connected to tcp://127.0.0.1:$PORT"; ok $? "connected over TLS to tcp://127.0.0.1:$PORT"
wait_for "$T/name.err" "connected to tcp://localhost:$PORT"; ok $? "connected over TLS to tcp://localhost:$PORT"

VOL=dockev-tls-$$
"$CLI" -H "unix://$D/docker.sock" volume create "$VOL" >/dev/null 2>&1; ok $? "docker volume create $VOL"
"$CLI" -H "unix://$D/docker.sock" volume rm "$VOL" >/dev/null 2>&1
wait_for "$T/ip.out" "\"Action\":\"destroy\",\"Actor\":{\"ID\":\"$VOL\""
grep -q "\"Type\":\"volume\",\"Action\":\"create\",\"Actor\":{\"ID\":\"$VOL\"" "$T/ip.out"
ok $? "tcp://127.0.0.1: the volume's create event arrived"
wait_for "$T/name.out" "\"Action\":\"destroy\",\"Actor\":{\"ID\":\"$VOL\""
ok $? "tcp://localhost: the volume's destroy event arrived"
for p in $DOCKEV_PIDS; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
DOCKEV_PIDS=
is "$(cat "$T/ip.err" "$T/name.err" | grep -c 'error:')" 0 "no error logged"

# Refusals by the real engine: --until (in a minute) turns them into exit 1.
until=$(( $(date +%s) + 60 ))
dockev -H "tcp://127.0.0.1:$PORT" --tlsverify --tlscacert "$C/ca.pem" --until $until >"$T/out" 2>"$T/err"
is "$?:$(wc -l <"$T/out")" "1:0" "no client certificate: exit 1, nothing delivered"
grep -q "it requires a client certificate" "$T/err"; ok $? "no client certificate: says so"
[ $? -eq 0 ] || sed 's/^/# /' "$T/err"
dockev -H "tcp://127.0.0.1:$PORT" --tlsverify --tlscacert "$C/other-ca.pem" \
	--tlscert "$C/client.pem" --tlskey "$C/client-key.pem" --until $until >"$T/out" 2>"$T/err"
is "$?:$(wc -l <"$T/out")" "1:0" "wrong CA: exit 1"
grep -q "not signed by the CA in $C/other-ca.pem" "$T/err"; ok $? "wrong CA: says so"
dockev -H "tcp://127.0.0.1:$PORT" --until $until >"$T/out" 2>"$T/err"
is "$?:$(wc -l <"$T/out")" "1:0" "plain HTTP to the TLS port: exit 1"
grep -q "Client sent an HTTP request to an HTTPS server\": a TLS port, use --tlsverify" "$T/err"
ok $? "plain HTTP to the TLS port: says so"

started=$DPID
stop_all
kill -0 "$started" 2>/dev/null; is $? 1 "the dockerd started here ($started) is gone"
done_testing
