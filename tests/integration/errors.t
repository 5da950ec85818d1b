#!/bin/sh
# errors.t - exit statuses and messages: usage, configuration, engine
# refusals, transient failures retried.
. tests/integration/lib.sh

EX=$DATA/dockerd-event-examples.jsonl

dockev --bogus >/dev/null 2>"$T/err"
is $? 2 "unknown option: exit 2"
grep -qx "dockev: unknown option '--bogus' (see dockev --help)" "$T/err"; ok $? "one-line usage error"
dockev --since yesterday >/dev/null 2>&1; is $? 2 "bad --since: exit 2"
dockev -f colour=red >/dev/null 2>"$T/err"; is $? 2 "unknown filter key: exit 2"
dockev -f type >/dev/null 2>&1; is $? 2 "filter without '=': exit 2"
dockev --backoff 5s:1s >/dev/null 2>&1; is $? 2 "--backoff MIN > MAX: exit 2"
dockev --api-version 1 >/dev/null 2>&1; is $? 2 "bad --api-version: exit 2"
dockev --api-version 1.5 >/dev/null 2>"$T/err"; is $? 2 "--api-version below any engine's: exit 2"
grep -q 'no engine serves an API version below 1.12' "$T/err"; ok $? "... and says so"
DOCKER_API_VERSION=v1.9 dockev -H unix:///nonexistent >/dev/null 2>"$T/err"; is $? 1 "DOCKER_API_VERSION below any engine's: exit 1"
is "$(grep -c 'no engine serves an API version below 1.12' "$T/err")" 1 "... one line says so"
dockev -H >/dev/null 2>&1; is $? 2 "missing value: exit 2"
dockev --help | grep -q -- '--backoff MIN:MAX'; ok $? "--help documents the options"
dockev --version | grep -q '^dockev [0-9]'; ok $? "--version"
DOCKER_HOST=ssh://me@host dockev >/dev/null 2>"$T/err"; is $? 1 "unsupported DOCKER_HOST: exit 1"
grep -q "bad engine URL 'ssh://me@host'" "$T/err"; ok $? "says which URL"
long=$(printf 'x%.0s' $(seq 1 120))
dockev -H "unix:///tmp/$long" >/dev/null 2>"$T/err"; is $? 1 "unix path longer than sun_path: exit 1, never truncated"
# TLS, and a TLS=none build asked for it: tls.t.

# The docker CLI's forms (pflag, filters.ParseFlag): -H=URL, -f=K=V, keys
# trimmed and lower-cased, values trimmed; several -H refused.
dockev -H unix:///a -H unix:///b >/dev/null 2>"$T/err"; is $? 2 "-H twice: exit 2"
grep -q "^dockev: -H given twice ('unix:///a', 'unix:///b')" "$T/err"; ok $? "... saying so"
fake_start -e "$EX"
dockev -H="unix://$SOCK" -f=type=volume -f ' Type = container ' -f "" --since 0 --until $UNTIL \
	--json >"$T/out" 2>"$T/err"
is $? 0 "-H=URL and -f=K=V: exit 0 at --until"
grep -q 'filters=%7B%22type%22%3A%7B%22volume%22%3Atrue%2C%22container%22%3Atrue%7D%7D' "$T/requests"
ok $? "filters as the CLI sends them: keys trimmed and lower-cased, values trimmed, -f \"\" ignored"
grep -v '"Type":"volume"\|"Type":"container"' "$T/out" | grep -c . | grep -qx 0; ok $? "... and only those types came"
# 40 container IDs (the CLI's filters JSON for them is 2.8 KiB).
set --
for i in $(seq 1 40); do set -- "$@" -f "container=$(printf '%064d' "$i")"; done
dockev -H "unix://$SOCK" "$@" --since 0 --until $UNTIL --json >"$T/out" 2>"$T/err"
is $? 0 "40 container IDs: taken (the filters JSON was bounded at 1 KiB, 15 IDs)"

# The engine refuses the request (4xx): a configuration error.
fake_start -e "$EX"
dockev -H "unix://$SOCK" --api-version 1.99 --json >"$T/out" 2>"$T/err"
is $? 1 "400 too-new version: exit 1"
grep -q 'engine answered 400 Bad Request: client version 1.99 is too new. Maximum supported API version is 1.41' "$T/err"
ok $? "the engine's message in one line"
fake_start -e "$EX" --status 404 --faults 1000
dockev -H "unix://$SOCK" --json >"$T/out" 2>"$T/err"
is $? 1 "404: exit 1"

# 5xx and malformed answers are transient: retried, then events flow.
for fault in "--status 500" "--status 503 --body oops" "--cut-after 0" "--cut-after 3" "--cut-after 5 --cut-mid"; do
	# shellcheck disable=SC2086
	fake_start -e "$EX" $fault --faults 2
	dockev -H "unix://$SOCK" --json --backoff 10ms:20ms --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
	st=$?
	events "$T/out" | cmp -s - "$EX"
	ok $(( st + $? )) "$fault twice: retried, exit 0, every event once"
done
grep -q 'retrying in' "$T/err"; ok $? "a retry is logged"

# A 200 answer whose body is not events: each record skipped and logged.
fake_start -e "$EX" --raw $DATA/dockerd-ping.http --faults 1
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
is $? 0 "a body of non-events ends at --until"
grep -q 'skipped event (event is not valid JSON, 2 bytes): OK' "$T/err"; ok $? "a non-JSON record is logged with its first bytes"

# Garbage instead of HTTP, a head that never ends, broken chunk framing.
printf 'SSH-2.0-OpenSSH_9.2\r\n' >"$T/garbage"
{ printf 'HTTP/1.1 200 OK\r\n'; i=0; while [ $i -lt 600 ]; do printf 'X-Pad-%04d: 0123456789\r\n' $i; i=$((i+1)); done; } >"$T/bighead"
printf 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n' >"$T/badchunk"
for f in garbage bighead badchunk; do
	fake_start -e "$EX" --raw "$T/$f" --faults 1
	dockev -H "unix://$SOCK" --json --backoff 10ms:20ms --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
	st=$?
	events "$T/out" | cmp -s - "$EX"
	ok $(( st + $? )) "$f: transient, retried, every event"
done
fake_start -e "$EX" --raw "$T/garbage" --faults 1
dockev -H "unix://$SOCK" --json --backoff 10ms:20ms --since 0 --until $UNTIL >/dev/null 2>"$T/err"
grep -q 'malformed answer: not an HTTP/1.x response (starts "SSH-2.0-OpenSSH_9.2?")' "$T/err"
ok $? "says what was wrong with the answer"

# An engine that accepts and never answers: the head times out (10 s).
fake_start -e "$EX" --stall --faults 1
dockev -H "unix://$SOCK" --json --backoff 10ms:20ms --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
st=$?
events "$T/out" | cmp -s - "$EX"
ok $(( st + $? )) "a stalled engine: timed out, retried, every event"
grep -q 'no response head within 10000 ms; retrying' "$T/err"; ok $? "the stall is named"

# No engine at all: retried with back-off until stopped; exit 0 on SIGTERM.
fake_stop
$WRAP "$DOCKEV" -H "unix://$T/none.sock" --backoff 50ms:100ms >/dev/null 2>"$T/err" &
pid=$!
# SIGTERM once it is retrying (its handlers are in); 60 s guards a hang.
i=0; while [ "$(grep -c 'retrying in' "$T/err")" -lt 4 ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done
kill -TERM $pid
wait $pid
is $? 0 "SIGTERM while retrying: exit 0"
# Each delay the agent chose is within MIN:MAX (50ms:100ms).
d=$(sed -n 's/.*retrying in \([0-9]*\)\.\([0-9]*\)s.*/\1\2/p' "$T/err")
c=$(printf '%s\n' $d | awk '$1 + 0 < 50 || $1 + 0 > 100 { bad++ } END { print NR, bad + 0 }')
[ "${c% *}" -ge 4 ] && [ "${c#* }" = 0 ]; ok $? "retried with delays within 50ms:100ms (retries, out of range: $c)"
grep -q "connect unix://$T/none.sock: No such file or directory" "$T/err"; ok $? "connect error named"

done_testing
