#!/bin/sh
# reconnect.t - cuts at every kind of place: the agent reconnects with
# since=<last timeNano - 20 ms>, drops what the since brings back, and
# delivers every event exactly once, in order.
. tests/integration/lib.sh

# Generated events (several KiB each, compose labels), cut five times.
fake_start -g 3000 --t0 1795790000000000000
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/want" 2>/dev/null
events "$T/want" >"$T/want.ev"
is "$(wc -l <"$T/want.ev")" 3000 "reference run: 3000 events"
for fault in "--cut-after 777" "--cut-after 500 --cut-mid" "--cut-after 1 --chunking split" \
             "--cut-after 333 --chunking merge" "--cut-after 100 --dribble 0"; do
	# shellcheck disable=SC2086
	fake_start -g 3000 --t0 1795790000000000000 $fault --faults 5
	dockev -H "unix://$SOCK" --json --backoff 5ms:10ms --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
	st=$?
	events "$T/out" | cmp -s - "$T/want.ev"
	ok $(( st + $? )) "$fault x5: every event exactly once, in order"
done
is "$(grep -c 'disconnected from' "$T/err")" 5 "a disconnect logged per cut"
is "$(grep -c 'connected to' "$T/err")" 6 "a connect logged per stream"
grep -q 'disconnected from .*: engine closed the events stream mid-body' "$T/err"
ok $? "disconnect says why"
grep -q '"Type":"dockev"' "$T/out"
is $? 1 "--json prints only what the engine sent, no synthetic events"


since=$(sed -n 4p "$T/requests" | sed 's/.*since=\([0-9.]*\).*/\1/')
is "$since" "1795790000.079000000" "resumes with since = 20 ms before the last delivered timeNano"

# Synthetic events reach the handlers: the text printer shows them.
fake_start -g 20 --t0 1795790000000000000 --cut-after 10 --faults 1
dockev -H "unix://$SOCK" --backoff 5ms:10ms --since 0 --until $UNTIL >"$T/text" 2>/dev/null
is "$(grep -c ' dockev connect ' "$T/text")" 2 "text output: dockev connect per stream"
is "$(grep -c ' dockev disconnect .*reason=engine closed the events stream mid-body' "$T/text")" 1 \
   "text output: dockev disconnect with the reason"

# Several events share the resume point's timeNano: the ones delivered are
# dropped when they come back, the one not yet delivered is not.
SAME=$DATA/same-timenano.jsonl
fake_start -e "$SAME" --cut-after 4 --faults 1
dockev -H "unix://$SOCK" --json --backoff 5ms:10ms --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
events "$T/out" | cmp -s - "$SAME"
ok $? "same timeNano across a cut: each event once"
fake_start -e "$SAME" --cut-after 3 --faults 1
dockev -H "unix://$SOCK" --json --backoff 5ms:10ms --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
events "$T/out" | cmp -s - "$SAME"
ok $? "cut right after the first of three sharing a timeNano"

# Without --since, a reconnect still resumes: since = when the stream began.
fake_start -g 50 --t0 1795790000000000000 --cut-after 10 --faults 1
dockev -H "unix://$SOCK" --json --backoff 5ms:10ms --until $UNTIL >"$T/out" 2>"$T/err"
is "$(sed -n 2p "$T/requests" | grep -c since=)" 0 "first request without since"
is "$(sed -n 4p "$T/requests" | grep -c 'since=1795789999.989000000')" 1 "after a cut: since = 20 ms before the last event"

# SIGUSR1 logs counters; SIGTERM on an idle stream exits 0 quickly.
fake_start -g 20 --t0 1795790000000000000
$WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 -q >"$T/out" 2>"$T/err" &
pid=$!
i=0; while [ "$(events "$T/out" 2>/dev/null | wc -l)" -lt 20 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
is "$(events "$T/out" | wc -l)" 20 "stdout is flushed while the stream is idle"
kill -USR1 $pid; sleep 0.3
grep -q 'counters: events 20, duplicates dropped 0, skipped 0' "$T/err"; ok $? "SIGUSR1: one line of counters, even with -q"
# An idle stream has no timeout of its own: only the signal ends the wait.
# 20 s guards against a hang; it is not a speed test.
(sleep 20; kill -KILL $pid 2>/dev/null) >/dev/null 2>&1 &
guard=$!
kill -TERM $pid; wait $pid; st=$?
kill $guard 2>/dev/null
is $st 0 "SIGTERM on an idle stream: exit 0 (137 would be the 20 s guard's KILL)"

# SIGHUP stops cleanly too (it used to end the agent with no log line and
# no last --state write).
rm -f "$T/state"
$WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 --state "$T/state" >"$T/out" 2>"$T/err" &
pid=$!
i=0; while [ "$(events "$T/out" 2>/dev/null | wc -l)" -lt 20 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
(sleep 20; kill -KILL $pid 2>/dev/null) >/dev/null 2>&1 &
guard=$!
kill -HUP $pid; wait $pid; st=$?
kill $guard 2>/dev/null
is $st 0 "SIGHUP: exit 0"
grep -q 'SIGHUP: stopping' "$T/err"; ok $? "SIGHUP: one line says so"
grep -q '^resume 1795790000019000000 event$' "$T/state"; ok $? "SIGHUP: the last --state write happened"

done_testing
