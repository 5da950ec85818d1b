# state.t - issue 16: the agent restarted with --state while the broker is
# down loses nothing (the broker's cursor is kept in the state file beside
# the local one, and the new agent catches up from the engine's history);
# and when the history no longer reaches back to the broker's cursor (more
# events than the engine keeps), a dockev resync is published and the
# agent moves on.
. tests/integration/lib.sh
. tests/mqtt/lib.sh

INTERVAL=50
N=300

broker_first 5
sub_start

agent() { # the agent with --state, in the background ($A_PID)
	DOCKEV_MQTT_PASSWORD=s3cret timeout --foreground 120 $WRAP "$DOCKEV" -H "unix://$SOCK" \
		--state "$T/state" --backoff 50ms:300ms --mqtt "mqtt://127.0.0.1:$PORT" \
		--mqtt-id node1 --mqtt-user edge >/dev/null 2>>"$T/agent.err" &
	A_PID=$!
}
agent_stop() {
	kill -TERM "$A_PID"; wait "$A_PID"; rc=$?; A_PID=
}

# ---- restart while the broker is down: nothing lost ---------------------
fake_start -g "$N" --interval "$INTERVAL" --history 256
agent
wait_got 40 30
broker_stop
sleep 1.5   # events go on, locally only
agent_stop
is "$rc" 0 "agent stopped while the broker is down"
grep -q '^broker [0-9]* event$' "$T/state"
ok $? "--state holds the broker's cursor: $(grep '^broker' "$T/state")"
agent
sleep 1.5   # the new agent: local events, no broker
broker_start
ok $? "broker back"
wait_got "$N" 60
agent_stop
is "$rc" 0 "agent exits 0"
count_check >"$T/count"
read -r count dups disorder <"$T/count"
is "$count" "$N" "every one of $N events published across the restart"
is "$disorder" 0 "in order"
echo "# duplicates: $dups"
grep -q "the broker's cursor .* is behind the local one" "$T/agent.err"
ok $? "the new agent knew the broker was behind"
grep -q 'resync' "$T/sub.out"
ok $((1 - $?)) "no resync: the history reached back"
fake_stop

# ---- the history no longer reaches back: dockev resync -----------------
# A fresh engine keeping only 20 events; the agent starts from its own
# --state again (the old engine's cursor), with the broker down while 60
# events happen.
rm -f "$T/state"
: >"$T/sub.out"
fake_start -g 200 --interval 30 --history 20
agent
wait_got 20 30
broker_stop
sleep 2.5
broker_start
ok $? "broker back after more events than the engine keeps"
i=0
while ! grep -q '^dockev/node1/dockev/resync ' "$T/sub.out" && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
grep -q '^dockev/node1/dockev/resync {"dockev":true,"Type":"dockev","Action":"resync"' "$T/sub.out"
ok $? "dockev resync published"
grep -q "history no longer reaches back to the broker's cursor" "$T/agent.err"
ok $? "and said in the log"
wait_got 150 30
agent_stop
count_check >"$T/count"
read -r count dups disorder <"$T/count"
is "$disorder" 0 "what the history still had, in order after the resync"
{ [ "$fails" -eq 0 ] && [ -z "${MQTT_DEBUG:-}" ]; } || { grep -v "DEBUG" "$T/agent.err" | sed "s/^/# agent: /" | tail -40; }
fake_stop
done_testing
