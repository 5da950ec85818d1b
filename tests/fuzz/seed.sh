#!/bin/sh
# seed.sh DIR - seed corpora for the fuzz targets, made from the recorded
# engine answers in tests/data (nothing large is committed): DIR/<target>/.
# Each seed starts with the byte the target reads as its piece size.
set -eu
D=$1
DATA=tests/data
rm -rf "$D"; mkdir -p "$D"
for t in http chunk event stream parse hookenv context array object mqtt; do mkdir -p "$D/$t"; done
i=0
seed() { # seed TARGET PREFIX-BYTE-OCTAL FILE
	i=$((i + 1))
	{ printf "\\$2"; cat "$3"; } >"$D/$1/seed$i"
}
for f in $DATA/*.http $DATA/*.raw; do
	seed http 001 "$f"; seed http 377 "$f"
	seed stream 000 "$f"; seed stream 201 "$f"
done
# the chunked bodies, without their heads
for f in $DATA/*.raw; do
	sed '1,/^\r$/d' "$f" >"$D/body"
	seed chunk 000 "$D/body"; seed chunk 003 "$D/body"
done
# two connections: a cut mid-stream, then the whole stream again
{ printf '\000'; head -c 5000 $DATA/dockerd-events-stream.raw; printf '\n--CUT--\n';
  cat $DATA/dockerd-events-stream.raw; } >"$D/stream/cut"
for f in $DATA/*.jsonl; do
	seed event 001 "$f"
	n=0
	while IFS= read -r line; do
		n=$((n + 1))
		printf '%s' "$line" >"$D/hookenv/$(basename "$f").$n"
		{ printf '\020'; printf '%s\n' "$line"; } >"$D/event/$(basename "$f").$n"
	done <"$f"
done
for s in unix:///var/run/docker.sock tcp://127.0.0.1:2375 'tcp://[::1]:2376' tcp://:2375 \
         host:1 unix:// ' tcp://a/ ' 1795792644.528802200 2026-11-27T15:17:23.123456789+01:00 \
         2026-11-27 2026-11-27T15:17Z 1h30m 1.5h 250ms 500us 0 -1 99999999999h; do
	i=$((i + 1)); printf '%s' "$s" >"$D/parse/seed$i"
done
# docker's config.json and a context's meta.json, as the CLI writes them
printf '{\n\t"auths": {"r.example": {"auth": "eDp5"}},\n\t"currentContext": "rootless"\n}' >"$D/context/config"
printf '{"Name":"rootless","Metadata":{"Description":"Rootless mode"},"Endpoints":{"docker":{"Host":"unix:///run/user/1000/docker.sock","SkipTLSVerify":false}}}' >"$D/context/meta"
printf '{"endpoints":{"docker":{"host":"tcp:\\/\\/h:2376","skiptlsverify":true}},"Name":null}' >"$D/context/meta2"
# a broker's answers: CONNACK, PUBACK, PINGRESP, a PUBLISH QoS 1 DUP RETAIN
printf '\000\040\002\000\000\100\002\000\007\320\000\073\011\000\003a/b\000\012hi' >"$D/mqtt/seed1"
printf '\002\040\002\001\000\040\002\000\005' >"$D/mqtt/seed2"
rm -f "$D/body"
# list answers (--snapshot): a bare array, and /volumes' object (byte 0's
# high bit asks for its "Volumes" member)
printf '\001[{"Id":"a","Names":["/x"],"Labels":{"k":"v]\\"}"},"State":"running"},{"Id":"b"}]' >"$D/array/bare"
printf '\203{"Volumes":[{"Name":"v1","Driver":"local","Labels":null}],"Warnings":[]}' >"$D/array/volumes"
for f in $DATA/*.jsonl; do
	{ printf '\007['; sed 's/$/,/' "$f"; printf '{}]'; } >"$D/array/$(basename "$f")"
done
# list elements (--snapshot): byte 0 is the kind (0 container, 1 network,
# 2 volume), its high bits a small buffer (0: the agent's)
printf '\000{"Id":"839ac60a1a6b","Names":["/web"],"Image":"nginx:1","Labels":{"a":"b\\u00e9","name":"x"},"State":"running","Status":"Up 2 minutes","Ports":[{"PrivatePort":80}]}' >"$D/object/container"
printf '\001{"Name":"netbr","Id":"4dd2d86ca321","Scope":"swarm","Driver":"overlay","IPAM":{"Config":[]},"Labels":{"env":"prod"}}' >"$D/object/network"
printf '\002{"Driver":"local","Labels":null,"Mountpoint":"/var/lib/docker/volumes/v1/_data","Name":"v1","Scope":"local"}' >"$D/object/volume"
printf '\200{"Id":"a","Names":["/x"]}' >"$D/object/small"
