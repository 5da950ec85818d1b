#!/bin/sh
# debounce.t - --hook-debounce MIN[:MAX] (issue 18) against the fake
# engine: a container's restart burst (kill, die, stop, start, restart)
# runs container.d once, with the last event and DOCKEV_DEBOUNCED=5, no
# sooner than MIN after it; container.die.d still runs for its own event,
# before it (one actor's runs keep their order); two interleaved actors run
# twice, each with its own last event; at SIGTERM a held run runs at once;
# without the option every event runs. No fixed sleeps: every wait is a
# bounded wait for a condition.
# shellcheck disable=SC2016,SC2317
. tests/integration/lib.sh

CAP=$T/cap
export CAP
mkdir "$CAP"
for v in $(env | sed -n 's/^\(DOCKEV_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
AG=
cleanup() {
	[ -n "$AG" ] && kill -KILL "$AG" 2>/dev/null
	fake_stop
	rm -rf "$T"
}
hook() { # FILE BODY
	mkdir -p "${1%/*}" && chmod 755 "${1%/*}"
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod 700 "$1"
}
ev() { # ACTION ID TIMENANO
	printf '{"Type":"container","Action":"%s","Actor":{"ID":"%s","Attributes":{"name":"n-%s"}},"scope":"local","time":%s,"timeNano":%s}\n' \
		"$1" "$2" "$2" "${3%?????????}" "$3"
}
# Each run appends "DIR ACTION ID DEBOUNCED MS" to $CAP/runs.
rec() {
	printf 'echo "%s $2 $3 ${DOCKEV_DEBOUNCED:-unset} $(($(date +%%s%%N) / 1000000))" >>"$CAP/runs"\nexit 0' "$1"
}
runs() { if [ -f "$CAP/runs" ]; then cut -d' ' -f1-4 "$CAP/runs"; fi; }
nruns() { if [ -f "$CAP/runs" ]; then echo $(($(wc -l <"$CAP/runs"))); else echo 0; fi; }

H=$T/hooks
mkdir "$H"; chmod 755 "$H"
hook "$H/container.d/10-rec" "$(rec container.d)"
hook "$H/container.die.d/10-rec" "$(rec container.die.d)"

# ---- CLI ---------------------------------------------------------------
# shellcheck disable=SC2086
quick() { timeout 10 $WRAP "$DOCKEV" -H "unix://$T/none.sock" --hooks "$H" "$@" >/dev/null 2>&1; }
for bad in soon 0 1s:500ms 1s: :1s 1s:2s:3s 25h; do
	quick --hook-debounce "$bad"; is $? 2 "--hook-debounce $bad: usage error, exit 2"
done
dockev --help | grep -q -- "--hook-debounce MIN\[:MAX\]"; ok $? "--help documents --hook-debounce"

# ---- a restart burst: one run of container.d, with its last event --------
T0=1795796000000000000
{
	ev kill a $((T0 + 1000000))
	ev die a $((T0 + 2000000))
	ev stop a $((T0 + 3000000))
	ev start a $((T0 + 4000000))
	ev restart a $((T0 + 5000000))
} >"$T/ev1"
fake_start -e "$T/ev1"
t_start=$(now_ms)
dockev -v -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" --hook-debounce 400ms \
	>/dev/null 2>"$T/err"
is $? 0 "a restart burst: exit 0 at --until, once the held run ran"
grep -q "hook runs coalesced 4, not held 0" "$T/err"
ok $? "counters (-v, at exit): 4 runs of container.d coalesced, none unheld"
is "$(runs | grep -c '^container.d ')" 1 "container.d ran once for the five events"
is "$(runs | grep '^container.d ')" "container.d restart a 5" \
	"with the last event (restart), DOCKEV_DEBOUNCED=5"
is "$(runs | grep '^container.die.d ')" "container.die.d die a 1" \
	"container.die.d ran for its own event (DOCKEV_DEBOUNCED=1)"
is "$(runs | cut -d' ' -f1 | tr '\n' ' ')" "container.die.d container.d " \
	"one actor's runs in the order of their events"
t_run=$(grep '^container.d ' "$CAP/runs" | cut -d' ' -f5)
[ $((t_run - t_start)) -ge 400 ]; ok $? "not before MIN had passed ($((t_run - t_start)) ms after the agent started)"

# ---- two actors interleaved: one run each, with its own last event -------
rm -f "$CAP/runs"
{
	ev kill a $((T0 + 1000000))
	ev kill b $((T0 + 2000000))
	ev die a $((T0 + 3000000))
	ev die b $((T0 + 4000000))
	ev start a $((T0 + 5000000))
	ev start b $((T0 + 6000000))
} >"$T/ev2"
fake_start -e "$T/ev2"
dockev -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" --hook-debounce 300ms \
	>/dev/null 2>"$T/err"
is $? 0 "two actors: exit 0"
is "$(runs | grep '^container.d ' | sort | tr '\n' ';')" "container.d start a 3;container.d start b 3;" \
	"container.d ran twice, once per actor, each with its own last event"
is "$(runs | grep -c '^container.die.d ')" 2 "container.die.d once per die"

# ---- MAX: a steady stream is cut MAX after its first event --------------
# (The time bound is the unit test's; here: MAX given is accepted and the
# burst still runs once.)
rm -f "$CAP/runs"
fake_start -e "$T/ev1"
dockev -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" --hook-debounce 200ms:1s \
	>/dev/null 2>"$T/err"
is "$?:$(runs | grep '^container.d ')" "0:container.d restart a 5" "MIN:MAX: the same one run"

# ---- SIGTERM: a held run is not dropped, it runs at once -----------------
rm -f "$CAP/runs"
fake_start -e "$T/ev1"
$WRAP "$DOCKEV" -H "unix://$SOCK" --since 0 --json --hooks "$H" --hook-debounce 1h \
	>"$T/out" 2>"$T/err" &
AG=$!
got5() { [ "$(grep -c '"Type":"container"' "$T/out" 2>/dev/null)" -ge 5 ]; }
# --json is flushed when the stream pauses: all five read means all held.
wait_for 20 got5; ok $? "the agent read the burst"
[ "$(nruns)" -eq 0 ]; ok $? "nothing ran yet: MIN is an hour"
kill -TERM "$AG"
wait_for 20 sh -c "! kill -0 $AG 2>/dev/null"
wait "$AG"; is $? 0 "SIGTERM: exit 0"; AG=
is "$(runs | grep '^container.d ')" "container.d restart a 5" \
	"the held container.d run ran at stop, with the burst's last event"
is "$(runs | grep '^container.die.d ')" "container.die.d die a 1" "and the held container.die.d run"
grep -q "debounced hook runs start now" "$T/err"; ok $? "logged"

# ---- a full table: runs that cannot be held run without waiting ---------
# 40 actors, one die each: container.die.d and container.d are two pairs
# per actor, 80 in all, over DK_HOOK_DEBOUNCE_MAX (32).
rm -f "$CAP/runs"
i=0
while [ $i -lt 40 ]; do ev die "x$i" $((T0 + (i + 1) * 1000000)); i=$((i + 1)); done >"$T/ev3"
fake_start -e "$T/ev3"
dockev -v -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" --hook-debounce 300ms \
	>/dev/null 2>"$T/err"
is $? 0 "a full table: exit 0"
nh=$(sed -n 's/.*hook runs coalesced [0-9]*, not held \([0-9]*\).*/\1/p' "$T/err" | tail -1)
[ "${nh:-0}" -gt 0 ]; ok $? "counted: $nh runs not held"
is "$(runs | grep -c '^container.d die x[0-9]* 1$')" 40 "every actor's container.d ran, held or not"
is "$(runs | grep -c '^container.die.d die x[0-9]* 1$')" 40 "and its container.die.d"
is "$(grep -c 'hook debounce table full' "$T/err")" 1 "the full table logged once"

# ---- without --hook-debounce: every event runs, no DOCKEV_DEBOUNCED ------
rm -f "$CAP/runs"
fake_start -e "$T/ev1"
dockev -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" >/dev/null 2>"$T/err"
is "$(runs | grep '^container.d ' | tr '\n' ';')" \
	"container.d kill a unset;container.d die a unset;container.d stop a unset;container.d start a unset;container.d restart a unset;" \
	"without the option: container.d ran for each event, in order"

done_testing
