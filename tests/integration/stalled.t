#!/bin/sh
# stalled.t - stdout never blocks the loop. A reader that stops reading:
# hook timeouts still fire, SIGTERM still stops the agent at once, and
# --state is not moved past what was not written. A reader that goes away
# while the stream is idle (`dockev --json | head -1`): the agent ends with
# it. Every wait is a bounded wait for a condition.
# shellcheck disable=SC2016
. tests/integration/lib.sh

AG=
RD=
cleanup() {
	[ -n "$AG" ] && kill -KILL "$AG" 2>/dev/null
	[ -n "$RD" ] && kill -KILL "$RD" 2>/dev/null
	for p in $(cat "$T/pids" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	fake_stop
	rm -rf "$T"
}
gone() { ! kill -0 "$1" 2>/dev/null; }

# A hook that outlives its 1 s timeout, on every container event.
H=$T/hooks
mkdir -p "$H/container.d" && chmod 755 "$H" "$H/container.d"
printf '#!/bin/sh\necho $$ >>"%s"\nexec sleep 60\n' "$T/pids" >"$H/container.d/slow"
chmod 700 "$H/container.d/slow"

# 20,000 events (about 9 MB): far more than a pipe and the agent's buffer
# hold. The reader holds the FIFO open and reads nothing until told to.
fake_start -g 20000
mkfifo "$T/fifo" "$T/go"
sh -c 'read -r _ <"$1"; exec cat' sh "$T/go" <"$T/fifo" >"$T/got" &
RD=$!
$WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 --hooks "$H" --hook-timeout 1s \
	--hook-jobs 1 --state "$T/state" >"$T/fifo" 2>"$T/err" &
AG=$!
first_hook() { [ -s "$T/pids" ]; }
wait_for 20 first_hook; ok $? "stalled reader: the first hook started"
P1=$(head -1 "$T/pids" 2>/dev/null)
timed_out() { grep -q 'timed out' "$T/err" && gone "$P1"; }
wait_for 20 timed_out; ok $? "stalled reader: the hook's timeout fired and it was stopped"
kill -TERM "$AG"
stopped() { gone "$AG"; }
wait_for 5 stopped; ok $? "stalled reader: SIGTERM stops the agent"
if gone "$AG"; then
	wait "$AG"; is $? 0 "stalled reader: exit 0 on SIGTERM"
else
	kill -KILL "$AG"; wait "$AG"
fi
AG=
grep -q 'stdout: .* not written at exit: the reader was not reading' "$T/err"
ok $? "stalled reader: what was not written is said"
# Now the reader reads what was written; --state is not past its last line.
echo go >"$T/go"
wait "$RD"; RD=
last=$(grep '}$' "$T/got" | tail -1 | sed -n 's/.*"timeNano":\([0-9]*\).*/\1/p')
point=$(sed -n 's/^resume \([0-9]*\).*/\1/p' "$T/state" 2>/dev/null)
[ -n "$last" ] && { [ -z "$point" ] || [ "$point" -le "$last" ]; }
ok $? "stalled reader: --state (${point:-none}) not past the last line written ($last)"
fake_stop

# An idle stream and a reader that goes away: the agent ends with it.
fake_start -e "$DATA/dockerd-event-examples.jsonl"
( timeout $((20 * SLOW)) $WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 2>"$T/err2"; echo $? >"$T/rc" ) |
	head -1 >"$T/out" &
PL=$!
ended() { [ -s "$T/rc" ]; }
wait_for 10 ended; ok $? "idle stream, reader gone: the agent ends at once"
is "$(cat "$T/rc" 2>/dev/null)" 1 "idle stream, reader gone: exit 1"
grep -q 'stdout: cannot write: Broken pipe; stopping' "$T/err2"; ok $? "idle stream, reader gone: said so"
is "$(wc -l <"$T/out")" 1 "idle stream: the reader had its line"
kill "$PL" 2>/dev/null
fake_stop

done_testing
