#!/bin/sh
# fakeengine-selftest.sh - quick TAP smoke test of tools/fakeengine: its
# answers against the recorded dockerd ones in tests/data/ (Date aside),
# since/until/filters, keep-alive, every fault mode, reaping and shutdown.
# Needs curl; run from the top of the tree; the binary is $BUILD/fakeengine.
set -u
FE=${BUILD:-build}/fakeengine
D=tests/data
if ! command -v curl >/dev/null 2>&1; then
	echo "1..0 # SKIP curl not installed"
	exit 0
fi
T=$(mktemp -d)
pids=""
n=0
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok() { # ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi
}
check() { # check DESCRIPTION COMMAND...
	d=$1; shift
	"$@" >/dev/null 2>&1
	ok $? "$d"
}
same() { # same DESCRIPTION GOT WANT
	[ "$2" = "$3" ]
	r=$?
	ok $r "$1"
	[ $r -eq 0 ] || echo "# got '$2', want '$3'"
}
start() { # start NAME ARGS...: a fakeengine on $T/NAME.sock; $pid is its pid
	name=$1; shift
	"$FE" -l "unix:$T/$name.sock" --ready-file "$T/$name.ready" "$@" >/dev/null 2>>"$T/err" &
	pid=$!
	pids="$pids $pid"
	i=0
	while [ ! -f "$T/$name.ready" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
}
c() { # c NAME CURL-ARGS...
	name=$1; shift
	curl --unix-socket "$T/$name.sock" -sN --max-time 3 "$@"
}
norm() { sed 's/^Date: .*/Date: X/' "$@"; }
count() { # count NAME FILTERS-JSON: events that pass
	c "$1" -G --data-urlencode "filters=$2" "http://x/v1.41/events?since=0&until=$last" | wc -l | tr -d ' '
}
cr=$(printf '\r')

# The recorded streams' event lines are the lines starting with "{".
grep '^{' $D/dockerd-events-stream.raw >"$T/stream.jsonl"
grep '^{' $D/dockerd-events-until-future.raw >"$T/future.jsonl"
grep '^{' $D/dockerd-events-daemon-shutdown.raw >"$T/shutdown.jsonl"
last=1795792679.781672431

"$FE" --help >/dev/null 2>&1
ok $? "--help exits 0"
"$FE" -e x >/dev/null 2>&1
same "a usage error exits 2" $? 2

start s -e "$T/stream.jsonl" --log "$T/log"
c s --raw -i "http://x/v1.41/events?since=0&until=$last" | norm >"$T/got"
{ norm $D/dockerd-events-stream.raw; printf '0\r\n\r\n'; } >"$T/want"
check "replay is byte-identical to dockerd-events-stream.raw" cmp "$T/got" "$T/want"
same "log line: request line and host" "$(head -n 1 "$T/log")" \
	"GET /v1.41/events?since=0&until=$last HTTP/1.1 host=x"
for f in ping version; do
	c s -i "http://x/v1.41/${f#ping}" >/dev/null
	[ $f = ping ] && c s -i http://x/_ping | norm >"$T/got"
	[ $f = version ] && c s -i http://x/v1.41/version | norm >"$T/got"
	norm $D/dockerd-$f.http >"$T/want"
	check "/$f answer is byte-identical to dockerd-$f.http" cmp "$T/got" "$T/want"
done
c s -i http://x/v1.99/_ping | norm >"$T/got"
norm $D/dockerd-bad-v1.99.http >"$T/want"
check "too new a version: identical to dockerd-bad-v1.99.http" cmp "$T/got" "$T/want"
c s -i "http://x/v1.41/events?filters=notjson" | norm >"$T/got"
norm $D/dockerd-bad-filters-notjson.http >"$T/want"
check "filters not JSON: identical to dockerd-bad-filters-notjson.http" cmp "$T/got" "$T/want"
same "unknown path: 404" "$(c s -o /dev/null -w '%{http_code}' http://x/v1.41/nope)" 404
same "HTTP/1.1 without Host: 400" "$(c s -H 'Host:' -o /dev/null -w '%{http_code}' http://x/_ping)" 400
same "until before since: 400" \
	"$(c s -o /dev/null -w '%{http_code}' 'http://x/events?since=10&until=9.5')" 400
same "keep-alive: ping then events on one connection" \
	"$(c s -o /dev/null -o /dev/null -w '%{num_connects}' http://x/_ping "http://x/v1.41/events?until=$last")" 10

same "since is inclusive" "$(c s "http://x/events?since=1795792644.850258344&until=$last" | wc -l)" 84
same "since just after an event excludes it" \
	"$(c s "http://x/events?since=1795792644.850258345&until=$last" | wc -l)" 83
same "until is inclusive" "$(c s 'http://x/events?since=0&until=1795792644.850258344' | wc -l)" 2
same "filter type=container" "$(count s '{"type":{"container":true}}')" \
	"$(grep -c '"Type":"container"' "$T/stream.jsonl")"
same "filter event=die OR start" "$(count s '{"event":{"die":true,"start":true}}')" 10
same "filter event=exec_create matches the base action" "$(count s '{"event":["exec_create"]}')" 4
same "filter type AND event" "$(count s '{"type":{"network":true},"event":{"create":true}}')" \
	"$(grep '"Type":"network"' "$T/stream.jsonl" | grep -c '"Action":"create"')"
same "filter container=c1 (name prefix, as dockerd)" "$(count s '{"container":{"c1":true}}')" 5
same "filter container=ID prefix" "$(count s '{"container":{"cc892d62":true}}')" \
	"$(grep '"Type":"container"' "$T/stream.jsonl" | grep -c '"ID":"cc892d62')"
same "filter label key=value" "$(count s '{"label":{"driver=local":true}}')" \
	"$(grep -c '"driver":"local"' "$T/stream.jsonl")"

start u -e "$T/future.jsonl" --dribble 0
c u --raw -i 'http://x/v1.41/events?since=1795792784&until=1795792800' | norm >"$T/got"
norm $D/dockerd-events-until-future.raw >"$T/want"
check "until stream (dribbled) identical to dockerd-events-until-future.raw" cmp "$T/got" "$T/want"
start d -e "$T/shutdown.jsonl" --cut-after 1
c d --raw -i 'http://x/v1.41/events?since=0' | norm >"$T/got"
norm $D/dockerd-events-daemon-shutdown.raw >"$T/want"
check "--cut-after 1 identical to dockerd-events-daemon-shutdown.raw" cmp "$T/got" "$T/want"

start st -e "$T/stream.jsonl" --status 503 --faults 2
same "--status 503 for requests 1..2, then normal service" "$(for i in 1 2 3; do
	c st -o /dev/null -w '%{http_code} ' "http://x/events?until=$last"; done)" "503 503 200 "
start sl -e "$T/stream.jsonl" --stall
c sl --max-time 0.3 "http://x/events?until=$last" >"$T/got"
same "--stall: no answer" "$?:$(wc -c <"$T/got")" "28:0"
start ca -e "$T/stream.jsonl" --cut-after 3 --cut-mid
c ca "http://x/events?until=$last" >"$T/got"
same "--cut-after 3 --cut-mid: curl sees a short body" "$?:$(wc -l <"$T/got")" "18:3"
same "... and the next request gets everything" "$(c ca "http://x/events?until=$last" | wc -l)" 85
start split -e "$T/stream.jsonl" --chunking split --faults all
c split "http://x/events?until=$last" >"$T/got"
check "--chunking split: same events" cmp "$T/got" "$T/stream.jsonl"
same "--chunking split: two chunks per event" \
	"$(c split --raw "http://x/events?until=$last" | grep -c "^[0-9a-f][0-9a-f]*$cr\$")" 171
start merge -e "$T/stream.jsonl" --chunking merge --faults all
c merge "http://x/events?until=$last" >"$T/got"
check "--chunking merge: same events" cmp "$T/got" "$T/stream.jsonl"
chunks=$(c merge --raw "http://x/events?until=$last" | grep -c "^[0-9a-f][0-9a-f]*$cr\$")
ok "$([ "$chunks" -lt 40 ]; echo $?)" "--chunking merge: several events per chunk ($chunks chunks)"
start id -e "$T/stream.jsonl" --identity --faults all
same "--identity: HTTP/1.0 and a close-delimited body" \
	"$(c id -i "http://x/events?until=$last" | head -n 1 | tr -d '\r')$(c id "http://x/events?until=$last" | cmp - "$T/stream.jsonl" && echo ' same')" \
	"HTTP/1.0 200 OK same"
start raw -e "$T/stream.jsonl" --raw $D/dockerd-events-daemon-shutdown.raw
c raw --raw -i "http://x/events" >"$T/got"
check "--raw sends the capture verbatim" cmp "$T/got" $D/dockerd-events-daemon-shutdown.raw

start g -g 1000 --t0 1800000000000000000 --end
c g "http://x/events" >"$T/got"
same "-g 1000 --end: 1000 events, timeNano strictly increasing" \
	"$(wc -l <"$T/got" | tr -d ' ') $(sed 's/.*"timeNano":\([0-9]*\)}$/\1/' "$T/got" | sort -c -u -n && echo sorted)" "1000 sorted"
start r -e "$T/future.jsonl" --repeat 3
same "--repeat 3: 6 events, timeNano strictly increasing" \
	"$(c r 'http://x/events?since=0&until=1795792800' >"$T/got"; wc -l <"$T/got" | tr -d ' ') $(sed 's/.*"timeNano":\([0-9]*\)}$/\1/' "$T/got" | sort -c -u -n && echo sorted)" "6 sorted"

"$FE" -l tcp:127.0.0.1:0 --port-file "$T/port" --ready-file "$T/tcp.ready" >/dev/null 2>&1 &
tpid=$!
pids="$pids $tpid"
i=0
while [ ! -f "$T/tcp.ready" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i + 1)); done
same "tcp:127.0.0.1:0 with --port-file" "$(curl -s --max-time 2 "http://127.0.0.1:$(cat "$T/port")/_ping")" OK

# 100 connections: "Connection: close" makes curl open one per URL.
set --
i=0
while [ $i -lt 100 ]; do set -- "$@" http://x/_ping; i=$((i + 1)); done
c s -H 'Connection: close' -w '\n%{num_connects}\n' "$@" >"$T/got"
sleep 0.1
spid=$(cat "$T/s.ready")
same "100 connections, no zombie or leftover child" \
	"$(grep -c '^1$' "$T/got") $(awk -v pp="$spid" '$4 == pp' /proc/[0-9]*/stat 2>/dev/null | wc -l | tr -d ' ')" "100 0"

kill "$spid"
wait "$spid"
same "SIGTERM: exit 0 and the socket is removed" "$?:$([ -e "$T/s.sock" ] && echo left)" "0:"

same "stderr: only fakeengine's own lines (no sanitizer reports)" \
	"$(grep -vc '^fakeengine: ' "$T/err")" 0

echo "1..$n"
