# outage.t - issue 16: the broker down for a minute while containers die.
# The die hooks run on time (each hook's start measured against its
# event's timeNano, which the fake engine stamps when it sends the event:
# each under 2 s), and after the broker returns every event of that minute
# is published. Events come every 300 ms (200 in the minute, within the
# engine's 256-event history), so the send buffer fills and the agent
# catches up from the history.
. tests/integration/lib.sh
. tests/mqtt/lib.sh

DOWN_S=${MQTT_DOWN_S:-60}
INTERVAL=300
N=$(( (DOWN_S + 12) * 1000 / INTERVAL ))

broker_first 3
sub_start

mkdir -p "$T/hooks/container.die.d"
cat >"$T/hooks/container.die.d/10-time" <<EOH
#!/bin/sh
echo "\$DOCKEV_TIME_NANO \$(date +%s%N)" >>"$T/die.times"
EOH
chmod +x "$T/hooks/container.die.d/10-time"

fake_start -g "$N" --interval "$INTERVAL" --history 256 --live
DOCKEV_MQTT_PASSWORD=s3cret timeout --foreground $((DOWN_S + 120)) $WRAP "$DOCKEV" \
	-H "unix://$SOCK" --hooks "$T/hooks" --backoff 50ms:2s \
	--mqtt "mqtt://127.0.0.1:$PORT" --mqtt-id node1 --mqtt-user edge \
	>/dev/null 2>"$T/agent.err" &
A_PID=$!

wait_got 10 30
before=$(got)
broker_stop
sleep "$DOWN_S"
dies_down=$(wc -l <"$T/die.times" | tr -d ' ')
broker_start
ok $? "broker back after ${DOWN_S} s down (${before} events before)"

wait_got "$N" 60
sleep 0.5
kill -TERM "$A_PID"; wait "$A_PID"; rc=$?; A_PID=
is "$rc" 0 "agent exits 0 on SIGTERM"

# Hooks: every die event's hook ran, each within 2 s of its event.
awk '{ d = ($2 - $1) / 1e6; if (d > max) max = d; if (d >= 2000) late++; n++ }
	END { printf "%d %d %d\n", n, max, late + 0 }' "$T/die.times" >"$T/lat"
read -r nhooks maxms late <"$T/lat"
echo "# die hooks: $nhooks ($dies_down while the broker was down), slowest ${maxms} ms after its event"
ok "$([ "$dies_down" -ge $((DOWN_S * 1000 / INTERVAL / 12)) ] && echo 0 || echo 1)" \
	"die hooks ran while the broker was down ($dies_down)"
is "$late" 0 "every die hook within 2 s of its event"

count_check >"$T/count"
read -r count dups disorder <"$T/count"
is "$count" "$N" "every event published ($N, ${DOWN_S} s of them while the broker was down)"
is "$disorder" 0 "in order"
echo "# duplicates: $dups"
sub_dies=$(engine_events_die() { grep '^dockev/node1/container/die ' "$T/sub.out" | sed -n 's/.*"timeNano":\([0-9]*\).*/\1/p' | sort -u | wc -l; }; engine_events_die | tr -d ' ')
is "$sub_dies" "$nhooks" "every die event the hooks saw is on the broker"
grep -q 'catching up from the engine' "$T/agent.err"
ok $? "the buffer filled and the agent caught up from the history"
grep -q 'caught up to' "$T/agent.err"
ok $? "then live again"
{ [ "$fails" -eq 0 ] && [ -z "${MQTT_DEBUG:-}" ]; } || { grep -v "DEBUG" "$T/agent.err" | sed "s/^/# agent: /" | tail -40; }
fake_stop
done_testing
