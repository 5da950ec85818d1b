#!/bin/sh
# context.t - the engine found as the docker CLI finds it, with real files:
# a private DOCKER_CONFIG holding config.json and a context store laid out as
# `docker context create` writes it (contexts/meta/<sha256 of the name>/
# meta.json, contexts/tls/<sha256>/docker/{ca,cert,key}.pem; the names hashed
# here with sha256sum, a check on the agent's own SHA-256). Precedence -H >
# DOCKER_HOST > DOCKER_CONTEXT > currentContext > the default socket; ssh://,
# unknown contexts and bad files refused with one line and exit 1; a TLS
# context's files used against the fake engine's TLS front.
. tests/integration/lib.sh

N=20
DC=$T/dc
mkdir -p "$DC"
# The tests choose every variable the agent reads.
unset DOCKER_HOST DOCKER_CONTEXT DOCKER_TLS_VERIFY DOCKER_TLS DOCKER_CERT_PATH DOCKER_API_VERSION
export DOCKER_CONFIG="$DC"

id_of() { printf %s "$1" | sha256sum | cut -d' ' -f1; }
# context NAME HOST [SKIP]: a context as the CLI stores it.
context() {
	d="$DC/contexts/meta/$(id_of "$1")"
	mkdir -p "$d"
	printf '{"Name":"%s","Metadata":{"Description":"test"},"Endpoints":{"docker":{"Host":"%s","SkipTLSVerify":%s}}}' \
		"$1" "$2" "${3:-false}" >"$d/meta.json"
}
# run ARGS...: the agent to the --until end of the fake's events.
run() { dockev --json --since 0 --until $UNTIL "$@" >"$T/out" 2>"$T/err"; }
count() { events "$T/out" | wc -l; }

fake_start -g $N --t0 1795790000000000000
context good "unix://$SOCK"
context nowhere "unix://$T/none.sock"

# The agent's hashing matches sha256sum: it finds the directory made here.
DOCKER_CONTEXT=good run
is "$?:$(count)" "0:$N" "DOCKER_CONTEXT=good: the context's socket, all $N events"

printf '{\n  "auths": {},\n  "currentContext": "good"\n}\n' >"$DC/config.json"
run
is "$?:$(count)" "0:$N" "currentContext in config.json: all $N events"

printf '{"currentContext":"nowhere"}' >"$DC/config.json"
DOCKER_CONTEXT=good run
is "$?:$(count)" "0:$N" "DOCKER_CONTEXT wins over currentContext"

printf '{"currentContext":"good"}' >"$DC/config.json"
DOCKER_CONTEXT=nowhere run -H "unix://$SOCK"
is "$?:$(count)" "0:$N" "-H wins over DOCKER_CONTEXT"
DOCKER_CONTEXT=nowhere DOCKER_HOST="unix://$SOCK" run
is "$?:$(count)" "0:$N" "DOCKER_HOST wins over DOCKER_CONTEXT"
grep -q "warning: DOCKER_HOST overrides DOCKER_CONTEXT=nowhere, as with the docker CLI" "$T/err"
ok $? "DOCKER_HOST with DOCKER_CONTEXT: warns, as docker context use/ls do"
printf '{"currentContext":"nowhere"}' >"$DC/config.json"
DOCKER_HOST="unix://$SOCK" run
is "$?:$(count)" "0:$N" "DOCKER_HOST wins over currentContext"
run -H "unix://$SOCK"
is "$?:$(count)" "0:$N" "-H wins over currentContext (config.json not even read)"

# "default" is the default context: DOCKER_HOST, else the default socket.
DOCKER_CONTEXT=default timeout 3 $WRAP "$DOCKEV" --backoff 5s:5s >"$T/out" 2>"$T/err"
grep -q "unix:///var/run/docker.sock" "$T/err"; ok $? "DOCKER_CONTEXT=default: the default socket"
printf '{"currentContext":"default"}' >"$DC/config.json"
timeout 3 $WRAP "$DOCKEV" --backoff 5s:5s >"$T/out" 2>"$T/err"
grep -q "unix:///var/run/docker.sock" "$T/err"; ok $? "currentContext default: the default socket"
rm -f "$DC/config.json"
timeout 3 $WRAP "$DOCKEV" --backoff 5s:5s >"$T/out" 2>"$T/err"
grep -q "unix:///var/run/docker.sock" "$T/err"; ok $? "no config.json: the default socket"
: >"$DC/config.json"
timeout 3 $WRAP "$DOCKEV" --backoff 5s:5s >"$T/out" 2>"$T/err"
grep -q "unix:///var/run/docker.sock" "$T/err"; ok $? "an empty config.json: the default socket, as the CLI"

# A context with an empty Host is the default socket too.
context nohost ""
DOCKER_CONTEXT=nohost timeout 3 $WRAP "$DOCKEV" --backoff 5s:5s >"$T/out" 2>"$T/err"
grep -q "unix:///var/run/docker.sock" "$T/err"; ok $? "a context without Host: the default socket"

# refused DESCRIPTION MESSAGE: exit 1 at start, one error line with MESSAGE.
refused() {
	what=$1; msg=$2; shift 2
	dockev "$@" >"$T/out" 2>"$T/err"
	is "$?:$(wc -l <"$T/out")" "1:0" "$what: exit 1, nothing out"
	grep -qF -- "$msg" "$T/err"; ok $? "$what: says '$msg'"
	is "$(grep -c 'error:' "$T/err")" 1 "$what: one error line"
}
context sshbox "ssh://me@edge.example"
DOCKER_CONTEXT=sshbox refused "ssh:// context" \
	"context 'sshbox' ($DC/contexts/meta/$(id_of sshbox)/meta.json): bad engine URL 'ssh://me@edge.example': ssh:// is not supported: forward the engine's socket"
grep -q "or reach the engine over tcp:// with TLS" "$T/err"; ok $? "ssh:// context: says what to do instead"
DOCKER_HOST=ssh://me@host refused "ssh:// DOCKER_HOST" "bad engine URL 'ssh://me@host': ssh:// is not supported"
DOCKER_CONTEXT=nosuch refused "unknown DOCKER_CONTEXT" \
	"unknown context 'nosuch' (from DOCKER_CONTEXT): no $DC/contexts/meta/$(id_of nosuch)/meta.json"
printf '{"currentContext":"gone"}' >"$DC/config.json"
refused "unknown currentContext" \
	"unknown context 'gone' (from currentContext in $DC/config.json): no $DC/contexts/meta/$(id_of gone)/meta.json"
printf '{"currentContext":"good",}' >"$DC/config.json"
refused "bad config.json" "$DC/config.json: not valid JSON"
printf '{"currentContext":["good"]}' >"$DC/config.json"
refused "currentContext not a string" "$DC/config.json: currentContext is not a string"
rm -f "$DC/config.json"
d="$DC/contexts/meta/$(id_of broken)"; mkdir -p "$d"
printf '{"Name":"broken","Endpoints":{"docker":{"Host":"unix:///x"}}' >"$d/meta.json"
DOCKER_CONTEXT=broken refused "bad meta.json" "context 'broken': $d/meta.json: not valid JSON"
printf '{"Name":"broken","Endpoints":{"docker":{"Host":2375}}}' >"$d/meta.json"
DOCKER_CONTEXT=broken refused "Host not a string" "$d/meta.json: a field has the wrong JSON type"
printf '{"Name":"broken","Endpoints":{"kubernetes":{}}}' >"$d/meta.json"
DOCKER_CONTEXT=broken refused "no docker endpoint" "$d/meta.json: no docker endpoint"
: >"$d/meta.json"
DOCKER_CONTEXT=broken refused "empty meta.json" "$d/meta.json: not valid JSON"
context pathonly "/var/run/docker.sock"
DOCKER_CONTEXT=pathonly refused "a bare path" "a bare path is not a socket to the docker CLI"
DOCKER_HOST=/var/run/docker.sock refused "a bare path in DOCKER_HOST" "write unix:///path"
DOCKER_HOST=tcp://fe80::1:2375 refused "IPv6 without brackets" "brackets: tcp://[::1]:2375"
DOCKER_HOST=npipe:////./pipe/docker_engine refused "npipe://" "Windows named pipe"
DOCKER_HOST=fd:// refused "fd://" "fd:// names sockets systemd passes to dockerd"

# HOME unset: ~/.docker is the password database's home, as in the CLI.
pwhome=$(getent passwd "$(id -u)" | cut -d: -f6)
env -u HOME -u DOCKER_CONFIG DOCKER_CONTEXT=nosuch $WRAP "$DOCKEV" >"$T/out" 2>"$T/err"
grep -qF "no $pwhome/.docker/contexts/meta/$(id_of nosuch)/meta.json" "$T/err"
ok $? "HOME unset: $pwhome/.docker from the password database"

# DOCKER_API_VERSION with a leading v, as the CLI's client takes it.
DOCKER_CONTEXT=good DOCKER_API_VERSION=v1.40 run
is "$?:$(count)" "0:$N" "DOCKER_API_VERSION=v1.40: accepted"
grep -q "GET /v1.40/events" "$T/requests"; ok $? "DOCKER_API_VERSION=v1.40: asks for /v1.40"
# "v" alone (white space around it dropped) is nothing: negotiate.
DOCKER_CONTEXT=good DOCKER_API_VERSION=' v ' run
is "$?:$(count)" "0:$N" "DOCKER_API_VERSION=' v ': nothing, negotiated"
DOCKER_API_VERSION=vx refused "DOCKER_API_VERSION=vx" "bad DOCKER_API_VERSION 'vx'"

if $WRAP "$DOCKEV" --version 2>/dev/null | grep -q 'TLS none'; then
	context tlsctx "tcp://127.0.0.1:2376"
	mkdir -p "$DC/contexts/tls/$(id_of tlsctx)/docker"
	DOCKER_CONTEXT=tlsctx refused "TLS context, TLS=none build" "context 'tlsctx' uses TLS but dockev was built without TLS"
	done_testing
	exit
fi

# ---- TLS contexts: the files in the store, verified unless SkipTLSVerify --
TLSFRONT=${TLSFRONT:-$BUILD/tlsfront}
C=$T/c
tools/tlscerts "$C"; ok $? "certificates made with openssl"
FRONT_PID=
front_stop() {
	if [ -n "$FRONT_PID" ]; then kill "$FRONT_PID" 2>/dev/null; wait "$FRONT_PID" 2>/dev/null; FRONT_PID=; fi
}
trap 'front_stop; cleanup' EXIT INT TERM
front() { # front CERT [--ca CA]: sets $PORT
	front_stop
	cert=$1; shift
	rm -f "$T/fport" "$T/fready"
	"$TLSFRONT" -l 127.0.0.1:0 --to "$SOCK" --cert "$C/$cert" --key "$C/server-key.pem" \
		--port-file "$T/fport" --ready-file "$T/fready" "$@" 2>>"$T/front.err" &
	FRONT_PID=$!
	i=0
	while [ ! -e "$T/fready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
	PORT=$(cat "$T/fport")
}
# tls_files NAME [ca] [cert]: the context's TLS directory with those files.
tls_files() {
	td="$DC/contexts/tls/$(id_of "$1")/docker"; shift
	rm -rf "$td"; mkdir -p "$td"
	for f in "$@"; do
		case $f in
		ca) cp "$C/ca.pem" "$td/ca.pem" ;;
		cert) cp "$C/client.pem" "$td/cert.pem"; cp "$C/client-key.pem" "$td/key.pem" ;;
		esac
	done
}

front server.pem --ca "$C/ca.pem"
context tlsctx "tcp://localhost:$PORT"
tls_files tlsctx ca cert
DOCKER_CONTEXT=tlsctx run -v
is "$?:$(count)" "0:$N" "TLS context: ca.pem, cert.pem, key.pem from the store, verified, all $N events"
grep -q "TLS (.*): verify, CA $DC/contexts/tls/$(id_of tlsctx)/docker/ca.pem, client certificate $DC/contexts/tls/$(id_of tlsctx)/docker/cert.pem" "$T/err"
ok $? "TLS context: the store's files are the ones loaded"
DOCKER_CONTEXT=tlsctx DOCKER_CERT_PATH=$T/nowhere DOCKER_TLS_VERIFY= run
is "$?:$(count)" "0:$N" "TLS context: DOCKER_CERT_PATH does not apply to it"
DOCKER_CONTEXT=tlsctx run --tlscacert "$C/other-ca.pem"
is "$?:$(count)" "0:$N" "TLS context: --tlscacert does not apply to it (as the CLI)"
grep -q "warning: context 'tlsctx': --tls, --tlsverify and --tlscacert/--tlscert/--tlskey do not apply" "$T/err"
ok $? "TLS context with --tls options: warns that they do not apply"

# Without the client certificate the engine (which requires one) refuses.
tls_files tlsctx ca
DOCKER_CONTEXT=tlsctx run
is "$?:$(count)" "1:0" "TLS context without cert.pem/key.pem: refused by the engine"
grep -q "it requires a client certificate" "$T/err"; ok $? "TLS context without a client certificate: says so"

# No ca.pem and verification on: refused at start (the CLI would use the
# system's CAs, which dockev's TLS does not load).
tls_files tlsctx cert
DOCKER_CONTEXT=tlsctx refused "TLS context without ca.pem" "context 'tlsctx': no ca.pem in its TLS files"

# A certificate for another name: refused when verifying, taken with
# SkipTLSVerify (the client certificate still sent).
front name.pem --ca "$C/ca.pem"
context tlsctx "tcp://127.0.0.1:$PORT"
tls_files tlsctx ca cert
DOCKER_CONTEXT=tlsctx run
is "$?:$(count)" "1:0" "TLS context, certificate for another name: refused"
grep -q "certificate is for engine.invalid, not 127.0.0.1" "$T/err"; ok $? "name mismatch named"
context tlsctx "tcp://127.0.0.1:$PORT" true
DOCKER_CONTEXT=tlsctx run
is "$?:$(count)" "0:$N" "SkipTLSVerify: not verified, all $N events"
grep -q "TLS without verification" "$T/err"; ok $? "SkipTLSVerify: warns that nothing is verified"

# SkipTLSVerify without TLS files is TLS too; no TLS files and no
# SkipTLSVerify is plain HTTP, whatever DOCKER_TLS_VERIFY says.
rm -rf "$DC/contexts/tls/$(id_of tlsctx)"
front name.pem
context tlsctx "tcp://127.0.0.1:$PORT" true
DOCKER_CONTEXT=tlsctx run
is "$?:$(count)" "0:$N" "SkipTLSVerify without TLS files: TLS, not verified"
context plainctx "unix://$SOCK"
DOCKER_CONTEXT=plainctx DOCKER_TLS_VERIFY=1 run
is "$?:$(count)" "0:$N" "context without TLS files: DOCKER_TLS_VERIFY does not apply"
front_stop

# DOCKER_TLS=1 means --tls for the default context (cli/flags/options.go).
fake_start -g $N --t0 1795790000000000000 -l tcp:127.0.0.1:0 --port-file "$T/pport"
DOCKER_TLS=1 timeout 9 $WRAP "$DOCKEV" -H "tcp://127.0.0.1:$(cat "$T/pport")" --backoff 30s:30s >"$T/out" 2>"$T/err"
grep -q "no answer to our TLS hello" "$T/err"; ok $? "DOCKER_TLS=1: TLS (here to a plain port)"

done_testing
