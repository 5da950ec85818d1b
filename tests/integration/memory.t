#!/bin/sh
# memory.t - heap allocations do not grow with the number of events
# (valgrind's count, 1,000 against 20,000 events of several KiB).
. tests/integration/lib.sh

case "$BUILD" in
*asan*) echo "ok 1 # skip valgrind cannot run an ASan build"; echo "1..1"; exit 0 ;;
esac
allocs() {
	fake_start -g "$1" --t0 1795790000000000000
	valgrind --error-exitcode=99 "$DOCKEV" -H "unix://$SOCK" --json --since 0 \
		--until $UNTIL >"$T/out" 2>"$T/vg"
	st=$?
	[ "$(events "$T/out" | wc -l)" -eq "$1" ] || st=1
	sed -n 's/.*total heap usage: \([0-9,]*\) allocs.*/\1/p' "$T/vg" | tr -d , >"$T/allocs"
	return $st
}
allocs 1000; ok $? "1,000 events under valgrind: clean, all delivered"
a1=$(cat "$T/allocs")
allocs 20000; ok $? "20,000 events under valgrind: clean, all delivered"
a2=$(cat "$T/allocs")
is "$a2" "$a1" "heap allocations: the same for 1,000 and 20,000 events ($a1 at start)"
[ -n "$a1" ] && [ "$a1" -le 2 ]; ok $? "at most 2 allocations in all ($a1)"

done_testing
