# tests/mqtt/lib.sh - shared by the check-mqtt scenarios (*.t): Debian's
# mosquitto on a loopback port with a private config, password file and
# persistence under $T; a QoS 1 persistent-session subscriber; a loopback
# TCP proxy (socat) whose connection can be cut; counting what arrived.
# Sourced after tests/integration/lib.sh. The agents run under
# `timeout --foreground`: without it, timeout passes a SIGTERM on to its
# whole process group as well, and the agent, stopped twice, cuts its
# drain of the broker's acknowledgements short (a second stop hurries).
MOSQ=${MOSQUITTO:-/usr/sbin/mosquitto}
B_PID=; S_PID=; A_PID=; P_LOOP=

mq_cleanup() {
	proxy_stop
	for p in $A_PID $S_PID $B_PID; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	cleanup
}
trap 'mq_cleanup' EXIT INT TERM

mosquitto_passwd -c -b "$T/passwd" edge s3cret 2>/dev/null
chmod 600 "$T/passwd"
# The broker drops root for the user "mosquitto" unless told to stay; an
# offline persistent subscriber may have everything queued for it.
cat >"$T/broker.conf" <<EOC
user $(id -un)
per_listener_settings false
allow_anonymous false
password_file $T/passwd
persistence true
persistence_location $T/
persistence_file broker.db
max_queued_messages 0
max_inflight_messages 100
log_dest file $T/broker.log
log_type error
log_type warning
log_type notice
EOC

broker_start() { # on $PORT; 1 when it does not come up
	"$MOSQ" -c "$T/broker.conf" -p "$PORT" </dev/null >>"$T/broker.out" 2>&1 &
	B_PID=$!
	i=0
	while [ $i -lt 50 ]; do
		mosquitto_pub -h 127.0.0.1 -p "$PORT" -u edge -P s3cret -t probe \
			-m x -q 1 2>/dev/null && return 0
		kill -0 "$B_PID" 2>/dev/null || return 1
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
broker_stop() {
	kill "$B_PID" 2>/dev/null; wait "$B_PID" 2>/dev/null; B_PID=
}

# A free loopback port for the broker ($PORT), the broker on it.
broker_first() {
	PORT=
	for try in 1 2 3 4 5; do
		PORT=$((20000 + ($$ * 7 + try * 911 + ${1:-0}) % 30000))
		broker_start && return 0
		broker_stop
	done
	echo "not ok 1 - mosquitto starts on a loopback port"; cat "$T/broker.out"
	echo "1..1"; exit 1
}

# The fleet side: a persistent session (-c, -i) at QoS 1 for every topic
# of node1. It stays subscribed while the broker restarts.
sub_start() {
	mosquitto_sub -h 127.0.0.1 -p "$PORT" -u edge -P s3cret -c -i fleet-sub \
		-q 1 -t 'dockev/node1/#' -v >>"$T/sub.out" 2>>"$T/sub.err" &
	S_PID=$!
	sleep 0.5
}

# proxy_start PORT2 TARGET: a loopback TCP proxy on PORT2 to TARGET
# (host:port or EXEC:...), one connection at a time, restarted when it
# ends: proxy_cut kills the running one, which cuts that connection.
proxy_start() {
	P2=$1
	(
		while [ ! -f "$T/proxy.stop" ]; do
			socat TCP-LISTEN:"$P2",bind=127.0.0.1,reuseaddr "$2" 2>>"$T/proxy.err" &
			echo $! >"$T/proxy.pid"
			wait $!
		done
	) &
	P_LOOP=$!
	sleep 0.3
}
proxy_cut() { kill "$(cat "$T/proxy.pid")" 2>/dev/null; }
proxy_stop() {
	[ -n "$P_LOOP" ] || return 0
	touch "$T/proxy.stop"
	proxy_cut
	wait "$P_LOOP" 2>/dev/null
	P_LOOP=
}

# engine_events: the timeNano of each engine event the subscriber got.
engine_events() {
	grep -v '^dockev/node1/status \|^dockev/node1/dockev/' "$T/sub.out" |
		sed -n 's/.*"timeNano":\([0-9]*\).*/\1/p'
}
got() { engine_events | sort -u | wc -l | tr -d ' '; }

# wait_got N SECONDS: until the subscriber has N distinct events.
wait_got() {
	i=0
	while [ "$(got)" -lt "$1" ] && [ $i -lt $(($2 * 10)) ]; do
		sleep 0.1; i=$((i + 1))
	done
}

# count_check N: distinct count, duplicates, events out of order (each
# first arrival against the one before), as "count dups disorder".
count_check() {
	engine_events | awk '
		{ if ($1 in seen) dup++; else { if ($1 < last) disorder++; last = $1; seen[$1] = 1; c++ } }
		END { printf "%d %d %d\n", c, dup + 0, disorder + 0 }'
}
