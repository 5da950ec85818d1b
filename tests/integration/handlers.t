#!/bin/sh
# handlers.t - a user's handler table built in with make HANDLERS=...
# (tools/examples/handlers.c, built as build/example-handlers).
. tests/integration/lib.sh

sed 's/"exitCode":"0"/"exitCode":"3"/' $DATA/dockerd-event-examples.jsonl >"$T/ev.jsonl"
fake_start -e "$T/ev.jsonl"
timeout 60 $WRAP "$BUILD/example-handlers" -H "unix://$SOCK" --json --since 0 --until $UNTIL \
	>"$T/out" 2>"$T/err"
ok $? "example handler build: exit 0"
events "$T/out" | cmp -s - "$T/ev.jsonl"
ok $? "the built-in JSON printer still runs from the user's table"
grep -q 'warning: example: container c1b ([0-9a-f]\{12\}) died with exit code 3 (1 failures so far)' "$T/err"
ok $? "the example handler saw the die event with its attributes"
is "$(grep -c 'died with' "$T/err")" 1 "only container die events reach it"

done_testing
