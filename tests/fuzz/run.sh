#!/bin/sh
# run.sh SECONDS TARGET... - run each libFuzzer target for SECONDS, two at
# a time (CI has 2 cores), on a corpus seeded from tests/data. A crash
# leaves its input in $BUILD/fuzz/crash-<target>-* and fails the run.
set -u
S=$1; shift
B=${BUILD:-build}/fuzz
tests/fuzz/seed.sh "$B/corpus" || exit 1
run() {
	t=$1
	mkdir -p "$B/out"
	if "$B/fuzz/fuzz_$t" -max_total_time="$S" -max_len=70000 -timeout=10 -rss_limit_mb=1024 \
		-print_final_stats=1 -artifact_prefix="$B/crash-$t-" \
		"$B/corpus/$t" >"$B/out/$t.log" 2>&1; then
		echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$B/out/$t.log" | grep -o '[0-9]*$') runs in ${S}s, no crash"
	else
		echo "fuzz $t: FAILED (see $B/out/$t.log)"; tail -30 "$B/out/$t.log"; return 1
	fi
}
fail=0
while [ $# -gt 0 ]; do
	a=$1; shift
	if [ $# -gt 0 ]; then
		b=$1; shift
		run "$a" & p=$!
		run "$b" || fail=1
		wait $p || fail=1
	else
		run "$a" || fail=1
	fi
done
exit $fail
