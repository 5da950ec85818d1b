# lib.sh - shared by the integration tests (*.t): TAP helpers, a fake
# engine on a private socket, and the agent run under $WRAP (valgrind in
# the valgrind flavour of make check). Sourced, not run.
set -u
BUILD=${BUILD:-build}
WRAP=${WRAP:-}
DOCKEV="$BUILD/dockev"
# The fake engine is native even when the agent is not (FAKE, check-cross).
FAKE=${FAKE:-"$BUILD/fakeengine"}
DATA=tests/data
# After the recorded events, before now: the engine ends the stream there.
UNTIL=1795797000
T=$(mktemp -d /tmp/dockev-test.XXXXXX)
SOCK="$T/engine.sock"
n=0
fails=0
FE_PID=
trap 'cleanup' EXIT INT TERM

cleanup() {
	[ -n "$FE_PID" ] && kill "$FE_PID" 2>/dev/null && wait "$FE_PID" 2>/dev/null
	rm -rf "$T"
}

ok() { # ok COND-STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi
}
is() { # is GOT WANT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then echo "ok $n - $3"; else
		echo "not ok $n - $3"; echo "#   got  '$1'"; echo "#   want '$2'"; fails=$((fails + 1)); fi
}
done_testing() { echo "1..$n"; [ "$fails" -eq 0 ]; }

# fake_start ARGS...: a fresh fake engine on $SOCK (or as -l says).
fake_start() {
	fake_stop
	rm -f "$T/ready" "$T/requests"
	"$FAKE" -l "unix:$SOCK" --ready-file "$T/ready" --log "$T/requests" "$@" \
		</dev/null >/dev/null 2>>"$T/fake.err" &
	FE_PID=$!
	i=0
	while [ ! -e "$T/ready" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
fake_stop() {
	if [ -n "$FE_PID" ]; then kill "$FE_PID" 2>/dev/null; wait "$FE_PID" 2>/dev/null; FE_PID=; fi
}

# Bounds of the waits below are multiplied under valgrind.
SLOW=1
[ -n "$WRAP" ] && SLOW=5
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS
# (times SLOW). COMMAND's last status.
wait_for() {
	_end=$(($(now_ms) + $1 * 1000 * SLOW)); shift
	until "$@"; do
		[ "$(now_ms)" -ge $_end ] && return 1
		sleep 0.05
	done
}

# dockev ARGS...: the agent under $WRAP, at most 60 s.
dockev() { timeout 60 $WRAP "$DOCKEV" "$@"; }

# events FILE: the engine events of an output file (synthetic ones dropped).
events() { grep -v '"Type":"dockev"' "$1"; }
