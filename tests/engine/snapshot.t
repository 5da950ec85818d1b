#!/bin/sh
# snapshot.t - --snapshot (issue 15) against a real engine, dockerd
# (DOCKERD_VERSION) or Podman (PODMAN_VERSION set: tools/engine/matrix runs
# it in each row after the row's own test):
#   (a) 20 containers (10 running, 10 exited), 3 networks, 5 volumes: the
#       objects between snapshot-start and snapshot-end are exactly what
#       `docker ps -a`, `network ls` and `volume ls` list (the engine's
#       default networks too), then the live events;
#   (b) the agent stopped, containers started and removed, the engine
#       restarted, containers started, the agent started again with
#       --state, --snapshot and the example hook running-containers: its
#       directory ends equal to `docker ps -q` (full IDs). dockerd loses its
#       history in the restart (a resync, then the snapshot); Podman keeps
#       its events in a file under the engine's directory, so its history
#       survives: the events since the --state point are replayed, then the
#       snapshot;
#   (c) containers created in a tight loop while the agent starts: each in
#       the snapshot or in the events after it.
. tests/engine/lib.sh
E=$T/e
if [ -n "${PODMAN_VERSION:-}" ]; then
	ENGINE=tools/engine/podman
	export DOCKER_HOST="unix://$E/podman.sock"
	NAME="Podman $PODMAN_VERSION"
else
	ENGINE=tools/engine/dockerd
	DOCKERD_VERSION=${DOCKERD_VERSION:-20.10}
	export DOCKERD_VERSION
	export DOCKER_HOST="unix://$E/docker.sock"
	NAME="dockerd $DOCKERD_VERSION"
fi
# The host's network bridges (dockerd's networks make them).
bridges() { ip -o link | sed 's/^[0-9]*: //; s/[:@].*//' | grep '^br-' | sort; }
bridges >"$T/bridges.before"
t0=$(date +%s)
lap() { echo "# $1: $(($(date +%s) - t0)) s"; t0=$(date +%s); }
$ENGINE start "$E" || { echo "Bail out! $NAME did not start"; exit 1; }
[ -n "${PODMAN_VERSION:-}" ] || DOCKER=$($ENGINE cli)
echo "# $($ENGINE version)"
d() { $DOCKER "$@" >/dev/null 2>>"$T/docker.err"; }
$ENGINE image "$E" dockev-busybox
lap "engine started, image imported"

# (a) The objects, made in parallel (the CLI takes a while per call).
# --stop-timeout 1: busybox sleep as PID 1 ignores SIGTERM, and dockerd's
# shutdown would wait 10 s for each.
i=1
while [ $i -le 10 ]; do
	d run -d --stop-timeout 1 --name "s$i" --label dockev.test=snap dockev-busybox sleep 600 &
	d run -d --stop-timeout 1 --name "x$i" dockev-busybox sleep 600 &
	i=$((i + 1))
done
wait
d kill x1 x2 x3 x4 x5 x6 x7 x8 x9 x10
for k in 1 2 3; do d network create --label dockev.test=snap "snap-n$k"; done
for v in 1 2 3 4 5; do d volume create "snap-v$v"; done
lists() { # the engine's own lists, by the CLI
	$DOCKER ps -a --no-trunc --format '{{.ID}}' | sed 's/^/container /'
	$DOCKER network ls --no-trunc --format '{{.ID}}' | sed 's/^/network /'
	$DOCKER volume ls --format '{{.Name}}' | sed 's/^/volume /'
}
lists | sort >"$T/want"
lap "(a) objects made"
is "$(grep -c '^container ' "$T/want") $($DOCKER ps -q | grep -c .)" "20 10" \
   "$NAME: 20 containers made, 10 of them running"
agent_start "$T/a" -H "$DOCKER_HOST" --snapshot --json
ok $? "the agent connects to $NAME with --snapshot"
wait_for "$T/a" '"Action":"snapshot-end"' 1
ok $? "snapshot-end comes"
lists | sort >"$T/want2"
jq -r 'select(.dockev and .Action == "exists") | "\(.Type) \(.Actor.ID)"' "$T/a" | sort >"$T/got"
cmp -s "$T/want" "$T/want2"; ok $? "the lists did not change meanwhile"
diff "$T/want" "$T/got" >"$T/diff"
ok $? "exactly the engine's containers, networks and volumes ($(grep -c . "$T/got") objects)"
sed 's/^/# /' "$T/diff"
is "$(jq -r 'select(.Action == "snapshot-end") | .Actor.Attributes | "\(.containers) \(.networks) \(.volumes) \(.skipped)"' "$T/a")" \
   "20 $(grep -c '^network ' "$T/want") 5 0" "snapshot-end counts them"
is "$(jq -r 'select(.dockev and .Type == "container" and .Actor.Attributes.state == "running") | .Actor.ID' "$T/a" | sort)" \
   "$($DOCKER ps -q --no-trunc | sort)" "the running ones say state=running"
is "$(jq -r 'select(.dockev and .Type == "container" and .Actor.Attributes.name == "s1") | .Actor.Attributes["dockev.test"]' "$T/a")" \
   "snap" "a container's labels are attributes"
is "$(head -1 "$T/a" | jq -r '"\(.dockev) \(.Type) \(.Action)"')" "true dockev connect" "--json: connect first, marked"
d volume create snap-live
wait_for "$T/a" '"snap-live"' 1
ok $? "then a live event"
is "$(sed -n '/"Action":"snapshot-end"/,$p' "$T/a" | grep -c '"snap-live"')" 1 \
   "the live event after snapshot-end"
agent_stop
lap "(a) checked"

# (b) --state, --snapshot and the example hook across an engine restart.
H=$T/hooks
mkdir -p "$H/container.d" "$H/dockev.snapshot-end.d"
install -m 755 tools/examples/hooks/running-containers "$H/container.d/50-running"
install -m 755 tools/examples/hooks/running-containers "$H/dockev.snapshot-end.d/50-running"
export DOCKEV_RUNNING_DIR="$T/running"
S=$T/state
running_eq() { # the hook's directory equals docker ps -q (bounded wait)
	i=0
	$DOCKER ps -q --no-trunc | sort >"$T/ps"
	while ! ls "$T/running" 2>/dev/null | cmp -s - "$T/ps"; do
		i=$((i + 1)); [ $i -gt 200 ] && return 1; sleep 0.05
	done
}
running_diff() { # when running_eq failed: the hook's directory (got) against docker ps -q (want)
	ls "$T/running" | sed 's/^/# got  /'; sed 's/^/# want /' "$T/ps"
}
agent_start "$T/b1" -H "$DOCKER_HOST" --snapshot --state "$S" --hooks "$H"
wait_for "$T/b1" 'dockev snapshot-end' 1
running_eq; st=$?
ok $st "first run: the hook's directory is docker ps ($(grep -c . "$T/ps") running)"
[ $st -eq 0 ] || { running_diff
	cut -c1-160 "$T/b1" | sed 's/^/# b1: /'; cut -c1-200 "$T/b1.err" | sed 's/^/# b1.err: /'; }
agent_stop
d start x1 x2
d rm -f s1 s2
# The engine restarted: dockerd stops its containers (no live-restore);
# Podman's containers outlive its service (conmon holds them), so only
# the service is restarted (the tool's stop removes every container).
if [ -n "${PODMAN_VERSION:-}" ]; then
	pid=$(cat "$E/pid")
	kill -TERM "$pid"
	i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	want_running=11	# s3..s10, x1..x3
else
	$ENGINE stop "$E"
	want_running=3	# s3, s4, x3
fi
$ENGINE start "$E" || { echo "Bail out! $NAME did not start again"; exit 1; }
d start s3 s4 x3
d volume create after-restart
agent_start "$T/b2" -H "$DOCKER_HOST" --snapshot --state "$S" --hooks "$H"
wait_for "$T/b2" 'dockev snapshot-end' 1
ok $? "restarted with --state and --snapshot: a snapshot"
running_eq; st=$?
ok $st "the hook's directory ends equal to docker ps -q: nothing stale, nothing missing ($(grep -c . "$T/ps") running)"
[ $st -eq 0 ] && [ "$(grep -c . "$T/ps")" -eq $want_running ]
ok $? "($want_running of them: s1, s2 removed, x1..x3 started$([ $want_running -eq 3 ] && echo ', the rest stopped by the restart'))"
[ $st -eq 0 ] || running_diff
sed -n '1,/dockev snapshot-start/p' "$T/b2" | cut -c1-160 | sed 's/^/# b2: /'
grep -v 'connected to\|resuming at' "$T/b2.err" | cut -c1-200 | sed 's/^/# b2.err: /'
tail -3 "$T/docker.err" 2>/dev/null | sed 's/^/# docker: /'
if [ -n "${PODMAN_VERSION:-}" ]; then
	# Podman's events file outlives the service: the history reaches
	# back to the --state point.
	grep -q 'dockev resync' "$T/b2"; is $? 1 "Podman: no resync (its history survived the restart)"
	sed -n '1,/dockev snapshot-start/p' "$T/b2" | grep -q 'container remove\|container died\|container die'
	ok $? "Podman: what happened while the agent was away is replayed before the snapshot"
else
	sed -n '1,/dockev snapshot-start/p' "$T/b2" | grep -q 'dockev resync'
	ok $? "dockerd: its history went with the restart: a resync, then the snapshot"
fi
agent_stop
lap "(b) engine restart and the hook"

# (c) Containers made in a tight loop while the agent starts.
N=15
( i=1; while [ $i -le $N ]; do d create --name "t$i" dockev-busybox true; i=$((i + 1)); done ) &
loop=$!
sleep 0.3
agent_start "$T/c" -H "$DOCKER_HOST" --snapshot --json -f type=container
wait "$loop"
wait_for "$T/c" "\"name\":\"t$N\"" 1
wait_for "$T/c" '"Action":"snapshot-end"' 1
in_snap=$(sed -n '/"Action":"snapshot-start"/,/"Action":"snapshot-end"/p' "$T/c" |
	jq -r 'select(.Action == "exists") | .Actor.Attributes.name' | grep -c '^t[0-9]*$')
missing=
i=1
while [ $i -le $N ]; do
	sed -n '/"Action":"snapshot-start"/,$p' "$T/c" | grep -q "\"name\":\"t$i\"" || missing="$missing t$i"
	i=$((i + 1))
done
is "$missing" "" "every container of the loop is in the snapshot or the events after it ($in_snap in the snapshot)"
agent_stop
lap "(c) tight loop"

# The engine leaves a network's bridge on the host when it stops: the next
# row's engine would start among them.
d network rm snap-n1 snap-n2 snap-n3
$ENGINE stop "$E"
ENGINE=
lap "engine stopped"
bridges | cmp -s - "$T/bridges.before"
ok $? "no network bridge left on the host (the test's networks removed)"
done_testing
