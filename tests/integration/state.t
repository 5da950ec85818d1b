#!/bin/sh
# state.t - --state FILE against the fake engine: stopped and started
# again with the same file, the agent resumes where it stopped (each event
# once); a resume point older than the engine's history gives a resync
# warning and a dockev resync event; a torn or empty file is replaced;
# nothing planted at FILE.tmp is followed; a path that is not a regular file
# (or cannot be read) is a configuration error.
. tests/integration/lib.sh
T0=1795790000000000000
S="$T/state"

fake_start -g 100 --t0 $T0
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/want" 2>/dev/null
is "$(events "$T/want" | wc -l)" 100 "reference run: 100 events"

# First run ends at the 40th event's time (exit 0 at --until): the state
# holds its timeNano; the second run goes on from there.
dockev -H "unix://$SOCK" --json --since 0 --until 1795790000.039 --state "$S" >"$T/out1" 2>"$T/err1"
is $? 0 "first run: exit 0"
is "$(sed -n 1,2p "$S")" "$(printf 'dockev-state 2\nresume 1795790000039000000 event')" \
   "state: the last delivered timeNano"
grep -q '^recent\( [0-9]*:[0-9a-f]\{16\}\)\{1,128\}$' "$S"; ok $? "state: with the marks of the last events"
[ ! -e "$S.tmp" ]; ok $? "no temporary file left"
dockev -H "unix://$SOCK" --json --until $UNTIL --state "$S" >"$T/out2" 2>"$T/err2"
is $? 0 "second run: exit 0"
grep -q 'resuming at 1795790000.039000000 (the last delivered event)' "$T/err2"; ok $? "resume logged"
tail -1 "$T/requests" | grep -q 'since=1795790000.019000000'
ok $? "second run asks since= 20 ms before the saved point"
cat "$T/out1" "$T/out2" | cmp -s - "$T/want"
ok $? "both runs together: every event exactly once, in order"
grep -q resync "$T/err2"; is $? 1 "no resync warning when the history reaches back"
grep -q 'resume 1795790000099000000 event' "$S"; ok $? "state moved to the last event"

# The engine's history starts after the saved point (it restarted, or more
# than it keeps happened): a warning and a dockev resync, then the events.
printf 'dockev-state 2\nresume 1795789999000000000 event\nrecent 1795789999000000000:0123456789abcdef\n' >"$S"
dockev -H "unix://$SOCK" --until $UNTIL --state "$S" >"$T/out3" 2>"$T/err3"
is $? 0 "gap: exit 0"
grep -q 'resync: the first event after resuming (1795789999.000000000) is not one already delivered: .*events may have been lost' "$T/err3"
ok $? "gap: a clear warning"
sed -n 2p "$T/out3" | grep -q ' dockev resync .*reason=the engine.s history no longer reaches back'
ok $? "gap: dockev resync right after connect, before the first event"
is "$(grep -vc ' dockev ' "$T/out3")" 100 "gap: every event the engine has delivered"

# A torn file: ignored with a warning and a resync, then replaced.
printf 'dockev-state 2\nresume 17' >"$S"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --state "$S" >"$T/out4" 2>"$T/err4"
is $? 0 "torn file: exit 0"
grep -q 'not a dockev state file, ignored' "$T/err4"; ok $? "torn file: warned"
grep -q '^resume 1795790000099000000 event$' "$S"; ok $? "torn file: replaced by a good one"

# Something planted at FILE.tmp is never followed nor reused: a symlink
# there is left alone (the file it names untouched) and the write fails
# with a line; a stale temporary file of our own is removed and replaced.
rm -f "$S"
echo precious >"$T/victim"
ln -s "$T/victim" "$S.tmp"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --state "$S" >/dev/null 2>"$T/err6"
is "$(cat "$T/victim")" precious "symlink at FILE.tmp: its target not written"
[ -L "$S.tmp" ]; ok $? "symlink at FILE.tmp: left in place"
grep -q "state $S: cannot write: $S.tmp exists and is not a stale file of ours" "$T/err6"
ok $? "symlink at FILE.tmp: says why"
rm -f "$S" "$S.tmp"
echo stale >"$S.tmp"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --state "$S" >/dev/null 2>"$T/err7"
grep -q '^resume 1795790000099000000 event$' "$S"; ok $? "stale FILE.tmp of ours: state written"
[ ! -e "$S.tmp" ]; ok $? "stale FILE.tmp of ours: removed"

# A state path that is not a regular file is a configuration error, at
# start, in one line: replacing it would write over a device node or past
# a symlink (whose target would no longer be updated); a FIFO must not
# block the agent in open().
mkdir "$T/dir"
dockev -H "unix://$SOCK" --state "$T/dir" >/dev/null 2>"$T/err5"
is $? 1 "a directory: exit 1"
grep -q "state $T/dir: a directory, not a regular file: refused" "$T/err5"; ok $? "a directory: says why"
printf 'dockev-state 1\nresume 1795790000010000000 event\nseen\n' >"$T/real"
ln -s "$T/real" "$T/link"
dockev -H "unix://$SOCK" --json --until $UNTIL --state "$T/link" >"$T/out8" 2>"$T/err8"
is $? 1 "a symlink: exit 1"
is "$(grep -c "^dockev" "$T/err8")" 1 "a symlink: one line (valgrind may add its own)"
grep -q "state $T/link: a symbolic link, not a regular file: refused" "$T/err8"; ok $? "a symlink: says why"
[ -L "$T/link" ] && grep -q 'resume 1795790000010000000 event' "$T/real"; ok $? "a symlink: left as it was"
is "$(grep -c . "$T/out8")" 0 "a symlink: nothing delivered"
mkfifo "$T/fifo"
dockev -H "unix://$SOCK" --json --until $UNTIL --state "$T/fifo" >/dev/null 2>"$T/err9"
is $? 1 "a FIFO: exit 1, without blocking"
grep -q "state $T/fifo: a FIFO, not a regular file: refused" "$T/err9"; ok $? "a FIFO: says why"
[ -p "$T/fifo" ]; ok $? "a FIFO: left as it was"
if [ "$(id -u)" = 0 ] && mknod "$T/null" c 1 3 2>/dev/null; then
	dockev -H "unix://$SOCK" --json --until $UNTIL --state "$T/null" >/dev/null 2>"$T/err10"
	is $? 1 "a device node: exit 1"
	grep -q "state $T/null: a character device, not a regular file: refused" "$T/err10"
	ok $? "a device node: says why"
	[ -c "$T/null" ]; ok $? "a device node: not replaced"
else
	for d in "exit 1" "says why" "not replaced"; do
		n=$((n + 1)); echo "ok $n - # SKIP a device node: $d (needs root)"; done
fi

# An empty file is not a dockev state (a first run has no file): said so,
# and the events may have been lost, as for any bad file.
: >"$S"
dockev -H "unix://$SOCK" --until $UNTIL --state "$S" >"$T/out11" 2>"$T/err11"
is $? 0 "an empty file: exit 0"
grep -q "state $S: empty (0 bytes): not a dockev state file, ignored" "$T/err11"
ok $? "an empty file: said so"
sed -n 2p "$T/out11" | grep -q ' dockev resync .*reason=the --state file could not be used'
ok $? "an empty file: dockev resync"
grep -q '^resume 1795790000099000000 event$' "$S"; ok $? "an empty file: replaced by a good one"
dockev --state >/dev/null 2>&1
is $? 2 "--state without a file: usage error"
done_testing
