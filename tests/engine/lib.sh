# lib.sh - shared by the real-engine tests (tests/engine/*.t): the TAP
# helpers of the integration tests, a private engine under $T, the agent in
# the background, and waits with a bound. Sourced, not run.
. tests/integration/lib.sh
DOCKER=/usr/bin/docker	# Debian 12's client (dockerd.t takes its dockerd's own)
ENGINE=			# tools/engine/dockerd or tools/engine/podman, for cleanup
AGENT_PID=
PROXY_PID=
trap 'engine_cleanup' EXIT INT TERM

engine_cleanup() {
	agent_stop
	proxy_stop
	[ -n "$ENGINE" ] && "$ENGINE" stop "$T/e"
	cleanup
}

# agent_start OUT ARGS...: the agent in the background, stdout to OUT,
# stderr to OUT.err; returns once it logged its first connect (bounded),
# 1 at once when it exited instead (its status in $agent_status).
agent_start() {
	out=$1; shift
	$WRAP "$DOCKEV" "$@" >"$out" 2>"$out.err" &
	AGENT_PID=$!
	i=0
	while ! grep -q 'connected to' "$out.err" 2>/dev/null; do
		if ! kill -0 "$AGENT_PID" 2>/dev/null; then
			wait "$AGENT_PID"; agent_status=$?; AGENT_PID=
			return 1
		fi
		i=$((i + 1)); [ $i -gt 400 ] && return 1
		sleep 0.05
	done
}
# agent_stop: SIGTERM, and its exit status in $agent_status.
agent_stop() {
	agent_status=
	[ -n "$AGENT_PID" ] || return 0
	kill -TERM "$AGENT_PID" 2>/dev/null
	wait "$AGENT_PID"; agent_status=$?
	AGENT_PID=
}

# wait_for FILE REGEX COUNT [SECONDS]: until FILE has COUNT lines matching
# REGEX, at most SECONDS (default 20). Returns 1 on timeout.
wait_for() {
	i=0
	while [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -lt "$3" ]; do
		i=$((i + 1))
		[ $i -gt $(( ${4:-20} * 20 )) ] && return 1
		sleep 0.05
	done
	return 0
}

# summary FILE: "TYPE ACTION NAME" per JSON event (NAME: the name
# attribute, else Actor.ID), in the order received.
summary() {
	sed -E 's/^.*"Type":"([^"]*)","Action":"([^"]*)","Actor":\{"ID":"([^"]*)","Attributes":\{(.*"name":"([^"]*)")?.*$/\1 \2 \5|\3/; s/ \|/ /; s/\|.*$//' "$1"
}

# proxy_start PORT SOCK: a loopback TCP proxy to a unix socket that the
# test can cut (proxy_stop ends it and every connection it carries).
proxy_start() {
	setsid socat TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork UNIX-CONNECT:"$2" \
		</dev/null >/dev/null 2>&1 &
	PROXY_PID=$!
	i=0
	# socat gone: the port was taken (by whatever answers there, not us).
	while ! curl -s --max-time 1 "http://127.0.0.1:$1/_ping" >/dev/null 2>&1 ||
	      ! kill -0 "$PROXY_PID" 2>/dev/null; do
		if ! kill -0 "$PROXY_PID" 2>/dev/null; then
			wait "$PROXY_PID" 2>/dev/null; PROXY_PID=; return 1
		fi
		i=$((i + 1)); [ $i -gt 100 ] && return 1; sleep 0.05
	done
}
proxy_stop() {
	[ -n "$PROXY_PID" ] || return 0
	# setsid made it a group leader: the group is the listener and the
	# children that carry connections, and nothing else.
	kill -TERM "-$PROXY_PID" 2>/dev/null
	wait "$PROXY_PID" 2>/dev/null
	PROXY_PID=
}
