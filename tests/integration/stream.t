#!/bin/sh
# stream.t - the agent against the fake engine: output, requests, options.
. tests/integration/lib.sh

EX=$DATA/dockerd-event-examples.jsonl
fake_start -e "$EX"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
ok $? "--until: exit status 0 when the engine ends the stream"
events "$T/out" | cmp -s - "$EX"
ok $? "--json: every event's JSON exactly as sent, in order"
is "$(grep -c '"Type":"dockev"' "$T/out")" 0 "--json: no synthetic events in the output"
is "$(grep -c 'connected to unix://' "$T/err")" 1 "the connection is logged"
is "$(head -1 "$T/requests")" "GET /_ping HTTP/1.1 host=docker" "pings first, with a Host header"
is "$(sed -n 2p "$T/requests")" \
   "GET /v1.41/events?since=0.000000000&until=1795797000.000000000 HTTP/1.1 host=docker" \
   "since/until in the engine's form"

# Podman's events differ (remove, empty IDs) and go through all the same.
fake_start -e $DATA/podman-event-examples.jsonl
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
ok $? "podman events: exit 0"
events "$T/out" | cmp -s - $DATA/podman-event-examples.jsonl
ok $? "podman events: identical output"

# Filters are URL-encoded JSON; RFC 3339 and durations become seconds.
fake_start -e "$EX"
dockev -H "unix://$SOCK" --json -f type=container -f event=die -f type=network \
	-f 'label=com.example.app=web 1' --since 2026-11-27T15:17:23Z \
	--until 2026-11-27T17:00:00.5+01:00 >"$T/out" 2>"$T/err"
ok $? "filters: exit 0"
is "$(sed -n 2p "$T/requests")" \
   "GET /v1.41/events?since=1795792643.000000000&until=1795795200.500000000&filters=%7B%22type%22%3A%7B%22container%22%3Atrue%2C%22network%22%3Atrue%7D%2C%22event%22%3A%7B%22die%22%3Atrue%7D%2C%22label%22%3A%7B%22com.example.app%3Dweb%201%22%3Atrue%7D%7D HTTP/1.1 host=docker" \
   "filters and times reach the engine URL-encoded"
is "$(events "$T/out" | grep -vc '"Action":"die"')" 0 "the engine's filtering shows: only die events"

# A time without a zone is local time, as the docker CLI reads it.
TZ=XYZ-3 dockev -H "unix://$SOCK" --json --since 2026-11-27T15:17:23 --until 2026-11-28 \
	>/dev/null 2>&1
is "$(tail -1 "$T/requests")" \
   "GET /v1.41/events?since=1795781843.000000000&until=1795813200.000000000 HTTP/1.1 host=docker" \
   "no zone: local time (TZ), for a time and for a date"

# Text output: one line per event, as docker events prints it.
fake_start -e "$EX"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
is "$(grep -c . "$T/out")" 40 "text output: a line per event, connect and disconnect"
is "$(sed -n 2p "$T/out")" "2026-11-27T15:17:24.528802200Z volume create vol1 (driver=local)" \
   "text output: time, type, action, actor, attributes"

# Negotiation: the engine's lower version wins; a fixed version is used.
fake_start -e "$EX" --api 1.40
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >/dev/null 2>&1
is "$(sed -n 2p "$T/requests" | cut -c1-15)" "GET /v1.40/even" "lower engine version wins"
DOCKER_API_VERSION=1.39 dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >/dev/null 2>&1
is "$(tail -1 "$T/requests" | cut -c1-15)" "GET /v1.39/even" "DOCKER_API_VERSION: fixed, no ping"
is "$(grep -c _ping "$T/requests")" 1 "no ping with a fixed version"

# DOCKER_HOST, and TCP on loopback.
fake_start -e "$EX"
DOCKER_HOST="unix://$SOCK" dockev --json --since 0 --until $UNTIL >"$T/out" 2>&1
ok $? "DOCKER_HOST is honoured"
fake_stop
rm -f "$T/port" "$T/ready"
"$FAKE" -l tcp:127.0.0.1:0 --port-file "$T/port" --ready-file "$T/ready" -e "$EX" 2>/dev/null &
FE_PID=$!
i=0; while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
dockev -H "tcp://127.0.0.1:$(cat "$T/port")" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
ok $? "tcp://127.0.0.1:PORT: exit 0"
events "$T/out" | cmp -s - "$EX"
ok $? "tcp: identical output"
dockev -H "tcp://localhost:$(cat "$T/port")" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
events "$T/out" | cmp -s - "$EX"
ok $? "tcp://localhost (getaddrinfo): identical output"
fake_stop

done_testing
