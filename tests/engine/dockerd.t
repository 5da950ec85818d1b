#!/bin/sh
# dockerd.t - the agent against a real dockerd (tools/engine/dockerd), while
# the docker CLI of the same version makes events: every expected event once
# and in order, hooks with the right variables, a connection cut through a
# loopback proxy, a dockerd restart, --until in the past, --state.
#
# DOCKERD_VERSION (20.10, 26.1, 28.5; tools/engine/dockerd) picks the engine,
# DOCKER_MIN_API_VERSION (e.g. 1.44, as Docker 29.0-29.2 enforce) is passed
# to it. What differs per version is said where it is checked.
. tests/engine/lib.sh
ENGINE=tools/engine/dockerd
DOCKERD_VERSION=${DOCKERD_VERSION:-20.10}
MIN_API=${DOCKER_MIN_API_VERSION:-}
export DOCKERD_VERSION
E=$T/e
export DOCKER_HOST="unix://$E/docker.sock"
ip -o link | sed 's/^[0-9]*: //; s/[:@].*//' | sort >"$T/links.before"
sysctl -n net.ipv4.ip_forward >"$T/fwd.before" 2>/dev/null
$ENGINE start "$E" || { echo "Bail out! dockerd $DOCKERD_VERSION did not start"; exit 1; }
DOCKER=$($ENGINE cli)
echo "# $($ENGINE version)${MIN_API:+, DOCKER_MIN_API_VERSION=$MIN_API}"
d() { $DOCKER "$@" >/dev/null 2>>"$T/docker.err"; }

# Hooks: every event's variables, one line each (several actors run in
# parallel, so the file is compared per actor, not as a whole).
mkdir -p "$T/hooks/all.d"
cat >"$T/hooks/all.d/10-log" <<HOOK
#!/bin/sh
echo "\$1 \$2 [\$DOCKEV_ACTION_DETAIL] exit=\${DOCKEV_ATTR_EXITCODE:-} name=\${DOCKEV_NAME:-} id=\$3" >>"$T/hooks.log"
HOOK
chmod 755 "$T/hooks/all.d/10-log"

agent_start "$T/out" -H "$DOCKER_HOST" --json --hooks "$T/hooks" --backoff 20ms:200ms
st=$?
ok $st "agent connects to dockerd $DOCKERD_VERSION${MIN_API:+ (minimum API $MIN_API)}"
if [ $st -ne 0 ]; then
	sed 's/^/# /' "$T/out.err"
	echo "Bail out! no connection: nothing else can be checked"; exit 1
fi
# The API version the agent chose: dockerd's own (/_ping) or the agent's,
# whichever is lower, and never below the engine's minimum.
api=$(sed -n 's/^.*connected to .* (API \([0-9.]*\).*$/\1/p' "$T/out.err" | head -1)
engine_api=$(curl -s -D - -o /dev/null --unix-socket "$E/docker.sock" http://d/_ping |
	tr -d '\r' | sed -n 's/^Api-Version: //Ip')
vge() { # vge A B: API version A >= B
	[ "${1%%.*}" -gt "${2%%.*}" ] || { [ "${1%%.*}" -eq "${2%%.*}" ] && [ "${1#*.}" -ge "${2#*.}" ]; }
}
case "$DOCKERD_VERSION" in
20.10) is "$api" 1.41 "API 1.41 with dockerd 20.10 (its /_ping: $engine_api)" ;;
*) vge "$engine_api" "$api" && vge "$api" "${MIN_API:-1.41}"
   ok $? "API $api: at most dockerd's $engine_api, at least ${MIN_API:-1.41}" ;;
esac
# The minimum is in force: the engine says so and refuses below it (else
# this row would test nothing more than the one without it).
if [ -n "$MIN_API" ]; then
	curl -s --unix-socket "$E/docker.sock" http://d/version | grep -q "\"MinAPIVersion\":\"$MIN_API\""
	ok $? "dockerd's /version says MinAPIVersion $MIN_API"
	curl -s --unix-socket "$E/docker.sock" "http://d/v1.41/events?until=1" |
		grep -q "client version 1.41 is too old. Minimum supported API version is $MIN_API"
	ok $? "dockerd refuses /v1.41/events: client version 1.41 is too old"
fi
T0=$(date +%s.%N)

d volume create v1
d volume rm v1
$ENGINE image "$E" dockev-busybox
d tag dockev-busybox dockev-tag:1
d rmi dockev-tag:1
d network create n1
d run -d --name c1 dockev-busybox sleep 60
d network connect n1 c1
d network disconnect n1 c1
d rm -f c1
d network rm n1
d create --name c2 dockev-busybox sh -c 'sleep 1; exit 3'
d start c2
d exec c2 true
d wait c2
d rm c2
d run -d --name h1 --health-cmd 'test ! -e /tmp/bad' --health-interval 300ms \
	--health-retries 1 dockev-busybox sleep 60
wait_for "$T/out" 'health_status: healthy' 1
d exec h1 touch /tmp/bad
wait_for "$T/out" 'health_status: unhealthy' 1
d rm -f h1
d volume create v-last
wait_for "$T/out" '"Action":"create","Actor":{"ID":"v-last"' 1
ok $? "the last event arrives"

# dockerd 20.10 and 26.1 send network disconnect twice for one `docker
# network disconnect` (28.5 once), and image import is tagged before its
# import event: as the engine does.
# The health probes are execs too, as many as the timing makes: left out
# (exec on its own is checked on c2). One every 300 ms, not faster: three
# events a probe, and the replay below needs the whole test within
# dockerd's 256-event history on a slow machine.
summary "$T/out" | grep -v '^container exec_[a-z]*\(: /bin/sh -c test ! -e /tmp/bad\)\? h1$' >"$T/got"
cat >"$T/want" <<'WANT'
volume create v1
volume destroy v1
image tag
image import
image tag
image untag
network create n1
container create c1
container start c1
network connect n1
network disconnect n1
DISCONNECT_AGAIN
container kill c1
container die c1
container destroy c1
network destroy n1
container create c2
container start c2
container exec_create: true  c2
container exec_start: true  c2
container exec_die c2
container die c2
container destroy c2
container create h1
container start h1
container health_status: healthy h1
container exec_create: touch /tmp/bad h1
container exec_start: touch /tmp/bad h1
container health_status: unhealthy h1
container kill h1
container die h1
container destroy h1
volume create v-last
WANT
case "$DOCKERD_VERSION" in
20.10|26.1) sed -i 's/^DISCONNECT_AGAIN$/network disconnect n1/' "$T/want" ;;
*) sed -i '/^DISCONNECT_AGAIN$/d' "$T/want" ;;
esac
sed -i 's/^\(image [a-z]*\) .*/\1/' "$T/got"
diff "$T/want" "$T/got" >"$T/diff"
ok $? "every expected event once, in order"; sed 's/^/# /' "$T/diff"
# What the CLI said when an event is missing (a command refused by dockerd).
if [ -s "$T/diff" ]; then sed 's/^/# docker: /' "$T/docker.err"; fi
grep -q '"Action":"die".*"exitCode":"3".*"name":"c2"' "$T/out"
ok $? "die of c2 carries exitCode 3 as sent"
wait_for "$T/hooks.log" 'v-last' 1 5
grep -q '^container die \[\] exit=3 name=c2 ' "$T/hooks.log"
ok $? "hook: DOCKEV_ATTR_EXITCODE=3 for the container that exited 3"
grep -q '^container health_status \[healthy\] exit= name=h1 ' "$T/hooks.log"
ok $? "hook: DOCKEV_ACTION=health_status, DOCKEV_ACTION_DETAIL=healthy"
grep -q '^container health_status \[unhealthy\] exit= name=h1 ' "$T/hooks.log"
ok $? "hook: DOCKEV_ACTION_DETAIL=unhealthy"
grep '^volume ' "$T/hooks.log" | sed 's/ \[.*id=/ /' >"$T/vol.hooks"
printf 'volume create v1\nvolume destroy v1\nvolume create v-last\n' | cmp -s - "$T/vol.hooks"
ok $? "hooks of one actor run in event order"
is "$(grep -vc '^dockev ' "$T/hooks.log")" "$(grep -c . "$T/out")" "one hook run per engine event"
agent_stop
is "$agent_status" 0 "SIGTERM: exit 0"
T1=$(date +%s.%N)

# --until in the past: the engine replays what it kept and ends the stream.
dockev -H "$DOCKER_HOST" --json --since "$T0" --until "$T1" >"$T/replay" 2>"$T/replay.err"
is $? 0 "--since/--until in the past: replays and exits 0"
cmp -s "$T/out" "$T/replay"
st=$?
ok $st "the replay is the live stream, byte for byte"
if [ $st -ne 0 ]; then
	echo "# live $(grep -c . "$T/out") events, replay $(grep -c . "$T/replay")"
	diff "$T/out" "$T/replay" | head -6 | cut -c1-160 | sed 's/^/# /'
	sed 's/^/# replay.err: /' "$T/replay.err" | tail -3
fi

# A cut: the agent reaches dockerd through a loopback proxy; the proxy
# dies while events keep happening, then comes back.
port=$((20000 + $$ % 20000))
proxy_start $port "$E/docker.sock" || { port=$((port + 1)); proxy_start $port "$E/docker.sock"; }
agent_start "$T/cut" -H "tcp://127.0.0.1:$port" --json --hooks "$T/hooks" --backoff 50ms:200ms
d volume create cut-1
d volume create cut-2
wait_for "$T/cut" cut-2 1
proxy_stop
d volume create cut-3
d volume rm cut-1
d volume create cut-4
wait_for "$T/cut.err" 'disconnected from' 1 5
ok $? "the agent sees the cut"
proxy_start $port "$E/docker.sock"
d volume create cut-5
wait_for "$T/cut" cut-5 1
summary "$T/cut" >"$T/got"
printf 'volume create cut-1\nvolume create cut-2\nvolume create cut-3\nvolume destroy cut-1\nvolume create cut-4\nvolume create cut-5\n' >"$T/want"
diff "$T/want" "$T/got" >"$T/diff"
ok $? "after the cut: every event exactly once, in order"; sed 's/^/# /' "$T/diff"
grep -q "connected to tcp://127.0.0.1:$port (API $api, since " "$T/cut.err"
ok $? "the reconnect resumes with since="

agent_stop
proxy_stop

# dockerd restarts under the agent: disconnect, connect, and it goes on.
mkdir -p "$T/hooks/dockev.d"
cat >"$T/hooks/dockev.d/10-log" <<HOOK
#!/bin/sh
echo "dockev \$2 \$DOCKEV_ATTR_REASON" >>"$T/synthetic.log"
HOOK
chmod 755 "$T/hooks/dockev.d/10-log"
agent_start "$T/restart" -H "$DOCKER_HOST" --json --hooks "$T/hooks" --backoff 50ms:300ms
d volume create before-restart
wait_for "$T/restart" before-restart 1
$ENGINE stop "$E"
$ENGINE start "$E"
wait_for "$T/synthetic.log" 'dockev connect' 2 10
d volume create after-restart
wait_for "$T/restart" after-restart 1
ok $? "an event after the restart arrives"
grep -q "disconnected from $DOCKER_HOST" "$T/restart.err"
ok $? "the agent logs the disconnect"
wait_for "$T/synthetic.log" 'dockev resync' 1 5
grep -o '^dockev [a-z]*' "$T/synthetic.log" >"$T/got"
printf 'dockev connect\ndockev disconnect\ndockev connect\ndockev resync\n' | cmp -s - "$T/got"; st=$?
ok $st "hooks see dockev connect, disconnect, connect, and resync (the restart took dockerd's history)"
[ $st -eq 0 ] || sed 's/^/# /' "$T/synthetic.log"
agent_stop
is "$agent_status" 0 "exit 0 after the restart"

# --state: stopped, events made meanwhile, started again: each once.
vol() { # vol NAME...: volumes made through the API (the CLI is slower)
	for v in "$@"; do
		curl -s --unix-socket "$E/docker.sock" -X POST -H 'Content-Type: application/json' \
			-d "{\"Name\":\"$v\"}" "http://d/v$api/volumes/create" >/dev/null
	done
}
S=$T/state
agent_start "$T/st1" -H "$DOCKER_HOST" --json --state "$S" -f type=volume
vol st-1 st-2
wait_for "$T/st1" st-2 1
agent_stop
is "$agent_status" 0 "--state: first run exits 0"
grep -q '^resume [0-9]* event$' "$S"; ok $? "--state: the file holds the last event's timeNano"
vol st-3 st-4
agent_start "$T/st2" -H "$DOCKER_HOST" --json --state "$S" -f type=volume
vol st-5
wait_for "$T/st2" st-5 1
summary "$T/st1" >"$T/got"; summary "$T/st2" >>"$T/got"
printf 'volume create st-1\nvolume create st-2\nvolume create st-3\nvolume create st-4\nvolume create st-5\n' >"$T/want"
diff "$T/want" "$T/got" >"$T/diff"
ok $? "--state: stopped and started again, each event once, in order"; sed 's/^/# /' "$T/diff"
grep -q resync "$T/st2.err"; is $? 1 "--state: no resync when dockerd still has the point"

# More than dockerd keeps (256 events) while the agent is down.
agent_stop
i=0; names=""; while [ $i -lt 300 ]; do i=$((i + 1)); names="$names many-$i"; done
# shellcheck disable=SC2086
vol $names
agent_start "$T/st3" -H "$DOCKER_HOST" --json --state "$S" -f type=volume
wait_for "$T/st3" '"many-300"' 1
grep -q 'resync: the first event after resuming .* events may have been lost' "$T/st3.err"
ok $? "--state: 300 events while down: a resync warning"
is "$(grep -c '"many-' "$T/st3")" 256 "--state: the 256 dockerd kept are delivered"
grep -q '"many-300"' "$T/st3"; ok $? "--state: up to the last one"

# dockerd restarted while the agent was down: its history is gone.
agent_stop
$ENGINE stop "$E"
$ENGINE start "$E"
mkdir -p "$T/hooks2/dockev.resync.d"
# shellcheck disable=SC2016 # the hook expands it
printf '#!/bin/sh\necho "$DOCKEV_ATTR_REASON" >>%s\n' "$T/resync.log" >"$T/hooks2/dockev.resync.d/10-log"
chmod 755 "$T/hooks2/dockev.resync.d/10-log"
agent_start "$T/st4" -H "$DOCKER_HOST" --json --state "$S" -f type=volume --hooks "$T/hooks2"
vol after-engine-restart
wait_for "$T/st4" after-engine-restart 1
ok $? "--state: after a dockerd restart, new events arrive"
wait_for "$T/resync.log" 'may have been lost' 1 5
ok $? "--state: a dockev resync reaches the hooks"
agent_stop

$ENGINE stop "$E"
ENGINE=
ip -o link | sed 's/^[0-9]*: //; s/[:@].*//' | sort | cmp -s - "$T/links.before"
ok $? "network interfaces as before"
sysctl -n net.ipv4.ip_forward 2>/dev/null | cmp -s - "$T/fwd.before"
ok $? "ip_forward as before"
pgrep -f "$E/" >/dev/null
is $? 1 "no process of this engine left"
done_testing
