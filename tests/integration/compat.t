#!/bin/sh
# compat.t - the agent against current engines (issue 13), each imitated by
# the fake engine (--engine, --min-api, ...; fakeengine.t checks the fake
# itself against the texts read in moby and podman): API version
# negotiation between a minimum and a maximum and again at a reconnect,
# json-seq bodies, events without status/id/from (API 1.52) and Docker 29's
# re-encoded ones below it, Podman 5's filter refusal, withheld head and
# bare health_status. Needs curl (for the reference of re-encoded events).
#
# No timing is tested: every bound is a hang guard.
# Hook bodies are single-quoted on purpose: they expand when the hook runs.
# shellcheck disable=SC2016
. tests/integration/lib.sh

EX=$DATA/dockerd-event-examples.jsonl
SLOW=1				# hang guards are multiplied under valgrind
[ -n "$WRAP" ] && SLOW=5
# At API 1.52 a Docker engine drops the legacy fields, which come first in
# dockerd 20.10's events.
sed 's/^{"status":"[^"]*",\("id":"[^"]*",\)\{0,1\}\("from":"[^"]*",\)\{0,1\}/{/' "$EX" >"$T/ex52"
# The request lines to /events in the fake's log (lib.sh's $T/requests).
evreq() { grep ' /v[0-9.]*/events' "${1:-$T/requests}"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# start2 LOG ARGS...: a fake engine on $SOCK logging to LOG (lib.sh's
# fake_start would remove $T/requests, which a test may still read).
start2() {
	_log=$1; shift
	fake_stop
	rm -f "$T/ready"
	"$FAKE" -l "unix:$SOCK" --ready-file "$T/ready" --log "$_log" --log-accept "$@" \
		</dev/null >/dev/null 2>>"$T/fake.err" &
	FE_PID=$!
	_i=0
	while [ ! -e "$T/ready" ] && [ $_i -lt 100 ]; do sleep 0.05; _i=$((_i + 1)); done
}
# hookdir DIR: a hook in DIR/all.d that appends one line per engine event:
# TYPE|ACTION|DETAIL|ID|NAME|IMAGE|SCOPE|TIME|DOCKEV_ATTR_* names|TIME_NANO
hookdir() {
	mkdir -p "$1/all.d" && chmod 755 "$1" "$1/all.d"
	printf '#!/bin/sh\n%s\n' '[ "$DOCKEV_TYPE" = dockev ] && exit 0
a=$(env | sed -n "s/^\(DOCKEV_ATTR_[A-Z0-9_]*\)=.*/\1/p" | LC_ALL=C sort | tr "\n" " ")
printf "%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n" "$DOCKEV_TYPE" "$DOCKEV_ACTION" "$DOCKEV_ACTION_DETAIL" \
	"$DOCKEV_ID" "$DOCKEV_NAME" "$DOCKEV_IMAGE" "$DOCKEV_SCOPE" "$DOCKEV_TIME" "$a" \
	"$DOCKEV_TIME_NANO" >>"$HOOKOUT"' >"$1/all.d/10-env"
	chmod 700 "$1/all.d/10-env"
}
for v in $(env | sed -n 's/^\(DOCKEV_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
unset DOCKER_API_VERSION

# ---- 1. API versions between the engine's minimum and maximum ------------
fake_start -e "$EX" --api 1.51 --min-api 1.44
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$EX"
ok $((st + $?)) "engine 1.44..1.51: exit 0, every event"
is "$(evreq | cut -d' ' -f2 | cut -c1-11)" "/v1.51/even" "... asked at the engine's newest, 1.51 (from /_ping)"

fake_start -e "$EX" --api 1.53 --min-api 1.44
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex52"
ok $((st + $?)) "engine 1.44..1.53: exit 0, every event (1.52: no legacy fields)"
is "$(evreq | cut -d' ' -f2 | cut -c1-11)" "/v1.52/even" "... asked at the agent's own newest, 1.52"

# No Api-Version in /_ping (a proxy dropped it), and only 1.44 served:
# whatever the agent asks first is refused with the version it takes.
fake_start -e "$EX" --no-api-header --api 1.44 --min-api 1.44
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$EX"
ok $((st + $?)) "no Api-Version, only 1.44 served: exit 0, every event"
is "$(evreq | tail -n 1 | cut -d' ' -f2 | cut -c1-11)" "/v1.44/even" "... streamed at 1.44"
is "$(grep -c 'API version' "$T/err")" 1 "... one log line about the refused version"
# A minimum above the agent's newest: "too old. Minimum supported API
# version is 1.53": it steps up (events it does not know are still events).
fake_start -e "$EX" --no-api-header --api 1.55 --min-api 1.53
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex52"
ok $((st + $?)) "too old, minimum 1.53: exit 0, every event"
is "$(evreq | cut -d' ' -f2 | cut -c1-6 | tr '\n' ' ')" "/v1.52 /v1.53 " "... asked 1.52, then stepped up to 1.53"
is "$(grep -c 'API version' "$T/err")" 1 "... one log line about it"

# A fixed version the engine refuses is a configuration error.
fake_start -e "$EX" --api 1.51 --min-api 1.44
t0=$(now_ms)
dockev -H "unix://$SOCK" --api-version 1.41 --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
t1=$(now_ms)
is "$st" 1 "--api-version 1.41, engine minimum 1.44: exit 1"
is "$(grep -c 'client version 1.41 is too old. Minimum supported API version is 1.44' "$T/err")" 1 \
	"... one line with the engine's refusal"
is "$(evreq | wc -l | tr -d ' ')" 1 "... asked once, not retried"
ok "$([ $((t1 - t0)) -lt 30000 ]; echo $?)" "... and gave up at once (30 s hang guard: $((t1 - t0)) ms)"
DOCKER_API_VERSION=1.41 dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
is "$?" 1 "DOCKER_API_VERSION=1.41 likewise: exit 1"
is "$(grep -c 'too old' "$T/err")" 1 "... one line"

# The engine restarts as another version between two connections: the
# agent asks the new one at the reconnect (its /_ping), not the old version.
# The second engine lost the first one's history, as a restarted engine
# does, and has one event of its own, so its stream is seen to flow.
sed -n 1p "$EX" | sed 's/"time":[0-9]*,"timeNano":[0-9]*/"time":1795792700,"timeNano":1795792700000000000/' >"$T/new1"
cat "$EX" "$T/new1" >"$T/ex+1"
start2 "$T/log1" -e "$EX" --api 1.51 --min-api 1.44
$WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 --backoff 50ms:100ms >"$T/out" 2>"$T/err" &
AG=$!
# 30 s guards a hang; it is not a speed test
i=0
while [ "$(events "$T/out" | wc -l)" -lt 38 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
start2 "$T/log2" -e "$T/new1" --api 1.55 --min-api 1.52
i=0
while [ "$(events "$T/out" | wc -l)" -lt 39 ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM $AG 2>/dev/null
wait $AG
st=$?
events "$T/out" | cmp -s - "$T/ex+1"
ok $((st + $?)) "engine restarted as 1.52..1.55: every event once, exit 0 at SIGTERM"
is "$(evreq "$T/log1" | cut -d' ' -f2 | cut -c1-6)" "/v1.51" "... first engine: asked 1.51"
is "$(evreq "$T/log2" | cut -d' ' -f2 | cut -c1-6 | tr '\n' ' ')" "/v1.52 " \
	"... second engine: asked 1.52 at once (renegotiated at the reconnect)"

# ---- 2. json-seq bodies ----------------------------------------------------
for mode in "" "--chunking split --faults all" "--chunking merge --faults all" "--cut-after 9 --faults 1"; do
	# shellcheck disable=SC2086
	start2 "$T/requests" -e "$EX" --engine docker29 --content-type application/json-seq $mode
	dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --backoff 10ms:20ms >"$T/out" 2>"$T/err"
	st=$?
	events "$T/out" | cmp -s - "$T/ex52"
	ok $((st + $?)) "json-seq${mode:+ $mode}: --json is the events without RS, each once"
done
is "$(tr -cd '\036' <"$T/out" | wc -c | tr -d ' ')" 0 "json-seq: no RS byte in the output"
evreq | tail -n 1 >"$T/req"
grep -q 'accept=application/x-ndjson\|accept=application/jsonl' "$T/req" &&
	! grep -q 'json-seq' "$T/req"
ok $? "the events request asks for newline-delimited JSON ($(sed 's/.* host=[^ ]* //' "$T/req"))"
# what Docker 29 answers to that Accept: each flavour's own rules
for e in docker29 docker29.2 docker29.0; do
	start2 "$T/requests" -e "$EX" --engine "$e"
	dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
	st=$?
	events "$T/out" | cmp -s - "$T/ex52"
	ok $((st + $?)) "--engine $e, its own Accept negotiation: every event"
done

# ---- 3. events without status/id/from, and re-encoded ones ----------------
mkdir "$T/hooks"
hookdir "$T/hooks"
HOOKOUT=$T/hook.ref
export HOOKOUT
fake_start -e "$EX"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$T/hooks" >"$T/text.ref" 2>"$T/err"
is "$?" 0 "reference: dockerd 20.10 (legacy fields), text output and hooks"
grep -v ' dockev ' "$T/text.ref" >"$T/text.ref.ev"
LC_ALL=C sort "$HOOKOUT" >"$T/hook.ref.s"
is "$(wc -l <"$T/hook.ref.s" | tr -d ' ')" 38 "reference: a hook line per event"
fake_start -e "$EX"
dockev -H "unix://$SOCK" --json -f type=container -f event=die --since 0 --until $UNTIL >"$T/die.ref" 2>/dev/null
is "$(events "$T/die.ref" | wc -l | tr -d ' ')" 1 "reference: one container die event"

fake_start -e "$EX" --engine docker29
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex52"
ok $((st + $?)) "API 1.52 (no status/id/from): --json, every event as sent"
HOOKOUT=$T/hook.52
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$T/hooks" >"$T/text" 2>"$T/err"
grep -v ' dockev ' "$T/text" | cmp -s - "$T/text.ref.ev"
ok $? "API 1.52: the one-line printer prints what it printed with the legacy fields"
LC_ALL=C sort "$HOOKOUT" | cmp -s - "$T/hook.ref.s"
ok $? "API 1.52: hooks get the same DOCKEV_* variables"
dockev -H "unix://$SOCK" --json -f type=container -f event=die --since 0 --until $UNTIL >"$T/out" 2>/dev/null
events "$T/out" | sed 's/^{"status":"[^"]*","id":"[^"]*","from":"[^"]*",/{/' >"$T/die.52"
events "$T/out" | cmp -s - "$T/die.52" && [ "$(wc -l <"$T/die.52")" -eq 1 ] &&
	events "$T/die.ref" | sed 's/^{"status":"[^"]*","id":"[^"]*","from":"[^"]*",/{/' | cmp -s - "$T/die.52"
ok $? "API 1.52: filters type=container, event=die: the die event"
fake_start -e "$EX" --engine docker29 --cut-after 11 --faults 2
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --backoff 10ms:20ms >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex52"
ok $((st + $?)) "API 1.52: cut twice after 11 events: every event exactly once"

# Docker 29 below 1.52: container and image events re-encoded (keys sorted,
# timeNano through float64), the rest without legacy fields.
fake_start -e "$EX" --engine docker29 --api 1.51
curl --unix-socket "$SOCK" -sN --max-time 10 "http://x/v1.51/events?since=0&until=$UNTIL" >"$T/ex29"
is "$(grep -c '^{"Action":' "$T/ex29") $(wc -l <"$T/ex29" | tr -d ' ')" \
	"$(grep -c '"Type":"container"\|"Type":"image"' "$EX") 38" \
	"(reference: the container and image events re-encoded by the fake)"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex29"
ok $((st + $?)) "Docker 29 at 1.51, sorted keys: --json, every event as sent"
HOOKOUT=$T/hook.29
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$T/hooks" >"$T/text" 2>"$T/err"
# timeNano went through a float64: compare without the nanoseconds
cut -d' ' -f2- "$T/text.ref.ev" >"$T/text.ref.nt"
grep -v ' dockev ' "$T/text" | cut -d' ' -f2- | cmp -s - "$T/text.ref.nt"
ok $? "Docker 29 at 1.51: the one-line printer, the same but for the time"
LC_ALL=C sort "$HOOKOUT" | sed 's/|[0-9]*$//' >"$T/hook.29.s"
sed 's/|[0-9]*$//' "$T/hook.ref.s" | cmp -s - "$T/hook.29.s"
ok $? "Docker 29 at 1.51: hooks get the same DOCKEV_* variables but for TIME_NANO"
dockev -H "unix://$SOCK" --json -f type=container -f event=die --since 0 --until $UNTIL >"$T/out" 2>/dev/null
is "$(events "$T/out" | wc -l | tr -d ' ') $(events "$T/out" | grep -c '^{"Action":"die".*"status":"die"')" "1 1" \
	"Docker 29 at 1.51: filters type=container, event=die: the die event"
fake_start -e "$EX" --engine docker29 --api 1.51 --cut-after 11 --faults 2
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --backoff 10ms:20ms >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex29"
ok $((st + $?)) "Docker 29 at 1.51: cut twice after 11 events: every event exactly once"

# ---- 4. Podman 5 refuses a filter key it does not know --------------------
fake_start -e "$EX" --engine podman5
t0=$(now_ms)
dockev -H "unix://$SOCK" --json -f network=x --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
t1=$(now_ms)
is "$st" 1 "podman5, -f network=x: exit 1"
is "$(grep -c 'network' "$T/err")" 1 "... exactly one line names the filter"
grep 'network' "$T/err" | grep -q 'Podman 5.4.2, whose events take only'
ok $? "... saying which filters Podman takes ($(grep 'network' "$T/err" | head -n 1))"
# (valgrind's own report lines, "==PID== ...", are not the agent's)
is "$(grep -v '^==[0-9]*==' "$T/err" | grep -vc 'network\|connected to')" 0 "... and no other error line"
# The ping said Libpod-Api-Version: refused before the events request
# (Podman 4.3 would answer it with a stream that ends at once).
is "$(evreq | wc -l | tr -d ' ')" 0 "... refused before asking: no events request, no retry"
ok "$([ $((t1 - t0)) -lt $((5000 * SLOW)) ]; echo $?)" "... at once ($((5 * SLOW)) s hang guard: $((t1 - t0)) ms)"
grep '"Type":"container"' "$EX" >"$T/ex.ctr"
dockev -H "unix://$SOCK" --json -f type=container --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/ex.ctr"
ok $((st + $?)) "podman5, -f type=container (a key it knows): the container events"

# ---- 5. Podman 5.1/5.2 withhold the head until the first event -------------
# 12 s of silence, longer than the agent's 10 s head timeout.
head -n 1 "$EX" >"$T/one"
fake_start -e "$T/one" --engine podman5 --withhold-head --quiet 12000
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$T/one"
ok $((st + $?)) "withheld head, 12 s quiet: the event is delivered, exit 0"
is "$(evreq | wc -l | tr -d ' ')" 1 "... over the one events request (no reconnect loop)"

# ---- 6. Podman 5's health event: bare health_status, HealthStatus apart -----
id=4f149f026554178e5512619ee779f155d0524173a12e0a94e163e964cfb3e103
printf '%s\n' "{\"status\":\"health_status\",\"id\":\"$id\",\"from\":\"localhost/web:1\",\"Type\":\"container\",\"Action\":\"health_status\",\"Actor\":{\"ID\":\"$id\",\"Attributes\":{\"containerExitCode\":\"0\",\"image\":\"localhost/web:1\",\"name\":\"web\",\"podId\":\"\"}},\"scope\":\"local\",\"time\":1795792650,\"timeNano\":1795792650123456789,\"HealthStatus\":\"healthy\"}" >"$T/health"
fake_start -e "$T/health" --engine podman5
HOOKOUT=$T/hook.health
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$T/hooks" >/dev/null 2>"$T/err"
is "$?" 0 "podman5 health event: exit 0"
is "$(cut -d'|' -f1-3 "$HOOKOUT" 2>/dev/null)" "container|health_status|healthy" \
	"... the hook sees DOCKEV_ACTION=health_status, DOCKEV_ACTION_DETAIL=healthy"

# A fake engine that crashed or tripped a sanitizer would make these lie.
is "$(grep -vc '^fakeengine: ' "$T/fake.err")" 0 "the fake engine's stderr: only its own lines"

done_testing
