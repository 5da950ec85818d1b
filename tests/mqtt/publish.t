# publish.t - the agent publishing to Debian's real mosquitto (make
# check-mqtt): every event of a fake engine's stream reaches a QoS 1
# persistent-session subscriber in order, also across a broker restart
# mid-stream (duplicates counted and printed); wrong credentials end the
# agent at start with exit 1 and one line. The broker runs on a loopback
# port with a private config, password file and persistence under $T.
. tests/integration/lib.sh

N=${MQTT_EVENTS:-400}
INTERVAL=${MQTT_INTERVAL_MS:-25}
. tests/mqtt/lib.sh
broker_first
sub_start

# ---- every event, in order, across a broker restart --------------------
fake_start -g "$N" --interval "$INTERVAL"
DOCKEV_MQTT_PASSWORD=s3cret timeout --foreground 120 $WRAP "$DOCKEV" -H "unix://$SOCK" \
	--backoff 50ms:300ms --mqtt "mqtt://127.0.0.1:$PORT" --mqtt-id node1 \
	--mqtt-user edge >/dev/null 2>"$T/agent.err" &
A_PID=$!

# A third of the way in, the broker goes (SIGTERM: it saves its
# persistence file) and comes back on the same port. The stream's pace
# (40 events/s of about 1.8 KB) lets DK_MQTT_TX_BUF (64 KiB) hold what
# comes meanwhile (about half a second, with the back-off).
i=0
while [ "$(got)" -lt $((N / 3)) ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
broker_stop
sleep 0.3
broker_start
ok $? "broker restarted mid-stream (after $(got) events)"

i=0
while [ "$(got)" -lt "$N" ] && [ $i -lt 600 ]; do
	# Not published (the send buffer filled): no use waiting on.
	grep -q 'send buffer full' "$T/agent.err" && [ $i -gt 50 ] && break
	sleep 0.1; i=$((i + 1))
done
sleep 0.5
kill -TERM "$A_PID"; wait "$A_PID"; rc=$?; A_PID=
is "$rc" 0 "agent exits 0 on SIGTERM"

count_check >"$T/count"
read -r count dups disorder <"$T/count"
is "$count" "$N" "every one of $N events arrived"
is "$disorder" 0 "in order"
echo "# duplicates after the restart: $dups (within the in-flight window, $N events)"
ok "$([ "$dups" -le 16 ] && echo 0 || echo 1)" "duplicates ($dups) within the in-flight window"
grep -q '^dockev/node1/status online$' "$T/sub.out"
ok $? "retained status online published"
grep -q '^dockev/node1/dockev/connect {"dockev":true,"Type":"dockev","Action":"connect"' "$T/sub.out"
ok $? "synthetic dockev connect published"
grep -q '^dockev/node1/container/health_status {' "$T/sub.out"
ok $? "topic: the base action"
n1=$(grep -c 'mqtt: connected to' "$T/agent.err")
is "$n1" 2 "connected twice (once again after the restart)"
grep -q 'were not published' "$T/agent.err"
ok $((1 - $?)) "nothing left unpublished"
grep -q 'not acknowledged' "$T/agent.err"
ok $((1 - $?)) "nothing left unacknowledged at exit"
[ "$fails" -eq 0 ] || sed 's/^/# agent: /' "$T/agent.err"

# The status after a clean exit: "offline", retained.
last=$(grep '^dockev/node1/status ' "$T/sub.out" | tail -1)
is "$last" "dockev/node1/status offline" "retained status offline at exit"
fake_stop

# ---- wrong password: exit 1, one line ----------------------------------
fake_start -g 5
printf 'wrong\n' >"$T/pw"
chmod 600 "$T/pw"
timeout 30 $WRAP "$DOCKEV" -H "unix://$SOCK" --mqtt "mqtt://127.0.0.1:$PORT" \
	--mqtt-id node2 --mqtt-user edge --mqtt-password-file "$T/pw" \
	>/dev/null 2>"$T/wrong.err"
is "$?" 1 "wrong password: exit 1"
grep 'mqtt:' "$T/wrong.err" >"$T/wrong.mqtt"
is "$(wc -l <"$T/wrong.mqtt" | tr -d ' ')" 1 "one mqtt line"
grep -q 'refused the connection: .*(CONNACK [45]): check --mqtt-user and the password' "$T/wrong.mqtt"
ok $? "it says why: $(cat "$T/wrong.mqtt")"
fake_stop

# ---- no password on the command line -----------------------------------
timeout 10 "$DOCKEV" --mqtt mqtt://127.0.0.1 --mqtt-password x >/dev/null 2>"$T/argv.err"
is "$?" 2 "--mqtt-password refused (usage)"
grep -q 'readable by every user' "$T/argv.err"
ok $? "and says why"

done_testing
