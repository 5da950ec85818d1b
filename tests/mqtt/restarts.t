# restarts.t - issue 16's first acceptance: a QoS 1 persistent-session
# subscriber receives every one of 10,000 events in order while the broker
# is killed and restarted twice mid-stream and the agent's connection to it
# is cut once (a loopback socat proxy between the agent and the broker is
# killed); the duplicate count is printed. The fake engine keeps dockerd's
# 256-event history (--history), from which the agent catches up when its
# send buffer filled during an outage.
. tests/integration/lib.sh
. tests/mqtt/lib.sh

N=${MQTT_EVENTS:-10000}
INTERVAL=${MQTT_INTERVAL_MS:-5}

broker_first 0
P2=$((PORT + 1))
proxy_start "$P2" "TCP:127.0.0.1:$PORT"
sub_start

fake_start -g "$N" --interval "$INTERVAL" --history 256
DOCKEV_MQTT_PASSWORD=s3cret timeout --foreground 300 $WRAP "$DOCKEV" -H "unix://$SOCK" \
	--backoff 50ms:300ms --mqtt "mqtt://127.0.0.1:$P2" --mqtt-id node1 \
	--mqtt-user edge >/dev/null 2>"$T/agent.err" &
A_PID=$!

# At a quarter and at half the stream the broker goes (SIGTERM: it saves
# its persistence file) and comes back on the same port; at three
# quarters the proxy's connection is cut.
for part in 4 2; do
	wait_got $((N / part)) 120
	broker_stop
	sleep 0.3
	broker_start
	ok $? "broker restarted mid-stream (after $(got) events)"
done
wait_got $((N * 3 / 4)) 120
proxy_cut
ok 0 "the agent's connection cut through the proxy (after $(got) events)"

wait_got "$N" 180
sleep 0.5
kill -TERM "$A_PID"; wait "$A_PID"; rc=$?; A_PID=
is "$rc" 0 "agent exits 0 on SIGTERM"

count_check >"$T/count"
read -r count dups disorder <"$T/count"
is "$count" "$N" "every one of $N events arrived"
is "$disorder" 0 "in order"
rounds=$(grep -c 'catching up from the engine' "$T/agent.err")
echo "# duplicates: $dups of $N events; catch-up rounds started: $rounds"
n1=$(grep -c 'mqtt: connected to' "$T/agent.err")
ok "$([ "$n1" -ge 4 ] && echo 0 || echo 1)" "connected $n1 times (two restarts, one cut)"
grep -q 'mqtt: .*broker closed the connection\|mqtt: .*read: ' "$T/agent.err"
ok $? "the cut and the restarts said in one line each"
grep -q 'resync' "$T/sub.out"
ok $((1 - $?)) "no resync: the history reached back each time"
{ [ "$fails" -eq 0 ] && [ -z "${MQTT_DEBUG:-}" ]; } || { grep -v "DEBUG" "$T/agent.err" | sed "s/^/# agent: /" | tail -40; }
fake_stop
done_testing
