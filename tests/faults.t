#!/bin/sh
# faults.t - `make check-faults`: the agent against every misbehaviour of
# the engine, one table. For each case the agent runs (under $WRAP:
# valgrind, leak and fd checks) against a fake engine whose first events
# answer is the fault, and must: exit as expected (no crash: valgrind's 99
# or a signal fail; no hang: --until ends every run, and the `timeout 60`
# of lib.sh shows up as 124), log one line naming what happened, and
# deliver every valid event, around the fault and after it, exactly once.
. tests/integration/lib.sh

EX=$DATA/dockerd-event-examples.jsonl
export LC_ALL=C
H200='HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n'
HCH="${H200}Transfer-Encoding: chunked\r\n\r\n"
ts() { sed -n "${1}p" "$EX" | sed 's/.*"timeNano":\([0-9]*\).*/\1/'; }

# chunks: lines on stdin, one chunk each (dockerd's framing).
chunks() { awk '{ printf "%x\r\n%s\n\r\n", length($0) + 1, $0 }'; }
ev() { sed -n "$1,$2p" "$EX"; }
# A valid event between lines 5 and 6 of $EX, with extra attributes $1.
mid() {
	t=$(( $(ts 5) + 1 ))
	printf '{"Type":"container","Action":"start","Actor":{"ID":"f00d","Attributes":{%s"name":"mid"}},"scope":"local","time":%s,"timeNano":%s}\n' \
		"$1" "${t%?????????}" "$t"
}

# ---- the fault files --------------------------------------------------------
F=$T/f; mkdir -p "$F"
printf 'HTTP/1.1 200 OK\r\nApi-Vers' >"$F/cut-head"
for c in overflow:FFFFFFFFFFFFFFFFFFFF negative:-5 nothex:zz; do
	{ printf "$HCH"; ev 1 5 | chunks; printf '%s\r\n0123456789\r\n' "${c#*:}"; ev 6 10 | chunks; } >"$F/chunk-${c%%:*}"
done
# 256 MiB announced, a few bytes sent, then the engine goes.
{ printf "$HCH"; ev 1 5 | chunks; printf 'FFFFFFF\r\n{"Type":"x"'; } >"$F/chunk-huge"
{ printf "$HCH"; ev 1 5 | chunks; printf '5\r\nhelloXX5\r\nworld\r\n'; ev 6 10 | chunks; } >"$F/no-crlf"
{ printf "$HCH" | tr -d '\r'; ev 1 10 | chunks | tr -d '\r'; } >"$F/bare-lf"
{ printf 'HTTP/1.1 200 OK\r\n'; i=0; while [ $i -lt 600 ]; do printf 'X-Pad-%04d: 0123456789\r\n' $i; i=$((i+1)); done; } >"$F/endless-head"
{ printf "$HCH"; ev 1 5 | chunks; } >"$F/dribble"
big=$(awk 'BEGIN { s = "0123456789abcdef"; while (length(s) < 70000) s = s s; print s }')
{ printf "$HCH"; { ev 1 5; mid "\"big\":\"$big\","; ev 6 10; } | chunks; } >"$F/too-big"
many=$(awk 'BEGIN { for (i = 0; i < 3000; i++) printf "\"k%d\":\"v\",", i }')
{ printf "$HCH"; { ev 1 5; mid "$many"; ev 6 10; } | chunks; } >"$F/many-attrs"
{ printf "$HCH"; { ev 1 5; printf '{"Type":"container","Action":\n'; ev 6 10; } | chunks; } >"$F/bad-json"
# Invalid UTF-8 is passed through as received: expected among the events.
mid "$(printf '"bad":"\377\376 latin1 caf\351",')" >"$F/utf8.line"
{ printf "$HCH"; { ev 1 5; cat "$F/utf8.line"; ev 6 10; } | chunks; } >"$F/bad-utf8"
{ ev 1 5; cat "$F/utf8.line"; ev 6 38; } >"$F/bad-utf8.want"
{ ev 1 5; } >"$F/cl.body"
{ printf "${H200}Content-Length: %d\r\n\r\n" "$(wc -c <"$F/cl.body")"; cat "$F/cl.body"; } >"$F/content-length"
{ printf 'HTTP/1.0 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n\r\n'; ev 1 5; } >"$F/http10"

# ---- the table --------------------------------------------------------------
# name | fake engine options | agent options | exit | log line (grep -E) |
# events wanted (file; "-" none) | events delivered before the reconnect
# (the since= of the next request is that event's timeNano; 0: not checked)
CASES=$(cat <<EOT
cut mid-chunk|-e $EX --cut-after 5 --cut-mid||0|disconnected from .*: engine closed the events stream mid-body|$EX|5
cut mid-head|-e $EX --raw $F/cut-head||0|engine closed the connection inside the response head; retrying|$EX|0
chunk size overflows|-e $EX --raw $F/chunk-overflow||0|events stream: chunk size out of bounds|$EX|5
chunk size negative|-e $EX --raw $F/chunk-negative||0|events stream: malformed chunk|$EX|5
chunk size not hex|-e $EX --raw $F/chunk-nothex||0|events stream: malformed chunk|$EX|5
chunk size huge, then close|-e $EX --raw $F/chunk-huge||0|engine closed the events stream mid-body|$EX|5
missing CRLF after chunk data|-e $EX --raw $F/no-crlf||0|events stream: malformed chunk|$EX|5
bare LF line ends|-e $EX --raw $F/bare-lf||0|engine closed the events stream mid-body|$EX|10
head that never ends|-e $EX --raw $F/endless-head||0|malformed answer: response head too large|$EX|0
one byte every 2 ms|-e $EX --raw $F/dribble --dribble 2||0|engine closed the events stream mid-body|$EX|5
event larger than the buffer|-e $EX --raw $F/too-big||0|skipped event \(event larger than the receive buffer, over 65536 bytes\): container start f00d|$EX|10
event with 3000 attributes|-e $EX --raw $F/many-attrs||0|skipped event \(event has more JSON tokens than the token array, [0-9]+ bytes\): container start f00d|$EX|10
invalid JSON event|-e $EX --raw $F/bad-json||0|skipped event \(event is not valid JSON, 29 bytes\): container|$EX|10
invalid UTF-8 (passed through)|-e $EX --raw $F/bad-utf8||0|engine closed the events stream mid-body|$F/bad-utf8.want|10
HTTP 400, JSON body|-e $EX --status 400 --faults 99||1|engine answered 400 Bad Request: fake failure|-|0
HTTP 400, text body|-e $EX --status 400 --body oops --faults 99||1|engine answered 400 Bad Request: oops|-|0
HTTP 404, JSON body|-e $EX --status 404 --faults 99||1|engine answered 404 Not Found: fake failure|-|0
HTTP 404, no body|-e $EX --status 404 --body= --faults 99||1|engine answered 404 Not Found: \(no message\)$|-|0
HTTP 500, JSON body|-e $EX --status 500||0|engine answered 500 Internal Server Error: fake failure; retrying|$EX|0
HTTP 500, no body|-e $EX --status 500 --body=||0|engine answered 500 Internal Server Error: \(no message\); retrying|$EX|0
HTTP 503, JSON body|-e $EX --status 503||0|engine answered 503 Service Unavailable: fake failure; retrying|$EX|0
HTTP 503, text body|-e $EX --status 503 --body oops||0|engine answered 503 Service Unavailable: oops; retrying|$EX|0
Content-Length body|-e $EX --raw $F/content-length|--until +6|0|engine ended the events stream|$EX|5
HTTP/1.0 close-delimited body|-e $EX --raw $F/http10|--until +6|0|engine ended the events stream|$EX|5
accepts, never answers|-e $EX --stall||0|no response head within 10000 ms; retrying|$EX|0
stops reading|-e $EX --deaf|--api-version 1.41|0|no response head within 10000 ms; retrying|$EX|0
EOT
)

vgbad() {
	awk '/Open file descriptor/ { blk = $0; inblk = 1; next }
	     inblk && /^==[0-9]+== *$/ { inblk = 0
	         if (blk !~ /inherited from parent|dk_port_signals_init/) print blk; next }
	     inblk { blk = blk "\n" $0; next }
	     /FILE DESCRIPTORS:|^==[0-9]+== *$/ { next }
	     { print }' "$T/vg"
}
VG="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --track-fds=yes"
[ -n "$WRAP" ] && WRAP="$VG --log-file=$T/vg"
printf '%s\n' "$CASES" | while IFS='|' read -r name fopts aopts xst line want before; do
	rm -f "$T/vg"
	# shellcheck disable=SC2086
	fake_start $fopts
	# A body that ends before --until is a failure to retry: these
	# cases end 6 s from now (the agent retries until 2 s before).
	case $aopts in
	*+6*) aopts="--until $(( $(date +%s) + 6 ))" ;;
	*) aopts="$aopts --until $UNTIL" ;;
	esac
	# shellcheck disable=SC2086
	dockev -H "unix://$SOCK" --json --backoff 10ms:20ms --since 0 $aopts \
		>"$T/out" 2>"$T/err"
	st=$?
	[ "$st" -eq "$xst" ]; ok $? "$name: exit $xst (got $st)"
	c=$(grep -cE "$line" "$T/err")
	[ "$c" -ge 1 ]; ok $? "$name: one line says so ($(grep -E "$line" "$T/err" | head -1))"
	[ "$c" -ge 1 ] || sed 's/^/#   /' "$T/err" | cut -c1-300
	if [ "$want" = - ]; then
		[ ! -s "$T/out" ]
	else
		events "$T/out" | cmp -s - "$want"
	fi
	ok $? "$name: every valid event, once, in order"
	if [ "$before" != 0 ]; then
		# The resume asks since= 20 ms before the last delivered event
		# (DK_RESUME_MARGIN_NS), so that event's time minus 20000000 ns.
		is "$(sed -n 4p "$T/requests" | sed -n 's/.*since=\([0-9]*\)\.\([0-9]*\).*/\1\2/p')" \
			"$(( $(ts "$before") - 20000000 ))" "$name: the $before valid events of the faulty answer delivered"
	fi
	if [ -n "$WRAP" ]; then
		# valgrind -q prints only errors, and (--track-fds) the fds
		# open at exit: none may be left but those inherited and the
		# signal self-pipe, which lives as long as the process.
		vgbad >"$T/vg.bad"
		[ ! -s "$T/vg.bad" ]; ok $? "$name: valgrind: no error, no leak, no fd left open"
		[ -s "$T/vg.bad" ] && sed 's/^/#   /' "$T/vg.bad" | head -20
	fi
	# The loop runs in a subshell: its engine is stopped here, where
	# FE_PID is known, or the last case's would outlive the test.
	fake_stop
	echo "$n $fails" >"$T/count"
done
read -r n fails <"$T/count"
done_testing
