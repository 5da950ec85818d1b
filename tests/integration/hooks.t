#!/bin/sh
# hooks.t - hook scripts (--hooks DIR, issue 3) against the fake engine:
# what a hook receives (argv, stdin, environment, byte for byte), which
# scripts run and in what order, hostile event data, per-actor order and
# parallelism, timeouts, a full queue that never stalls the reader, no
# zombie and no descriptor leak, SIGTERM, changes picked up while running,
# and the example hooks in tools/examples/hooks.
#
# Only the contract is tested: the CLI, what the scripts see, and log lines
# containing "timed out", "exited with status N", "hook queue full" and the
# SIGUSR1 counters "hooks run N, hook failures N, hooks skipped N". No fixed
# sleeps in the test itself: every wait is a bounded wait for a condition.
# Hook bodies are single-quoted on purpose: they expand when the hook runs.
# shellcheck disable=SC2016,SC2010,SC2012,SC2013,SC2317
. tests/integration/lib.sh

EX=$DATA/dockerd-event-examples.jsonl
EXH=tools/examples/hooks
SLOW=1				# bounds are multiplied under valgrind
[ -n "$WRAP" ] && SLOW=5
CAP=$T/cap			# where hooks write what they saw
HOOKTEST_OWN="the agent's own environment"
export CAP HOOKTEST_OWN
mkdir "$CAP"
# The agent's own DOCKEV_* variables would reach the hooks too: none here.
for v in $(env | sed -n 's/^\(DOCKEV_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
AG=

cleanup() {
	[ -n "$AG" ] && kill -KILL "$AG" 2>/dev/null
	# hooks a failing run may have left: their recorded pids
	for p in $(cat "$CAP"/pids.* 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	fake_stop
	rm -rf "$T"
}

# wait_for SECONDS COMMAND...: until COMMAND succeeds, at most SECONDS
# (times SLOW), or until the agent ($AG) is gone. COMMAND's last status.
wait_for() {
	_end=$(($(now_ms) + $1 * 1000 * SLOW)); shift
	until "$@"; do
		[ "$(now_ms)" -ge $_end ] && return 1
		[ -n "$AG" ] && gone "$AG" && { "$@"; return; }
		sleep 0.05
	done
}
lines() { if [ -f "$1" ]; then echo $(($(wc -l <"$1"))); else echo 0; fi; }
nfiles() { echo $(($(ls -A "$1" 2>/dev/null | wc -l))); }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# hook FILE BODY: a /bin/sh script, mode 700, in a directory of mode 755.
hook() {
	mkdir -p "${1%/*}" && chmod 755 "${1%/*}"
	printf '#!/bin/sh\n%s\n' "$2" >"$1"
	chmod 700 "$1"
}

# ev TYPE ACTION ID ATTRIBUTES-JSON TIMENANO: one engine event line.
ev() {
	printf '{"Type":"%s","Action":"%s","Actor":{"ID":"%s","Attributes":{%s}},"scope":"local","time":%s,"timeNano":%s}\n' \
		"$1" "$2" "$3" "$4" "${5%?????????}" "$5"
}

# The agent in the background on $SOCK, --json to $T/out, log to $T/err.
agent_start() {
	$WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 "$@" >"$T/out" 2>"$T/err" &
	AG=$!
}
# agent_stop: SIGTERM, wait for the exit; its status.
agent_stop() {
	kill -TERM "$AG" 2>/dev/null
	wait_for 20 gone "$AG" || kill -KILL "$AG" 2>/dev/null
	wait "$AG"; _st=$?
	AG=
	return $_st
}
# gone PID: no such process, or only a zombie (a hook's child reparented
# to a PID 1 that does not reap is not the agent's doing).
gone() {
	_s=$(sed 's/.*) \(.\).*/\1/' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$_s" ] || [ "$_s" = Z ]
}
all_gone() { for _p in "$@"; do gone "$_p" || return 1; done; }
# children PID: "pid state" of each child process of PID (from /proc).
children() {
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v p="$1" '{
		s = $0; sub(/.*\) /, "", s); split(s, f, " ")
		if (f[2] == p) { split($0, a, " "); print a[1], f[1] } }'
}
no_children() { [ -z "$(children "$1")" ]; }
zombies() { children "$1" | grep -c ' Z$'; }

# counters: SIGUSR1, then "RUN FAILURES SKIPPED" from the new counters line.
counters() {
	_c0=$(grep -c 'counters:' "$T/err")
	kill -USR1 "$AG"
	wait_for 10 sh -c "[ \$(grep -c 'counters:' '$T/err') -gt $_c0 ]"
	grep 'counters:' "$T/err" | tail -1 |
		sed -n 's/.*hooks run \([0-9]*\), hook failures \([0-9]*\), hooks skipped \([0-9]*\).*/\1 \2 \3/p'
}
# settled N: the counters show run + skipped == N.
settled() {
	# shellcheck disable=SC2046
	set -- "$1" $(counters)
	[ $# -eq 4 ] && [ $(($2 + $4)) -eq "$1" ]
}

# capdir TEXT: the capture (see CAPHOOK) whose stdin holds TEXT.
capdir() {
	_f=$(grep -l -F -- "$1" "$CAP"/cap.*/stdin 2>/dev/null | head -1)
	[ -n "$_f" ] && echo "${_f%/stdin}"
}
# envv DIR NAME: the value of NAME in a capture's environment, and "\n".
envv() { tr '\n\0' '\1\n' <"$1/env" 2>/dev/null | sed -n "s/^$2=//p" | tr '\1' '\n'; }
has_env() { tr '\n\0' '\1\n' <"$1/env" 2>/dev/null | grep -q "^$2="; }
# env_is DIR DESCRIPTION NAME=VALUE...: the DOCKEV_* variables, exactly.
env_is() {
	_d=$1 _desc=$2; shift 2
	printf '%s\n' "$@" | LC_ALL=C sort >"$T/env.want"
	tr '\n\0' '\1\n' <"$_d/env" 2>/dev/null | grep '^DOCKEV_' | LC_ALL=C sort >"$T/env.got"
	cmp -s "$T/env.want" "$T/env.got"; _st=$?
	ok $_st "$_desc"
	[ $_st -eq 0 ] && return
	diff "$T/env.want" "$T/env.got" | sed 's/^/#   /'
}
# argv_is DIR DESCRIPTION ARG...: the hook's $1.. exactly.
argv_is() {
	_d=$1 _desc=$2; shift 2
	printf '%s\0' "$@" | cmp -s - "$_d/argv" 2>/dev/null
	ok $? "$_desc"
}

# Records argv, stdin and environment of each run in $CAP/cap.XXXXXX.
CAPHOOK='d=$(mktemp -d "$CAP/cap.XXXXXX") || exit 1
env -0 >"$d/env"
printf "%s\0" "$@" >"$d/argv"
cat >"$d/stdin"
exit 0'
# mark NAME: a script that leaves $CAP/ran.NAME when it runs.
mark() { printf 'touch "$CAP/ran.%s"\nexit 0' "$1"; }
# order TAG: a script that logs "TIMENANO TAG start" and "... end".
order() {
	printf 'echo "$DOCKEV_TIME_NANO %s start" >>"$CAP/order"
[ "$DOCKEV_ACTION" = die ] && sleep 0.05
echo "$DOCKEV_TIME_NANO %s end" >>"$CAP/order"
exit 0' "$1" "$1"
}
# A hook that never ends, nor does its child: pids into $CAP/pids.ID.
HANG='[ "${DOCKEV_ATTR_IGNTERM:-}" = yes ] && trap "" TERM
sleep 1000 & a=$!
sleep 1000 & b=$!
echo "$$ $a $b" >"$CAP/pids.$DOCKEV_ID"
wait'

# ---- CLI ---------------------------------------------------------------
# shellcheck disable=SC2086
quick() { timeout 10 $WRAP "$DOCKEV" -H "unix://$T/none.sock" "$@" >/dev/null 2>&1; }
quick --hooks; is $? 2 "--hooks without a directory: usage error, exit 2"
quick --hooks "$T" --hook-jobs many; is $? 2 "--hook-jobs many: exit 2"
quick --hooks "$T" --hook-queue lots; is $? 2 "--hook-queue lots: exit 2"
quick --hooks "$T" --hook-timeout soon; is $? 2 "--hook-timeout soon: exit 2"
dockev --help >"$T/help" 2>&1
st=0
for o in --hooks --hook-timeout --hook-jobs --hook-queue; do
	grep -q -- "$o" "$T/help" || st=1
done
ok $st "--help documents --hooks, --hook-timeout, --hook-jobs, --hook-queue"

# ---- what a hook receives; which scripts run, in what order --------------
H=$T/hooks
mkdir "$H"; chmod 755 "$H"
for d in container.die.d container.health_status.d container.exec_create.d \
         container.create.d volume.mount.d volume.create.d dockev.connect.d; do
	hook "$H/$d/05-cap" "$CAPHOOK"
done
hook "$H/container.die.d/10-a" "$(order container.die.d/10-a)"
hook "$H/container.die.d/20-b" "$(order container.die.d/20-b)"
hook "$H/container.die.d/30_c" "$(order container.die.d/30_c)"
hook "$H/container.d/10-d" "$(order container.d/10-d)"
hook "$H/all.d/10-e" "$(order all.d/10-e)"
# The last script of every event: its stdin, one file per run.
hook "$H/all.d/99-zz" 'mkdir -p "$CAP/all"; cat >"$(mktemp "$CAP/all/XXXXXX")"; exit 0'
# Names that are not [A-Za-z0-9_-]+: never run.
for s in '10-a~' '10-a.dpkg-old' '.hidden' 'x.sh' 'has space'; do
	hook "$H/container.die.d/$s" "$(mark "$s")"
done
# Unsafe scripts: refused, each with a line naming it; the rest still run.
hook "$H/container.die.d/40-gw" "$(mark 40-gw)"; chmod 770 "$H/container.die.d/40-gw"
hook "$H/container.die.d/41-ow" "$(mark 41-ow)"; chmod 707 "$H/container.die.d/41-ow"
hook "$H/container.die.d/42-noexec" "$(mark 42-noexec)"; chmod 600 "$H/container.die.d/42-noexec"
hook "$T/linktarget" "$(mark 43-link)"
ln -s "$T/linktarget" "$H/container.die.d/43-link"
UNSAFE="40-gw 41-ow 42-noexec 43-link 10-dirw"
if [ "$(id -u)" -eq 0 ]; then
	hook "$H/container.die.d/44-chown" "$(mark 44-chown)"
	chown 65534 "$H/container.die.d/44-chown" && UNSAFE="$UNSAFE 44-chown"
fi
hook "$H/container.destroy.d/10-dirw" "$(mark 10-dirw)"; chmod 777 "$H/container.destroy.d"
hook "$H/container.die.d/45-fail" 'exit 7'
hook "$H/container.die.d/46-fds" 'exec ls -l /proc/self/fd/ >"$CAP/fds.$$"'
hook "$H/container.die.d/47-out" 'echo "HOOK-STDOUT-$DOCKEV_TIME_NANO"; echo "HOOK-STDERR-$DOCKEV_TIME_NANO" >&2; exit 0'

# Crafted events: a die with exit code 3 and labels, and hostile data.
CRASH=c0ffee0000000000000000000000000000000000000000000000000000000003
P=$T/pwned
HID="h0stile;\`touch ${P}1\`\$(touch ${P}2) *"
HNAME=$(printf '$(touch %s3); `touch %s4` "dq" '\''sq'\'' a=b\nline2\ttab & | > < * ~ #' "$P" "$P")
HNAME_JSON=$(printf '$(touch %s3); `touch %s4` \\"dq\\" '\''sq'\'' a=b\\nline2\\ttab & | > < * ~ #' "$P" "$P")
HCMD="; touch ${P}5 || touch ${P}6 && echo =x"
HUGE=$(head -c 10240 /dev/zero | tr '\0' A)
{
	cat "$EX"
	ev container die "$CRASH" '"EXITCODE":"0","a-b/c.d":"v","com.docker.compose.project":"proj","com_docker_compose_project":"evil","dockev.restart":"true","exitCode":"3","exitcode":"1","image":"img:1","name":"crash","UPPER.lower":"x"' 1795792700000000000
	ev container create "$HID" "\"image\":\"img\\\"q'1\",\"name\":\"$HNAME_JSON\",\"com.example.cmd\":\"$HCMD\",\"key=with=equals\":\"v=w\",\"esc\":\"back\\\\slash \\/ \\u00e9 \\ud83d\\ude00\",\"nulvalue\":\"before\\u0000after\",\"hugevalue\":\"$HUGE\"" 1795792701000000000
} >"$T/ev1"
NEV=$(lines "$T/ev1")
sh -c 'exec ls -l /proc/self/fd/' >"$T/fds.base" 2>&1	# what the test itself inherited

fake_start -e "$T/ev1"
agent_start --hooks "$H"
# Done when all.d, the last directory, has run for every engine event and
# for dockev's connect (the --json output holds only the engine's events).
r1_done() {
	[ "$(events "$T/out" | wc -l)" -ge "$NEV" ] && [ "$(nfiles "$CAP/all")" -gt "$NEV" ]
}
wait_for 30 r1_done; ok $? "every event's hooks ran: all.d saw the $NEV engine events and dockev connect"
c=$(counters)
echo "$c" | grep -q '^[0-9]* [0-9]* 0$'
ok $? "SIGUSR1: hooks run N, hook failures N, hooks skipped 0 ($c)"
agent_stop; is $? 0 "SIGTERM: exit 0"
events "$T/out" | cmp -s - "$T/ev1"; ok $? "--json output unchanged by hooks"
is "$(grep -c HOOK- "$T/out")" 0 "hook stdout and stderr never reach the --json stdout"
grep -q "^HOOK-STDOUT-1795792651409871856\$" "$T/err" && grep -q "^HOOK-STDERR-1795792651409871856\$" "$T/err"
ok $? "hook stdout and stderr go to the agent's stderr"

# all.d runs for every event, dockev's own included, each with its JSON on stdin.
cat "$CAP"/all/* | grep -v '"Type":"dockev"' | LC_ALL=C sort >"$T/all.got"
LC_ALL=C sort "$T/ev1" >"$T/all.want"
cmp -s "$T/all.got" "$T/all.want"; ok $? "all.d: stdin is each engine event's JSON and a newline, exactly as sent"
is "$(cat "$CAP"/all/* | grep -c '^{"dockev":true,"Type":"dockev","Action":"connect"')" 1 "all.d: and dockev connect's JSON (marked), once"

# Environment, argv, stdin of recorded events.
SOCKURL=unix://$SOCK
C1=839ac60a1a6bf439cc4fbce643363fd2c898ea19c8c3d63f260e665ca6bc087a
C2=cc892d629e7b23b36cb15761ce66e829521a743a2d980afd15be7ef956002ae8
C4=ac4cbf75d7c00a38c9cc5c7cf2a12b9db69edc400244ce608710f56c5bc72f54
d=$(capdir '"timeNano":1795792651409871856')
env_is "$d" "container die: every DOCKEV_ variable" DOCKEV_TYPE=container DOCKEV_ACTION=die \
	DOCKEV_ACTION_DETAIL= DOCKEV_ID=$C1 DOCKEV_NAME=c1b DOCKEV_IMAGE=tiny:1 DOCKEV_SCOPE=local \
	DOCKEV_TIME=1795792651 DOCKEV_TIME_NANO=1795792651409871856 DOCKEV_HOST="$SOCKURL" \
	DOCKEV_ATTR_EXITCODE=0 DOCKEV_ATTR_IMAGE=tiny:1 DOCKEV_ATTR_NAME=c1b
argv_is "$d" "container die: argv TYPE ACTION ACTOR_ID" container die $C1
grep -F '"timeNano":1795792651409871856' "$EX" | cmp -s - "$d/stdin" 2>/dev/null
ok $? "container die: stdin is the event's JSON text and a newline"
is "$(envv "$d" HOOKTEST_OWN)" "$HOOKTEST_OWN" "the agent's own environment is passed on"
has_env "$d" PATH; ok $? "PATH is passed on"

d=$(capdir '"timeNano":1795792678638299418')
env_is "$d" "health_status: unhealthy: ACTION=health_status, ACTION_DETAIL=unhealthy" \
	DOCKEV_TYPE=container DOCKEV_ACTION=health_status DOCKEV_ACTION_DETAIL=unhealthy \
	DOCKEV_ID=$C4 DOCKEV_NAME=c4 DOCKEV_IMAGE=tiny:1 DOCKEV_SCOPE=local DOCKEV_TIME=1795792678 \
	DOCKEV_TIME_NANO=1795792678638299418 DOCKEV_HOST="$SOCKURL" \
	DOCKEV_ATTR_IMAGE=tiny:1 DOCKEV_ATTR_NAME=c4
argv_is "$d" "health_status: argv has the base action" container health_status $C4

d=$(capdir '"timeNano":1795792659221363504')
env_is "$d" "exec_create: /hello : the detail keeps its trailing space" \
	DOCKEV_TYPE=container DOCKEV_ACTION=exec_create "DOCKEV_ACTION_DETAIL=/hello " \
	DOCKEV_ID=$C2 DOCKEV_NAME=c2 DOCKEV_IMAGE=tiny:1 DOCKEV_SCOPE=local DOCKEV_TIME=1795792659 \
	DOCKEV_TIME_NANO=1795792659221363504 DOCKEV_HOST="$SOCKURL" \
	DOCKEV_ATTR_EXECID=e2fe01b4da28d7b0deb3c7fa16598b2d464d9fee3973f5c12ab612c7b6f6d7dc \
	DOCKEV_ATTR_IMAGE=tiny:1 DOCKEV_ATTR_NAME=c2

d=$(capdir '"timeNano":1795792657926983127')
env_is "$d" "volume mount: read/write -> READ_WRITE, empty attribute kept, no name/image: empty" \
	DOCKEV_TYPE=volume DOCKEV_ACTION=mount DOCKEV_ACTION_DETAIL= DOCKEV_ID=vol2 \
	DOCKEV_NAME= DOCKEV_IMAGE= DOCKEV_SCOPE=local DOCKEV_TIME=1795792657 \
	DOCKEV_TIME_NANO=1795792657926983127 DOCKEV_HOST="$SOCKURL" \
	DOCKEV_ATTR_CONTAINER=$C2 DOCKEV_ATTR_DESTINATION=/data DOCKEV_ATTR_DRIVER=local \
	DOCKEV_ATTR_PROPAGATION= DOCKEV_ATTR_READ_WRITE=true
argv_is "$d" "volume mount: argv" volume mount vol2

d=$(capdir '"timeNano":1795792700000000000')
env_is "$d" "crafted die: exitCode 3 -> DOCKEV_ATTR_EXITCODE=3 once (not the labels EXITCODE, exitcode), dotted and odd keys mapped, the compose label once" \
	DOCKEV_TYPE=container DOCKEV_ACTION=die DOCKEV_ACTION_DETAIL= DOCKEV_ID=$CRASH \
	DOCKEV_NAME=crash DOCKEV_IMAGE=img:1 DOCKEV_SCOPE=local DOCKEV_TIME=1795792700 \
	DOCKEV_TIME_NANO=1795792700000000000 DOCKEV_HOST="$SOCKURL" \
	DOCKEV_ATTR_A_B_C_D=v DOCKEV_ATTR_COM_DOCKER_COMPOSE_PROJECT=proj \
	DOCKEV_ATTR_DOCKEV_RESTART=true DOCKEV_ATTR_EXITCODE=3 DOCKEV_ATTR_IMAGE=img:1 \
	DOCKEV_ATTR_NAME=crash DOCKEV_ATTR_UPPER_LOWER=x

d=$(capdir '"Type":"dockev","Action":"connect"')
is "$([ -n "$d" ] && echo "$(envv "$d" DOCKEV_TYPE) $(envv "$d" DOCKEV_ACTION)")" "dockev connect" \
	"dockev connect event: runs dockev.connect.d/ with DOCKEV_TYPE=dockev, DOCKEV_ACTION=connect"
[ "$(grep -c '' "$d/stdin" 2>/dev/null)" = 1 ] && grep -q '^{"dockev":true,"Type":"dockev","Action":"connect",.*}$' "$d/stdin"
ok $? "dockev connect event: stdin is its JSON and a newline"

# Hostile data arrives byte for byte, and runs nothing.
d=$(capdir '"timeNano":1795792701000000000')
printf '%s\0' container create "$HID" | cmp -s - "$d/argv" 2>/dev/null
ok $? "hostile actor ID (\$(), backticks, ;, *) is argv 3 verbatim"
grep -F '"timeNano":1795792701000000000' "$T/ev1" | cmp -s - "$d/stdin" 2>/dev/null
ok $? "hostile event: stdin verbatim (\\u0000 and 10 KiB value included)"
for v in DOCKEV_NAME DOCKEV_ATTR_NAME; do
	printf '%s\n' "$HNAME" >"$T/want"; envv "$d" $v >"$T/got"
	cmp -s "$T/want" "$T/got"; ok $? "$v: \$(), backticks, quotes, ;, =, newline, tab verbatim"
done
is "$(envv "$d" DOCKEV_ATTR_COM_EXAMPLE_CMD)" "$HCMD" "com.example.cmd -> DOCKEV_ATTR_COM_EXAMPLE_CMD, verbatim"
is "$(envv "$d" DOCKEV_ATTR_KEY_WITH_EQUALS)" "v=w" "'=' in key and value: DOCKEV_ATTR_KEY_WITH_EQUALS=v=w"
is "$(envv "$d" DOCKEV_IMAGE)" "img\"q'1" "quotes in DOCKEV_IMAGE, unescaped"
is "$(envv "$d" DOCKEV_ATTR_ESC)" "$(printf 'back\\slash / \303\251 \360\237\230\200')" \
	"JSON escapes decoded: \\\\, \\/, \\u00e9, surrogate pair"
has_env "$d" DOCKEV_ATTR_NULVALUE; is $? 1 "a value holding NUL: variable left out"
grep -i nulvalue "$T/err" | grep -q .; ok $? "... and the log says so"
hv=$(envv "$d" DOCKEV_ATTR_HUGEVALUE)
[ ${#hv} -ge 4000 ] && [ ${#hv} -le 4096 ] && [ -z "$(printf '%s' "$hv" | tr -d A)" ]
ok $? "a 10 KiB value is cut to the 4096-byte bound (${#hv} bytes kept)"
grep -i hugevalue "$T/err" | grep -q .; ok $? "... and the log says so"
is "$(ls "$T" | grep -c pwned)" 0 "hostile data ran nothing (no pwned file)"

# Order: DIR/T.A.d, DIR/T.d, DIR/all.d, each by name, one after another.
grep '^1795792651409871856 ' "$CAP/order" | cut -d' ' -f2- | tr '\n' ',' >"$T/got"
is "$(cat "$T/got")" "container.die.d/10-a start,container.die.d/10-a end,container.die.d/20-b start,container.die.d/20-b end,container.die.d/30_c start,container.die.d/30_c end,container.d/10-d start,container.d/10-d end,all.d/10-e start,all.d/10-e end," \
	"T.A.d, then T.d, then all.d; by name; one after another"
is "$(grep -c ' container.d/10-d start' "$CAP/order")" "$(grep -c '"Type":"container"' "$T/ev1")" \
	"container.d runs for every container event"
is "$(grep -c ' all.d/10-e start' "$CAP/order")" $((NEV + 2)) "all.d runs for every event, dockev connect's and (on the clean stop) disconnect's too"
is "$(ls "$CAP" | grep -c '^ran\.\(10-a~\|10-a\.dpkg-old\|\.hidden\|x\.sh\|has space\)$')" 0 \
	"backup and odd names (x~, x.dpkg-old, .hidden, x.sh, 'has space') never run"

# Unsafe scripts are refused with a line naming each; the rest still ran.
for s in $UNSAFE; do
	[ ! -e "$CAP/ran.$s" ] && grep -q -- "$s" "$T/err"
	ok $? "refused and named in the log: $s"
done
grep -q '^1795792653352536420 container.d/10-d end' "$CAP/order"
ok $? "a refused directory (container.destroy.d) does not stop container.d/ for that event"
is "$(grep 'exited with status 7' "$T/err" | grep -c 45-fail)" 2 \
	"a non-zero exit: logged with the script and 'exited with status 7', once per die event"

# Descriptors: nothing of the agent's reaches a hook.
fdlist() { sed -n 's/.* \([0-9][0-9]*\) -> \(.*\)$/\1 \2/p' "$1" | grep -v '^[012] ' | grep -v ' /proc/[0-9]*/fd$'; }
fdlist "$T/fds.base" >"$T/fds.inherited"
leaks=
for f in "$CAP"/fds.*; do
	[ -e "$f" ] || { leaks="no fds file"; break; }
	l=$(fdlist "$f" | grep -v -x -F -f "$T/fds.inherited")
	[ -n "$l" ] && leaks="$leaks $l"
done
is "$leaks" "" "hooks inherit no descriptor of the agent (only 0, 1, 2)"

# ---- per-actor order; --hook-jobs bounds the parallelism ------------------
# work: sleeps DOCKEV_ATTR_DELAY, logs "ID SEQ START_NS END_NS".
WORK='s=$(date +%s%N); sleep "$DOCKEV_ATTR_DELAY"; e=$(date +%s%N)
echo "$DOCKEV_ID $DOCKEV_ATTR_SEQ $s $e" >>"$CAP/work"; exit 0'
# maxpar: the most hooks running at once, from $CAP/work.
maxpar() {
	awk '{ print $3, 1; print $4, -1 }' "$CAP/work" | sort -n -k1,1 -k2,2n |
		awk '{ n += $2; if (n > m) m = n } END { print m + 0 }'
}
H2=$T/h2
hook "$H2/container.d/10-work" "$WORK"
rm -f "$CAP/work"
{	# s1 and s2: four events each, later ones quicker: parallel runs of one
	# actor would finish in reverse. p3, p4: one each, to exceed 2 actors.
	t=1795792800000000000
	for i in 1 2 3 4; do
		for a in s1 s2; do
			t=$((t + 1000000))
			ev container update $a "\"delay\":\"0.$((4 - i))\",\"seq\":\"$i\",\"name\":\"$a\"" $t
		done
	done
	ev container update p3 '"delay":"0.5","seq":"1"' $((t + 1000000))
	ev container update p4 '"delay":"0.5","seq":"1"' $((t + 2000000))
} >"$T/ev2"
fake_start -e "$T/ev2"
agent_start --hooks "$H2" --hook-jobs 2
wait_for 30 sh -c "[ \$(cat '$CAP/work' 2>/dev/null | wc -l) -ge 10 ]"; ok $? "all 10 hooks ran"
agent_stop; is $? 0 "exit 0"
is "$(grep '^s1 ' "$CAP/work" | cut -d' ' -f2 | tr '\n' ' ')" "1 2 3 4 " "one actor's hooks run in event order (s1)"
is "$(grep '^s2 ' "$CAP/work" | cut -d' ' -f2 | tr '\n' ' ')" "1 2 3 4 " "one actor's hooks run in event order (s2)"
m=$(maxpar); [ "$m" -le 2 ]; ok $? "--hook-jobs 2: at most 2 hooks at once ($m)"

rm -f "$CAP/work"
{
	# 3 s each, so that they overlap even when starting them is slow
	# (valgrind on a loaded machine): the overlap is what is checked.
	for a in q1 q2 q3 q4; do ev container start $a '"delay":"3","seq":"1"' $((1795792900000000000 + ${a#q})); done
} >"$T/ev3"
fake_start -e "$T/ev3"
agent_start --hooks "$H2" --hook-jobs 4
wait_for 30 sh -c "[ \$(cat '$CAP/work' 2>/dev/null | wc -l) -ge 4 ]"; ok $? "four actors' hooks ran"
agent_stop; is $? 0 "exit 0"
m=$(maxpar); is "$m" 4 "--hook-jobs 4: four actors' hooks all ran at once"

# ---- --hook-timeout: the whole process group, TERM then KILL --------------
H4=$T/h4
hook "$H4/container.start.d/10-hang" "$HANG"
hook "$H4/container.stop.d/10-quick" "$(mark quick)"
{
	ev container start tmo1 '"name":"plain"' 1795793000000000000
	ev container start tmo2 '"name":"ignores-term","igNTerm":"yes"' 1795793000000000001
	ev container stop other '"name":"other"' 1795793000000000002
} >"$T/ev4"
fake_start -e "$T/ev4"
agent_start --hooks "$H4" --hook-timeout 1s
wait_for 20 sh -c "[ -s '$CAP/pids.tmo1' ] && [ -s '$CAP/pids.tmo2' ]"; ok $? "both hanging hooks started"
wait_for 10 test -e "$CAP/ran.quick"; ok $? "another actor's hook runs meanwhile"
# shellcheck disable=SC2046
wait_for 15 all_gone $(cat "$CAP/pids.tmo1" "$CAP/pids.tmo2" 2>/dev/null)
ok $? "at --hook-timeout 1s the hooks and their children are killed (TERM, then KILL for one ignoring TERM)"
[ "$(grep -c 'timed out' "$T/err")" -ge 2 ]; ok $? "each timeout logged ('timed out')"
wait_for 5 no_children "$AG"; ok $? "no child of the agent left, no zombie ($(zombies "$AG") defunct)"
kill -0 "$AG"; ok $? "the agent goes on"
agent_stop; is $? 0 "exit 0"

# ---- SIGTERM with hooks running -----------------------------------------
H5=$T/h5
hook "$H5/container.start.d/10-slow" 'touch "$CAP/started.$DOCKEV_ID"; sleep 1; touch "$CAP/done.$DOCKEV_ID"; exit 0'
ev container start fin '"name":"fin"' 1795793100000000000 >"$T/ev5"
fake_start -e "$T/ev5"
agent_start --hooks "$H5"
wait_for 20 test -e "$CAP/started.fin"; ok $? "a 1 s hook started"
t0=$(now_ms)
agent_stop; is $? 0 "SIGTERM while a hook runs: exit 0"
ms=$(($(now_ms) - t0))
[ -e "$CAP/done.fin" ]; ok $? "... after the hook finished (its marker exists)"
# Not a speed test: had the agent waited for the hook's 30 s timeout, it
# could not be gone in under 25 s, however loaded the machine.
[ $ms -lt 25000 ]; ok $? "... without waiting for the 30 s timeout (${ms} ms)"

hook "$H5/container.start.d/10-slow" "$HANG"
ev container start tmo3 '"name":"hang"' 1795793200000000000 >"$T/ev6"
fake_start -e "$T/ev6"
agent_start --hooks "$H5" --hook-timeout 1s
wait_for 20 test -s "$CAP/pids.tmo3"; ok $? "a hook that never ends started"
agent_stop; is $? 0 "SIGTERM with a hook that outlives --hook-timeout: exit 0"
# shellcheck disable=SC2046
wait_for 5 all_gone $(cat "$CAP/pids.tmo3"); ok $? "... and neither the hook nor its child remains"

# Issue 14, defect 16: on SIGTERM the agent's own dockev disconnect was
# queued and then dropped with the engine's queued events: a disconnect
# hook never ran on a clean stop.
H16=$T/h16
hook "$H16/dockev.disconnect.d/10-bye" 'echo "$DOCKEV_ATTR_REASON" >"$CAP/bye"; exit 0'
hook "$H16/container.start.d/10-slow" 'touch "$CAP/slow16.$DOCKEV_ID"; sleep 2; exit 0'
ev container start q1 '"name":"q1"' 1795793250000000000 >"$T/ev16"
ev container start q1 '"name":"q1"' 1795793250000000001 >>"$T/ev16"
fake_start -e "$T/ev16"
agent_start --hooks "$H16"
wait_for 20 test -e "$CAP/slow16.q1"; ok $? "a slow hook runs, another of the same actor waits"
agent_stop; is $? 0 "SIGTERM: exit 0"
[ "$(cat "$CAP/bye" 2>/dev/null)" = stopping ]; ok $? "the dockev disconnect hook ran on the clean stop (reason: stopping)"
grep -q 'the hooks of 1 queued events will not run' "$T/err"; ok $? "... while the engine's queued event was dropped"

# ---- a group whose leader dies on SIGTERM while a child ignores it ----------
# The leader (sh) dies of the timeout's SIGTERM; its child ignores TERM and
# must still get the KILL after the grace, also when the agent is stopping.
IGNCHILD='( trap "" TERM; exec sleep 1000 ) &
echo "$!" >"$CAP/ign.tmp.$DOCKEV_ID"; mv "$CAP/ign.tmp.$DOCKEV_ID" "$CAP/ign.$DOCKEV_ID"
wait'
H6=$T/h6
hook "$H6/container.start.d/10-ign" "$IGNCHILD"
hook "$H6/container.stop.d/10-after" 'echo "$DOCKEV_ID" >>"$CAP/after6"; exit 0'
{
	ev container start ign1 '"name":"ign1"' 1795793250000000000
	ev container stop ign1 '"name":"ign1"' 1795793250000000001
} >"$T/ev6b"
fake_start -e "$T/ev6b"
agent_start --hooks "$H6" --hook-timeout 1s
wait_for 20 test -s "$CAP/ign.ign1"; ok $? "a hook whose child ignores SIGTERM started"
c6=$(cat "$CAP/ign.ign1" 2>/dev/null)
wait_for 15 gone "$c6"; ok $? "at its timeout the child that ignored SIGTERM is killed too (after the grace)"
wait_for 10 test -s "$CAP/after6"; ok $? "the actor's next event's hook runs after that"
is "$(grep -c 'container.start.d/10-ign for container start ign1 timed out' "$T/err")" 1 "logged once as timed out"
agent_stop; is $? 0 "exit 0"
kill -KILL "$c6" 2>/dev/null

# The same while the agent stops: it exits only once the group was killed.
ev container start ign2 '"name":"ign2"' 1795793260000000000 >"$T/ev6c"
fake_start -e "$T/ev6c"
agent_start --hooks "$H6" --hook-timeout 1s
wait_for 20 test -s "$CAP/ign.ign2"; ok $? "started again"
c6=$(cat "$CAP/ign.ign2" 2>/dev/null)
agent_stop; is $? 0 "one SIGTERM while it runs: exit 0"
wait_for 5 gone "$c6"; ok $? "... and the child that ignored SIGTERM did not outlive the agent"
kill -KILL "$c6" 2>/dev/null

# A second SIGTERM kills the running hooks: logged as killed at stop.
hook "$H6/container.start.d/10-ign" "$HANG"
{	# the stop waits behind the start (one actor): dropped at the stop, logged
	ev container start ign3 '"name":"ign3"' 1795793270000000000
	ev container stop ign3 '"name":"ign3"' 1795793270000000001
} >"$T/ev6d"
fake_start -e "$T/ev6d"
agent_start --hooks "$H6"
wait_for 20 test -s "$CAP/pids.ign3"; ok $? "a hook that never ends started (30 s timeout)"
# Two SIGTERMs sent at once may arrive as one: the second only once the
# first was taken (it dropped the queued event and said so).
kill -TERM "$AG"
wait_for 20 grep -q 'stopping: the hooks of 1 queued events will not run' "$T/err"
ok $? "the first SIGTERM taken"
kill -TERM "$AG"
wait_for 20 gone "$AG"; wait "$AG"; is $? 0 "a second SIGTERM: exit 0"
AG=
# shellcheck disable=SC2046
wait_for 5 all_gone $(cat "$CAP/pids.ign3"); ok $? "... with the hook and its children killed"
grep -q 'container.start.d/10-ign for container start ign3 killed at stop' "$T/err"; ok $? "logged as killed at stop"
! grep -q 'timed out' "$T/err"; ok $? "... not as timed out"

# ---- changes in DIR take effect without a restart --------------------------
H7=$T/h7
hook "$H7/container.d/10-old" 'echo "old $DOCKEV_ID" >>"$CAP/picked"; exit 0'
hook "$H7/dockev.disconnect.d/10-reason" 'printf "%s\n" "${DOCKEV_ATTR_REASON:-}" >>"$CAP/reason"; exit 0'
ev container start n1 '"name":"n1"' 1795793300000000000 >"$T/ev7"
# Directories changed in the last seconds are read again at every lookup
# (a change in the same timestamp tick would not move the mtime). Dated
# back, the agent keeps their listings and must see each change by the
# mtime moving: each change below is dated back too, to a different time.
ago_() { _s=$1; shift; touch -d "@$(($(date +%s) - _s))" "$@"; }
ago_ 300 "$H7" "$H7/container.d" "$H7/dockev.disconnect.d"
fake_start -e "$T/ev7"
agent_start --hooks "$H7" --backoff 10ms:20ms
wait_for 20 grep -q 'old n1' "$CAP/picked" 2>/dev/null
# n1's scripts are looked up one after the other: add the new ones only once
# its last has ended and been reaped, or 20-new would be n1's next.
wait_for 20 no_children "$AG"
hook "$H7/container.d/20-new" 'echo "new $DOCKEV_ID" >>"$CAP/picked"; exit 0'
hook "$H7/container.stop.d/10-new" 'echo "newdir $DOCKEV_ID" >>"$CAP/picked"; exit 0'
ago_ 200 "$H7" "$H7/container.d" "$H7/container.stop.d"
ev container stop n2 '"name":"n2"' 1795793301000000000 >>"$T/ev7"
fake_start -e "$T/ev7"		# a new stream: the agent reconnects, gets n2
wait_for 20 sh -c "[ \$(cat '$CAP/picked' 2>/dev/null | wc -l) -ge 4 ]"
is "$(tr '\n' ',' <"$CAP/picked")" "old n1,newdir n2,old n2,new n2," \
	"a script and a directory added while running are used for the next event"
[ -s "$CAP/reason" ] && ! grep -qx '' "$CAP/reason"
ok $? "dockev disconnect runs dockev.disconnect.d/ with DOCKEV_ATTR_REASON"
wait_for 20 no_children "$AG"
rm "$H7/container.d/10-old"
ago_ 100 "$H7/container.d"
ev container stop n3 '"name":"n3"' 1795793302000000000 >>"$T/ev7"
fake_start -e "$T/ev7"
wait_for 20 grep -q 'new n3' "$CAP/picked"
is "$(grep n3 "$CAP/picked" | tr '\n' ',')" "newdir n3,new n3," \
	"a script removed while running is not looked for at the next event"
# Only a hook lookup's refusal counts: a reconnect while fake_start
# restarts the engine logs "Connection refused" too.
! grep -q 'hook .* refused' "$T/err"; ok $? "... and no lookup of it was refused (no stale listing)"
# A change that does not move the mtime (the same tick; here a directory
# dated in the future, as after the clock was set back): not kept, so the
# next event reads the directory again.
ago_ -3600 "$H7/container.d"
touch -r "$H7/container.d" "$T/ref7"
ev container stop n4 '"name":"n4"' 1795793303000000000 >>"$T/ev7"
fake_start -e "$T/ev7"
wait_for 20 grep -q 'new n4' "$CAP/picked"
wait_for 20 no_children "$AG"
hook "$H7/container.d/30-same" 'echo "same $DOCKEV_ID" >>"$CAP/picked"; exit 0'
touch -r "$T/ref7" "$H7/container.d"
ev container stop n5 '"name":"n5"' 1795793304000000000 >>"$T/ev7"
fake_start -e "$T/ev7"
wait_for 20 grep -q 'same n5' "$CAP/picked"
is "$(grep n5 "$CAP/picked" | tr '\n' ',')" "newdir n5,new n5,same n5," \
	"a script added without the mtime moving (future mtime) is seen at the next event"
agent_stop; is $? 0 "exit 0"

# ---- 10,000 events, trivial hook: no zombie, no descriptor leak -----------
H8=$T/h8
# Trivial, and counts dockev's own events (not in the --json output).
hook "$H8/all.d/10-true" '[ "$DOCKEV_TYPE" = dockev ] && echo >>"$CAP/synth8"; exit 0'
ev container start z1 '"name":"z1"' 1795790000000000000 >"$T/ev8"
fake_start -e "$T/ev8"
agent_start --hooks "$H8" --hook-jobs 4 --backoff 10ms:20ms
# idle: every event's hook ran or was skipped, no hook running.
idle() { settled $(($(events "$T/out" | wc -l) + $(lines "$CAP/synth8"))) && no_children "$AG"; }
first() { [ "$(lines "$T/out")" -ge 1 ] && [ "$(lines "$CAP/synth8")" -ge 1 ] && idle; }
wait_for 20 first; ok $? "first event's hooks done, agent idle"
fd0=$(ls "/proc/$AG/fd" | wc -l)
fake_start -g 10000 --t0 1795790001000000000 --interval 1
wait_for 120 sh -c "[ \$(grep -vc '\"Type\":\"dockev\"' '$T/out') -ge 10001 ]"
ok $? "10,000 more events received"
wait_for 60 idle; ok $? "hooks settled (run + skipped == events), no child left"
c=$(counters)
[ "${c%% *}" -gt 0 ]; ok $? "hooks ran (run failures skipped: $c)"
is "$(zombies "$AG")" 0 "no <defunct> child of the agent"
is "$(ls "/proc/$AG/fd" | wc -l)" "$fd0" "idle on the open stream: as many descriptors as before ($fd0)"
agent_stop; is $? 0 "exit 0"

# ---- a slow hook never stalls the reader: the queue fills, hooks are skipped
H9=$T/h9
hook "$H9/all.d/10-slow" 'sleep 0.1; exit 0'
# 100,000 events; under valgrind, which runs the agent some 30 times
# slower, 5,000 make the same point (the queue of 64 fills) in CI's time.
N9=100000
[ -n "$WRAP" ] && N9=5000
fake_start -g $N9 --t0 1795790000000000000
# --json to a file (190 MB), counted when the agent is gone: a reader in
# the background could outlive a failing run and hold the runner's pipe.
t0=$(now_ms)
$WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 --hooks "$H9" >"$T/json9" 2>"$T/err" &
AG=$!
# received: the agent's own "events N" counter (SIGUSR1) reached N.
received() {
	_c0=$(grep -c 'counters:' "$T/err")
	kill -USR1 "$AG"
	_j=0
	while [ "$(grep -c 'counters:' "$T/err")" -le "$_c0" ] && [ $_j -lt 100 ]; do
		sleep 0.05; _j=$((_j + 1))
	done
	[ "$(grep 'counters:' "$T/err" | tail -1 | sed -n 's/.*counters: events \([0-9]*\).*/\1/p')" = "$1" ]
}
# Signals only once it streams (before its handlers are in, SIGUSR1 kills).
wait_for 20 grep -q '/events' "$T/requests" 2>/dev/null
# The bound only guards against a hang; what shows that the reader did not
# wait is how few hooks had run when the last event was in (0.1 s each, 4
# at a time: a reader paced by its hooks would see them run for most events).
wait_for 240 received $N9
ok $? "$N9 events with a slow hook: all received"
c=$(counters)
[ "${c%% *}" -lt $((N9 / 4)) ]; ok $? "... before their hooks: ${c%% *} of $N9 had run ($(($(now_ms) - t0)) ms)"
# Hooks: one script in all.d, so one per event: N9 and the connect.
wait_for 30 settled $((N9 + 1)); ok $? "the queue drains: hooks run + skipped == events ($N9 and dockev connect)"
c=$(counters)
[ "${c##* }" -gt 0 ]; ok $? "hooks skipped > 0 (run failures skipped: $c)"
grep -q 'hook queue full' "$T/err"; ok $? "a skipped event is logged ('hook queue full')"
agent_stop; is $? 0 "exit 0"
is "$(grep -vc '"Type":"dockev"' "$T/json9")" $N9 "--json printed all $N9 engine events"
rm -f "$T/json9"

# ---- the example hooks (tools/examples/hooks) -----------------------------
mkdir "$T/bin"
printf '#!/bin/sh\necho "DOCKER_HOST=${DOCKER_HOST:-} $*" >>"%s/docker.log"\n' "$T" >"$T/bin/docker"
printf '#!/bin/sh\nprintf "%%s\\n" "$@" >"%s/curl.args"\ncat >"%s/curl.body"\n' "$T" "$T" >"$T/bin/curl"
# One write per line: hooks of different containers log at the same time.
printf '#!/bin/sh\nl=$(printf "%%s|" "$@")\nprintf "%%s\\n" "$l" >>"%s/logger.log"\n' "$T" >"$T/bin/logger"
chmod 755 "$T/bin/docker" "$T/bin/curl" "$T/bin/logger"
for f in "$EXH"/*; do
	case $f in *.md) continue ;; esac
	sh -n "$f"; ok $? "sh -n $f"
done

A=aaaa000000000000000000000000000000000000000000000000000000000001
restart() { # restart ID EXITCODE [LABEL]
	env PATH="$T/bin:$PATH" DOCKEV_STATE_DIR="$T/state" DOCKEV_HOST=unix:///run/e.sock \
		DOCKEV_TYPE=container DOCKEV_ACTION=die DOCKEV_ID="$1" DOCKEV_NAME=web \
		DOCKEV_ATTR_EXITCODE="$2" ${3:+DOCKEV_ATTR_DOCKEV_RESTART=$3} \
		sh "$EXH/restart-on-die" container die "$1" </dev/null 2>>"$T/ex.err"
}
restart $A 3 true
is "$(cat "$T/docker.log" 2>/dev/null)" "DOCKER_HOST=unix:///run/e.sock start $A" \
	"restart-on-die: exit code 3 and dockev.restart=true: docker start ID, on DOCKEV_HOST"
rm -f "$T/docker.log"
restart bbbb01 3; restart cccc02 0 true; restart dddd03 137 false
[ ! -e "$T/docker.log" ]; ok $? "restart-on-die: no restart without the label, with exit code 0, or label false"
restart $A 1 true; restart $A 2 true; restart $A 3 true
is "$(lines "$T/docker.log")" 2 "restart-on-die: restarts 2 and 3 within 10 minutes"
grep -q 'not again' "$T/ex.err"; ok $? "restart-on-die: the 4th is refused and logged"
rm -f "$T/docker.log"
restart "../../escape" 3 true; restart "$(printf 'ab\ncd')" 3 true
[ ! -e "$T/docker.log" ] && [ ! -e "$T/escape" ]
ok $? "restart-on-die: an ID that is not hex is never used (no restart, no file)"

notify() { # notify DETAIL NAME [URL]
	rm -f "$T/curl.body" "$T/curl.args"
	env PATH="$T/bin:$PATH" DOCKEV_TYPE=container DOCKEV_ACTION=health_status \
		DOCKEV_ACTION_DETAIL="$1" DOCKEV_ID=$C4 DOCKEV_NAME="$2" DOCKEV_IMAGE=tiny:1 \
		DOCKEV_TIME=1795792678 ${3:+DOCKEV_NOTIFY_URL=$3} \
		sh "$EXH/notify-unhealthy" container health_status $C4 </dev/null 2>"$T/ex.err"
}
NNAME=$(printf 'we"b \\ '\''q'\'' $(touch %s7)\n\tx\001y' "$P")
# json_has FILE KEY VALUE: FILE is valid JSON whose KEY is VALUE.
json_has() {
	if command -v python3 >/dev/null 2>&1; then
		V=$3 python3 -c 'import json, os, sys; sys.exit(json.load(open(sys.argv[1]))[sys.argv[2]] != os.environ["V"])' "$1" "$2"
	else
		grep -q -F "\"$2\":\"$(printf '%s' "$3" | sed 's/\\/\\\\/g; s/"/\\"/g; s/	/\\t/g; s/\x01/\\u0001/g' | sed ':a;N;$!ba;s/\n/\\n/g')\"" "$1"
	fi
}
notify unhealthy "$NNAME" http://notify.invalid/hook
json_has "$T/curl.body" container "$NNAME"
ok $? "notify-unhealthy: valid JSON, the name with quotes, backslash, newline, control char intact"
grep -qx 'http://notify.invalid/hook' "$T/curl.args"; ok $? "notify-unhealthy: posted to DOCKEV_NOTIFY_URL"
notify healthy web http://notify.invalid/hook
[ ! -e "$T/curl.body" ]; ok $? "notify-unhealthy: nothing for healthy"
notify unhealthy web
[ ! -e "$T/curl.body" ] && grep -q 'container web (ac4cbf75d7c0) is unhealthy' "$T/ex.err"
ok $? "notify-unhealthy: without a URL, one log line"

rm -f "$T/logger.log"
env PATH="$T/bin:$PATH" DOCKEV_TYPE=container DOCKEV_ACTION=die DOCKEV_NAME="$(printf 'we\nb')" \
	sh "$EXH/log-to-syslog" container die x </dev/null
is "$(cat "$T/logger.log")" "-t|dockev|--|container die web|" "log-to-syslog: one message, tag dockev, no newline"

# Installed as documented, through the agent.
H10=$T/h10
mkdir -p "$H10/all.d" "$H10/container.die.d" "$H10/container.health_status.d"
chmod 755 "$H10" "$H10"/*.d
install -m 700 "$EXH/log-to-syslog" "$H10/all.d/10-log-to-syslog"
# (its state dir set here too: whatever the agent passes, never /run in a test)
hook "$H10/container.die.d/50-restart-on-die" "DOCKEV_STATE_DIR='$T/state10' exec sh '$PWD/$EXH/restart-on-die' \"\$@\""
hook "$H10/all.d/20-own" 'printf "%s\n" "${DOCKEV_NOTIFY_URL:-unset}" >>"$CAP/own10"; exit 0'
install -m 700 "$EXH/notify-unhealthy" "$H10/container.health_status.d/50-notify-unhealthy"
rm -f "$T/docker.log" "$T/curl.body" "$T/logger.log"
{
	ev container die $A '"dockev.restart":"true","exitCode":"3","name":"web"' 1795793400000000000
	ev container die bbbb000000000000000000000000000000000000000000000000000000000002 '"exitCode":"3","name":"nolabel"' 1795793400000000001
	ev container "health_status: unhealthy" $C4 '"image":"tiny:1","name":"we\"b \\ q\n2"' 1795793400000000002
} >"$T/ev10"
fake_start -e "$T/ev10"
OLDPATH=$PATH
export PATH="$T/bin:$PATH" DOCKEV_STATE_DIR="$T/state10" DOCKEV_NOTIFY_URL=http://notify.invalid/x
agent_start --hooks "$H10"
export PATH="$OLDPATH"; unset DOCKEV_STATE_DIR DOCKEV_NOTIFY_URL
# all.d runs last: once it logged the 3 events and connect, and 20-own (after
# 10-log-to-syslog) added its line for each (appended: a file rewritten per
# event was read empty between its truncation and its write), all hooks ran.
wait_for 20 sh -c "[ \$(cat '$T/logger.log' 2>/dev/null | wc -l) -ge 4 ] && [ -s '$T/docker.log' ] && [ \$(cat '$CAP/own10' 2>/dev/null | wc -l) -ge 4 ]"
ok $? "examples installed in DIR: all ran"
is "$(sort -u "$CAP/own10" 2>/dev/null)" http://notify.invalid/x \
	"the agent's own environment reaches hooks, DOCKEV_NOTIFY_URL included (the examples' configuration)"
agent_stop; is $? 0 "exit 0"
is "$(cat "$T/docker.log")" "DOCKER_HOST=$SOCKURL start $A" "via the agent: one restart, of the labelled container, on the agent's engine"
json_has "$T/curl.body" container "$(printf 'we"b \\ q\n2')"; ok $? "via the agent: the notification names the container"
grep -q '^-t|dockev|--|container die web|$' "$T/logger.log"; ok $? "via the agent: a syslog line per event"

# ---- the hooks directory itself must be safe ------------------------------
# A world-writable DIR lets anyone plant container.d -> a directory of
# programs that then run as the agent: refused at start, exit 1, one line.
H13=$T/h13
mkdir "$H13" "$T/planted"; chmod 755 "$T/planted"
hook "$T/planted/10-planted" 'touch "$CAP/ran.planted"; exit 0'
ln -s "$T/planted" "$H13/container.d"
chmod 777 "$H13"
ev container start pl1 '"name":"pl1"' 1795793480000000000 >"$T/ev13"
fake_start -e "$T/ev13"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --hooks "$H13" >"$T/out" 2>"$T/err"
is $? 1 "--hooks DIR writable by others: exit 1 (configuration)"
is "$(grep -c "hooks $H13: writable by group or others" "$T/err")" 1 "... with one line saying why"
is "$(grep -c '^dockev: ' "$T/err")" 1 "... and no other line of the agent's"	# (valgrind adds its own)
[ ! -e "$CAP/ran.planted" ]; ok $? "... and the planted container.d never ran"
chmod 775 "$H13"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$H13" >/dev/null 2>"$T/err"
is $? 1 "--hooks DIR writable by its group: exit 1"
if [ "$(id -u)" -eq 0 ]; then
	chmod 755 "$H13"; chown 65534 "$H13"
	dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$H13" >/dev/null 2>"$T/err"
	is $? 1 "--hooks DIR owned by someone else: exit 1"
	grep -q "hooks $H13: owned by uid 65534, not root or the agent's user" "$T/err"; ok $? "... saying so"
	chown 0 "$H13"
fi
chmod 755 "$H13"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$H13" >/dev/null 2>"$T/err"
is $? 0 "a safe DIR, container.d a symlink to a safe directory: runs"
[ -e "$CAP/ran.planted" ]; ok $? "... and uses it"
rm -f "$CAP/ran.planted"
chmod 757 "$T/planted"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --hooks "$H13" >/dev/null 2>"$T/err"
[ ! -e "$CAP/ran.planted" ] && grep -q "10-planted refused: directory writable by group or others" "$T/err"
ok $? "container.d a symlink to a directory writable by others: its scripts are refused, with a line"
chmod 755 "$T/planted"

# DIR going bad while the agent runs: the hooks of each event skipped, each
# with one line; once it is fixed, they run again.
rm -f "$CAP/ran.planted"
fake_start -e "$T/ev13"
agent_start --hooks "$H13" --backoff 10ms:20ms
wait_for 20 test -e "$CAP/ran.planted"; ok $? "the hook runs"
wait_for 20 no_children "$AG"
rm -f "$CAP/ran.planted"
chmod 777 "$H13"
ev container start pl2 '"name":"pl2"' 1795793480000000001 >>"$T/ev13"
fake_start -e "$T/ev13"		# a new stream: pl2 comes
wait_for 20 grep -q "skipped the hooks of container start pl2" "$T/err"
ok $? "DIR made world-writable while running: the next event's hooks are skipped, with a line"
grep -q "hooks directory $H13 writable by group or others: skipped the hooks of container start pl2" "$T/err"
ok $? "... saying why"
[ ! -e "$CAP/ran.planted" ]; ok $? "... and did not run"
chmod 755 "$H13"
ev container start pl3 '"name":"pl3"' 1795793480000000002 >>"$T/ev13"
fake_start -e "$T/ev13"
wait_for 20 test -e "$CAP/ran.planted"; ok $? "fixed: the next event's hooks run again"
agent_stop; is $? 0 "exit 0"

# ---- Types and Actions that are not plain names select no directory ------
H12=$T/h12
hook "$H12/all.d/10-all" 'echo "$DOCKEV_ID" >>"$CAP/all12"; exit 0'
hook "$H12/all.die.d/10-alldie" 'echo "$DOCKEV_ID" >>"$CAP/alldie12"; exit 0'
hook "$H12/container.die.d/10-die" 'echo "$DOCKEV_ID" >>"$CAP/die12"; exit 0'
{
	ev all die typeall '"name":"a"' 1795793450000000000
	ev container.die '' dotted '"name":"b"' 1795793450000000001
	ev container die plain '"name":"c"' 1795793450000000002
} >"$T/ev12"
fake_start -e "$T/ev12"
agent_start --hooks "$H12"
# all.d runs last: done when it ran for the three events and dockev connect.
wait_for 20 sh -c "[ \$(cat '$CAP/all12' 2>/dev/null | wc -l) -ge 4 ]"; ok $? "all.d ran for every event"
wait_for 20 no_children "$AG"
agent_stop; is $? 0 "exit 0"
is "$(grep -c '^typeall$' "$CAP/all12")" 1 "Type all: all.d runs once, not also as its T.d"
is "$(cat "$CAP/alldie12" 2>/dev/null)" typeall "Type all, Action die: all.die.d runs"
is "$(tr '\n' ' ' <"$CAP/die12")" "plain " "Type container.die with an empty Action does not run container.die.d"
is "$(grep -c 'not plain names' "$T/err")" 1 "... and says so in one line"
grep -q 'event with Type "container.die", Action "": not plain names' "$T/err"; ok $? "... naming the event's Type and Action"

# ---- an agent environment longer than hooks get: a warning, not silence ----
H11=$T/h11
# (CAP and PATH may be among the dropped: the hook names its paths itself.)
hook "$H11/container.d/10-own" "/usr/bin/env | /bin/grep -c '^MANYVAR_' >'$CAP/own11'; echo \"\$DOCKEV_ID\" >'$CAP/id11'; exit 0"
ev container start own11 '"name":"own11"' 1795793500000000000 >"$T/ev11"
fake_start -e "$T/ev11"
# 300 more variables: with what the test runs with, more than the 256 kept.
(
	i=0; while [ $i -lt 300 ]; do export "MANYVAR_$i=$i"; i=$((i + 1)); done
	exec $WRAP "$DOCKEV" -H "unix://$SOCK" --json --since 0 --hooks "$H11" >"$T/out" 2>"$T/err"
) &
AG=$!
wait_for 20 test -s "$CAP/id11"; ok $? "with 300 more variables, the hook still runs"
is "$(cat "$CAP/id11" 2>/dev/null)" own11 "... with the event's variables"
grep -q "warning: the agent's environment has [0-9]* variables; hooks get the first 256 of them, the other [0-9]* are dropped" "$T/err"
ok $? "one warning says how many of the agent's variables are dropped"
is "$(grep -c "agent's environment has" "$T/err")" 1 "... once, at start"
n11=$(cat "$CAP/own11" 2>/dev/null); [ "${n11:-0}" -gt 0 ] && [ "$n11" -lt 300 ]
ok $? "the hook got some of them, not all ($n11 of 300)"
agent_stop; is $? 0 "exit 0"

is "$(ls "$T" | grep -c pwned)" 0 "nothing anywhere ran event data (no pwned file)"
done_testing
