#!/bin/sh
# output.t - what reaches stdout and the log: control bytes from an event
# or an engine's text never start a line of their own (escaped as \n,
# \x1b, \u009b); --json stays byte-exact, and JSON with a raw control byte
# in it is no event. A stdout that cannot be written is an error.
. tests/integration/lib.sh

# An Action, an ID and labels with control characters (JSON escapes), then
# an event whose text holds raw control bytes (invalid JSON).
cat >"$T/hostile.jsonl" <<'EV'
{"Type":"container","Action":"start\ndockev: error: forged","Actor":{"ID":"abc\u0007","Attributes":{"name":"web\n2026-01-01T00:00:00.000000000Z container die fake (name=x)","del":"a\u007fb","c1":"x\u009by"}},"scope":"local","time":1795792644,"timeNano":1795792644000000001}
EV
printf '{"Type":"container","Action":"die\033[31m\001","Actor":{"ID":"zz","Attributes":{}},"scope":"local","time":1795792645,"timeNano":1795792645000000000}\n' \
	>>"$T/hostile.jsonl"
fake_start -e "$T/hostile.jsonl"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
ok $? "hostile text: exit 0"
is "$(grep -c . "$T/out")" 3 "one-line output: connect, the event, disconnect: 3 lines"
is "$(sed -n 2p "$T/out")" \
   '2026-11-27T15:17:24.000000001Z container start\ndockev: error: forged abc\x07 (name=web\n2026-01-01T00:00:00.000000000Z container die fake (name=x), del=a\x7fb, c1=x\u009by)' \
   "one-line output: control bytes escaped"
grep -q '^dockev: error: forged' "$T/out" "$T/err"; is $? 1 "no forged line"
grep -q "$(printf '\033')" "$T/out" "$T/err"; is $? 1 "no ESC byte in the output or the log"
grep -q 'skipped event (event is not valid JSON, 142 bytes)' "$T/err"
ok $? "raw control bytes in the JSON text: not valid JSON, skipped"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
head -1 "$T/hostile.jsonl" | cmp -s - "$T/out"; ok $? "--json: the event's text exactly as received"

# An engine that sends "Type":"dockev" does not speak for the agent: --json
# prints its event as received (the agent's own are not printed), and its
# hooks are all.d's only, without DOCKEV_SYNTHETIC; the agent's own connect
# runs dockev.d with DOCKEV_SYNTHETIC=1.
printf '{"Type":"dockev","Action":"disconnect","Actor":{"ID":"forged","Attributes":{"reason":"x"}},"scope":"local","time":1795792646,"timeNano":1795792646000000000}\n' \
	>"$T/forged.jsonl"
H=$T/hooks; mkdir -p "$H/all.d" "$H/dockev.d"; chmod 755 "$H" "$H/all.d" "$H/dockev.d"
printf '#!/bin/sh\necho "all $DOCKEV_TYPE $DOCKEV_ACTION ${DOCKEV_SYNTHETIC:-engine}" >>"%s"\n' "$T/ran" >"$H/all.d/a"
printf '#!/bin/sh\necho "dockev.d $DOCKEV_ACTION $DOCKEV_ID" >>"%s"\n' "$T/ran" >"$H/dockev.d/a"
chmod 700 "$H/all.d/a" "$H/dockev.d/a"
fake_start -e "$T/forged.jsonl"
dockev -H "unix://$SOCK" --json --hooks "$H" --since 0 --until $UNTIL >"$T/out" 2>"$T/err"
ok $? "engine-sent Type dockev: exit 0"
cmp -s "$T/forged.jsonl" "$T/out"; ok $? "--json: the engine's dockev event printed as received, ours not"
grep -q '^dockev.d disconnect forged' "$T/ran"; is $? 1 "its hooks: not dockev.d"
grep -q '^all dockev disconnect engine$' "$T/ran"; ok $? "its hooks: all.d, without DOCKEV_SYNTHETIC"
grep -q '^all dockev connect 1$' "$T/ran"; ok $? "the agent's own connect: all.d with DOCKEV_SYNTHETIC=1"
grep -q '^dockev.d connect ' "$T/ran"; ok $? "the agent's own connect: dockev.d"
grep -q 'event with Type "dockev" from the engine' "$T/err"; ok $? "logged"

# The log carries engine text too: an error body with a newline in it.
fake_start -e "$T/hostile.jsonl" --faults all --status 400 \
	--body '{"message":"bad filter\ndockev: error: forged"}'
dockev -H "unix://$SOCK" --since 0 --until $UNTIL >/dev/null 2>"$T/err"
grep -q '^dockev: error: forged' "$T/err"; is $? 1 "log: no forged line"
grep -q 'bad filter\\ndockev: error: forged' "$T/err"; ok $? "log: the newline escaped"

# A broken stdout is an error: logged once, exit 1, and the --state point
# never moves past what could not be written.
EX=$DATA/dockerd-event-examples.jsonl
fake_start -e "$EX"
dockev -H "unix://$SOCK" --json --since 0 --until $UNTIL --state "$T/state" >/dev/full 2>"$T/err"
is $? 1 "/dev/full: exit 1"
is "$(grep -c 'stdout: cannot write: No space left on device; stopping' "$T/err")" 1 \
   "/dev/full: said once"
[ ! -e "$T/state" ] || ! grep -q '^resume 1795792679781672431 ' "$T/state"
ok $? "/dev/full: the resume point not moved past the lost events"
dockev -H "unix://$SOCK" --since 0 --until $UNTIL --state "$T/state" >"$T/out" 2>"$T/err"
is "$(events "$T/out" | grep -vc ' dockev ')" 38 "restarted: the events not written come again"

# A reader that goes away (EPIPE; SIGPIPE is ignored): the agent ends,
# with status 1, at its next write; it wrote only while the reader read.
fake_start -g 1000 --interval 10
( dockev -H "unix://$SOCK" --json --since 0 2>"$T/err"; echo $? >"$T/rc" ) | head -1 >"$T/out"
is "$(cat "$T/rc")" 1 "reader gone: exit 1 (not running on forever)"
grep -q 'stdout: cannot write: Broken pipe; stopping' "$T/err"; ok $? "reader gone: said so"
is "$(wc -l <"$T/out")" 1 "reader gone: the reader had its line"
fake_stop

done_testing
