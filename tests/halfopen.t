#!/bin/sh
# halfopen.t - a TCP stream whose peer vanished is noticed within the
# keepalive bound and the agent reconnects when the path returns.
#
# The fake engine runs in one network namespace, the agent in another,
# joined by a veth pair (nothing leaves the machine). Once the events are
# delivered and the stream is idle, every packet to the engine's side is
# dropped (iptables there): no FIN, no RST, the agent's socket stays
# ESTABLISHED. Keepalive (and TCP_USER_TIMEOUT) must end it within
# IDLE + INTVL * CNT; the agent is built with 2 + 1 * 2 = 4 s (defaults
# 30 + 10 * 3 = 60 s) so the test is short. Needs root, iproute2, iptables.
. tests/integration/lib.sh

IDLE=2 INTVL=1 CNT=2
BOUND=$((IDLE + INTVL * CNT))
AG=$BUILD/halfopen/dockev
NE=dkev-e-$$ NA=dkev-a-$$
skip() { echo "ok 1 # skip $1"; echo "1..1"; exit 0; }
[ "$(id -u)" = 0 ] || skip "needs root for network namespaces"
command -v ip >/dev/null && command -v iptables >/dev/null || skip "needs iproute2 and iptables"
ip netns add $NE 2>/dev/null || skip "cannot create network namespaces here"
ip netns add $NA
AG_PID=
trap 'halt' EXIT INT TERM
halt() {
	[ -n "$AG_PID" ] && kill $AG_PID 2>/dev/null && wait $AG_PID 2>/dev/null
	cleanup
	ip netns del $NE 2>/dev/null; ip netns del $NA 2>/dev/null
}
ip link add veA netns $NA type veth peer name veE netns $NE
ip -n $NA addr add 10.77.0.1/30 dev veA; ip -n $NA link set veA up; ip -n $NA link set lo up
ip -n $NE addr add 10.77.0.2/30 dev veE; ip -n $NE link set veE up; ip -n $NE link set lo up

# make: an agent with the short keepalive (see above).
[ -x "$AG" ] || { echo "Bail out! $AG not built (make check-halfopen builds it)"; exit 1; }

FAKE_NS="ip netns exec $NE $FAKE"
rm -f "$T/ready"
$FAKE_NS -l tcp:10.77.0.2:2375 -g 5 --t0 1795790000000000000 --ready-file "$T/ready" \
	--log "$T/requests" </dev/null >/dev/null 2>"$T/fake.err" &
FE_PID=$!
i=0; while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done

ip netns exec $NA $WRAP "$AG" -H tcp://10.77.0.2:2375 --json --since 0 --backoff 200ms:500ms \
	>"$T/out" 2>"$T/err" &
AG_PID=$!
i=0; while [ "$(events "$T/out" 2>/dev/null | wc -l)" -lt 5 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
is "$(events "$T/out" | wc -l)" 5 "over TCP between namespaces: 5 events, then an idle stream"

# The agent ACKs the last data late (a delayed ACK): dropped, the engine
# would retransmit, and each retransmission reaching the agent restarts
# its keepalive idle time, so the vanished peer would be noticed only
# once the retransmissions space out (a CI run saw none in 9.5 s). So
# first wait until the engine's side holds nothing unacknowledged.
acked() {
	ip netns exec $NE ss -Htn state established '( sport = :2375 )' |
		awk '{ n++; if ($2 != 0) bad = 1 } END { exit !(n >= 1 && !bad) }'
}
i=0; until acked || [ $i -ge 100 ]; do sleep 0.05; i=$((i + 1)); done
acked; ok $? "the engine's side has every byte acknowledged: an idle stream"

# The engine's host vanishes: its side drops everything.
ip netns exec $NE iptables -A INPUT -j DROP
ok $? "the engine's side drops every packet (iptables)"
t0=$(date +%s%N)
i=0; while ! grep -q 'disconnected from' "$T/err" && [ $i -lt $((BOUND * 40)) ]; do sleep 0.05; i=$((i + 1)); done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
grep -q 'disconnected from' "$T/err"; ok $? "the vanished peer is noticed (after ${ms} ms)"
[ $ms -le $(( (BOUND + 1) * 1000 )) ]; ok $? "within the keepalive bound, ${BOUND} s + 1 s (${ms} ms)"
grep 'disconnected from' "$T/err" | grep -q 'timed out'; ok $? "one line says why: $(grep 'disconnected from' "$T/err" | head -1 | sed 's/.*: //')"

# The path returns: the agent, retrying meanwhile, connects again and
# resumes where it was (nothing delivered twice).
ip netns exec $NE iptables -D INPUT -j DROP
i=0; while [ "$(grep -c 'connected to' "$T/err")" -lt 2 ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i + 1)); done
is "$(grep -c '^dockev: connected to' "$T/err")" 2 "reconnected once the path is back"
sleep 0.3
is "$(events "$T/out" | wc -l)" 5 "no event delivered twice after the resume"
grep -q 'since=1795789999.984000000' "$T/requests"; ok $? "the new stream resumes 20 ms before the last event"
kill -TERM $AG_PID; wait $AG_PID; st=$?; AG_PID=
is $st 0 "SIGTERM: exit 0"
[ $st -eq 0 ] || sed 's/^/#   /' "$T/err"
done_testing
