# badbroker.t - issue 16: bad broker answers. A scripted fake broker (a
# shell script behind socat, one connection at a time) answers the agent's
# first connections badly: CONNACK refusals 3 and 2, a malformed CONNACK,
# an oversized packet, and a broker that accepts and never acknowledges a
# publish (it closes after 3 s; the unit test test_mqttc covers the
# agent's own PUBACK and PINGRESP timeouts with a settable clock); then it
# forwards to the real mosquitto. Each failure is one line, the agent
# reconnects with back-off, and every event reaches the subscriber.
. tests/integration/lib.sh
. tests/mqtt/lib.sh

N=400
broker_first 7
P2=$((PORT + 1))
sub_start

cat >"$T/fb.sh" <<EOS
#!/bin/sh
# One connection of the fake broker: the answer by its number.
n=\$(cat "$T/fb.n" 2>/dev/null || echo 0); n=\$((n + 1)); echo \$n >"$T/fb.n"
case \$n in
1) sleep 0.1; printf '\040\002\000\003' ;;        # refused: server unavailable
2) sleep 0.1; printf '\040\002\000\002' ;;        # refused: identifier rejected
3) sleep 0.1; printf '\040\003\000\000\000' ;;    # malformed: CONNACK of 3 bytes
4) sleep 0.1; printf '\040\002\000\000\060\377\177' ;; # accepted, then a 16 KiB PUBLISH
5) sleep 0.1; printf '\040\002\000\000'; timeout 3 cat >/dev/null; exit 0 ;; # never acknowledges
*) exec socat STDIO TCP:127.0.0.1:$PORT ;;
esac
timeout 2 cat >/dev/null
EOS
chmod +x "$T/fb.sh"
proxy_start "$P2" "EXEC:$T/fb.sh"

fake_start -g "$N" --interval 25 --history 256
DOCKEV_MQTT_PASSWORD=s3cret timeout --foreground 120 $WRAP "$DOCKEV" -H "unix://$SOCK" \
	--backoff 50ms:300ms --mqtt "mqtt://127.0.0.1:$P2" --mqtt-id node1 \
	--mqtt-user edge >/dev/null 2>"$T/agent.err" &
A_PID=$!

wait_got "$N" 90
sleep 0.5
kill -TERM "$A_PID"; wait "$A_PID"; rc=$?; A_PID=
is "$rc" 0 "agent exits 0 on SIGTERM"

mq() { grep -c "mqtt: .*$1" "$T/agent.err"; }
is "$(mq 'refused the connection: .*(CONNACK 3); .*retrying in')" 1 "CONNACK 3: one line, retried after a back-off"
is "$(mq 'refused the connection: .*(CONNACK 2); .*retrying in')" 1 "CONNACK 2: one line, retried after a back-off"
is "$(mq 'malformed MQTT packet: CONNACK remaining length is not 2; .*retrying in')" 1 "malformed CONNACK: one line"
is "$(mq 'larger than the receive buffer.*retrying in')" 1 "oversized packet: one line"
is "$(mq 'broker closed the connection; [1-9][0-9]* events waiting; retrying in')" 1 \
	"the broker that never acknowledged: its events waiting, sent again"
conn=$(grep -c 'mqtt: connected to' "$T/agent.err")
is "$conn" 3 "accepted three times (oversized, silent, real)"
count_check >"$T/count"
read -r count dups disorder <"$T/count"
is "$count" "$N" "nothing lost: every one of $N events published"
is "$disorder" 0 "in order"
echo "# duplicates: $dups"
{ [ "$fails" -eq 0 ] && [ -z "${MQTT_DEBUG:-}" ]; } || { grep -v "DEBUG" "$T/agent.err" | sed "s/^/# agent: /" | tail -40; }
fake_stop
done_testing
