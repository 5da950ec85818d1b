#!/bin/sh
# hookuser.t - --hook-user USER[:GROUP] (issue 18) against the fake engine,
# with a real unprivileged user: what `id` says inside the hook (uid, gid,
# supplementary groups), GROUP replacing the primary group, numeric ids,
# names that do not resolve (exit 1), a script the user may not execute
# and a setgroups or setuid that fails (each logged as a start failure,
# the hook not run), the agent's own credentials untouched, and a non-root
# agent (only its own user). Needs root to create the user and
# switch to it: skipped, saying so, otherwise. Creates the user dockevtest
# and the groups dockevtestg, dockevtesth when missing, and removes what
# it created.
# shellcheck disable=SC2016,SC2317
. tests/integration/lib.sh
# Not under valgrind (make check's valgrind flavour): the user and group
# lookups make glibc dlopen this machine's NSS modules, whose blocks stay
# reachable at exit, and the flavour counts reachable blocks as errors.
# They are glibc's, once at start; the ASan flavour runs this test.
WRAP=

if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null 2>&1; then
	echo "ok 1 # SKIP --hook-user needs root (and useradd) to create and become a test user"
	echo "1..1"
	exit 0
fi

U=dockevtest G2=dockevtestg G3=dockevtesth
CREATED=
AG=
cleanup() {
	[ -n "$AG" ] && kill -KILL "$AG" 2>/dev/null
	fake_stop
	rm -rf "$T"
	for x in $CREATED; do
		case $x in
		user) userdel "$U" 2>/dev/null ;;
		*) groupdel "$x" 2>/dev/null ;;
		esac
	done
}
for g in "$G2" "$G3"; do
	getent group "$g" >/dev/null || { groupadd "$g" && CREATED="$CREATED $g"; }
done
if ! getent passwd "$U" >/dev/null; then
	useradd -M -U -G "$G2" -s /bin/false -d /nonexistent "$U" && CREATED="user $CREATED"
fi
UID_U=$(id -u "$U"); GID_U=$(id -g "$U")
GID_2=$(getent group "$G2" | cut -d: -f3); GID_3=$(getent group "$G3" | cut -d: -f3)
usermod -a -G "$G2" "$U" 2>/dev/null	# an existing user: make sure of G2
sorted() { tr ' ' '\n' | grep . | sort -n | tr '\n' ' '; }

# The hook writes what it runs as; $T must be searchable by the user.
chmod 755 "$T"
CAP=$T/cap; mkdir "$CAP"; chown "$U" "$CAP"
export CAP
H=$T/hooks
mkdir -p "$H/container.die.d" "$H/container.start.d"; chmod 755 "$H" "$H"/*.d
printf '#!/bin/sh\n{ id -u; id -g; id -G; } >"$CAP/id.$DOCKEV_ID"\n' >"$H/container.die.d/10-id"
chmod 755 "$H/container.die.d/10-id"
# Readable and executable by root only: the hook user cannot run it.
printf '#!/bin/sh\ntouch "$CAP/ran.700"\n' >"$H/container.start.d/10-private"
chmod 700 "$H/container.start.d/10-private"

ev() {
	printf '{"Type":"container","Action":"%s","Actor":{"ID":"%s","Attributes":{"name":"n"}},"scope":"local","time":%s,"timeNano":%s}\n' \
		"$1" "$2" "${3%?????????}" "$3"
}
{
	ev start c1 1795796000000000000
	ev die c1 1795796000001000000
} >"$T/ev"
fake_start -e "$T/ev"

# run ARGS...: the agent to the end of the events (--until), log in $T/err.
run() { dockev -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" "$@" >/dev/null 2>"$T/err"; }
idline() { sed -n "${1}p" "$CAP/id.c1" 2>/dev/null; }

# ---- names that do not resolve; the option's syntax ----------------------
run --hook-user dockev-no-such-user; is $? 1 "an unknown user: exit 1"
is "$(grep -c 'no such user' "$T/err")" 1 "with one line saying so"
run --hook-user "$U:dockev-no-such-group"; is $? 1 "an unknown group: exit 1"
grep -q "no such group" "$T/err"; ok $? "with a line saying so"
run --hook-user 4000000001; is $? 1 "a numeric uid without a password entry or a group: exit 1"
for bad in "" ":$G2" "$U:"; do
	run --hook-user "$bad"; is $? 2 "--hook-user '$bad': usage error, exit 2"
done

# ---- USER: its uid, its primary gid, its groups ----------------------------
# The agent gets a supplementary group of its own ($G3): the hook must
# not keep it (setgroups), nor root's uid or gid.
rm -f "$CAP"/id.*
# shellcheck disable=SC2086
setpriv --groups "$GID_3" timeout 60 $WRAP "$DOCKEV" -H "unix://$SOCK" --since 0 \
	--until "$UNTIL" --hooks "$H" --hook-user "$U" >/dev/null 2>"$T/err"
is $? 0 "--hook-user $U: exit 0 at --until"
is "$(idline 1)" "$UID_U" "id -u in the hook: $U's uid"
is "$(idline 2)" "$GID_U" "id -g: $U's primary gid"
is "$(idline 3 | sorted)" "$(echo "$GID_U $GID_2" | sorted)" "id -G: its primary group and $G2, none of the agent's"
grep -q "10-private for container start c1 could not start: Permission denied" "$T/err"
ok $? "a script only root may execute: logged as a start failure"
[ ! -e "$CAP/ran.700" ]; ok $? "and it did not run"

# ---- a step that fails: the hook does not run, one line names the call ----
# Root without CAP_SETGID (or CAP_SETUID) from the bounding set: the
# lookup passes (euid 0), the call in the child fails. Neither hook may
# then run, as root or otherwise.
for cap in setgid:setgroups setuid:setuid; do
	rm -f "$CAP"/id.*
	# shellcheck disable=SC2086
	setpriv --bounding-set="-${cap%:*}" timeout 60 $WRAP "$DOCKEV" -H "unix://$SOCK" --since 0 \
		--until "$UNTIL" --hooks "$H" --hook-user "$U" >/dev/null 2>"$T/err"
	is $? 0 "without CAP_$(echo "${cap%:*}" | tr '[:lower:]' '[:upper:]'): exit 0, the agent goes on"
	grep -q "10-id for container die c1 could not start: ${cap#*:}: Operation not permitted" "$T/err"
	ok $? "the failed ${cap#*:} is logged as a start failure, naming the call"
	[ ! -e "$CAP/id.c1" ]; ok $? "and the hook did not run"
done

# ---- USER:GROUP, by name and by number -------------------------------------
rm -f "$CAP"/id.*
run --hook-user "$U:$G3"; is $? 0 "--hook-user $U:$G3: exit 0"
is "$(idline 1)" "$UID_U" "id -u: $U's uid"
is "$(idline 2)" "$GID_3" "id -g: $G3 replaces the primary group"
is "$(idline 3 | sorted)" "$(echo "$GID_3 $GID_2" | sorted)" "id -G: $G3 and $U's other groups, not its primary one"
rm -f "$CAP"/id.*
run --hook-user "$UID_U:$GID_3"; is $? 0 "--hook-user $UID_U:$GID_3 (numbers): exit 0"
is "$(idline 1) $(idline 2)" "$UID_U $GID_3" "numeric ids resolve as the names do"

# ---- the agent keeps its own credentials -----------------------------------
rm -f "$CAP"/id.*
$WRAP "$DOCKEV" -H "unix://$SOCK" --since 0 --hooks "$H" --hook-user "$U" >/dev/null 2>"$T/err" &
AG=$!
i=0; while [ ! -s "$CAP/id.c1" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
is "$(idline 1)" "$UID_U" "a long-running agent: the hook ran as $U"
is "$(sed -n 's/^Uid:[[:space:]]*//p' "/proc/$AG/status" | tr -s ' \t' ' ')" "0 0 0 0" \
	"the agent itself is still root (real, effective, saved, fs uid)"
is "$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$AG/status" | sorted)" \
	"$(sed -n 's/^Groups:[[:space:]]*//p' "/proc/$$/status" | sorted)" \
	"and keeps its own groups"
kill -TERM "$AG"; wait "$AG"; is $? 0 "SIGTERM: exit 0"; AG=

# ---- an agent that is not root ----------------------------------------------
ASU="setpriv --reuid=$UID_U --regid=$GID_U --init-groups"
# A copy the user can run wherever the checkout is (a clone under a
# mktemp -d directory is mode 700: exit 126 otherwise).
install -m 755 "$DOCKEV" "$T/dockev"
$ASU timeout 20 "$T/dockev" -H "unix://$T/none.sock" --hooks "$H" --hook-user root >/dev/null 2>"$T/err"
is $? 1 "not root, --hook-user root: exit 1"
grep -q "not root" "$T/err"; ok $? "saying the agent is not root"
chmod 666 "$SOCK"
rm -f "$CAP"/id.*
# shellcheck disable=SC2086
$ASU timeout 20 $WRAP "$T/dockev" -H "unix://$SOCK" --since 0 --until "$UNTIL" --hooks "$H" \
	--hook-user "$U" >/dev/null 2>"$T/err"
is $? 0 "not root, --hook-user naming its own user: accepted, exit 0"
is "$(idline 1)" "$UID_U" "and the hook runs as that user"

done_testing
