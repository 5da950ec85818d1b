#!/bin/sh
# deb.t - the Debian packages `make deb` built (build/deb): lintian clean
# (overrides shown with their reasons), then the amd64 package installed on
# this machine with dpkg -i: its files, dockev --version, man dockev, the
# conffile, the unit through systemd-analyze verify; removed and purged:
# nothing of it left (its file list, /etc, the unit's enablement, dpkg's
# database); the armhf and arm64 packages' agents run under qemu with the
# libraries check-cross installs. Root (dpkg -i). Environment: DEBS (the
# .deb files; default build/deb/*.deb).
# shellcheck source-path=SCRIPTDIR/../..
. tests/integration/lib.sh
. tools/cross/common.sh
V=$(sed -n 's/^#define DK_VERSION "\(.*\)"$/\1/p' agent/config.h)
AMD=build/deb/dockev_${V}_amd64.deb

for deb in build/deb/dockev_"$V"_*.deb; do
	a=${deb##*_}; a=${a%.deb}
	lintian -I -E --pedantic --show-overrides "$deb" >"$T/lintian" 2>&1
	grep -v '^[NO]: \|running with root privileges' "$T/lintian" >"$T/lintian.bad"
	is "$(cat "$T/lintian.bad")" "" "$a: lintian -I -E --pedantic: no tag but the overridden ones"
	sed 's/^/# /' "$T/lintian"
	dpkg-deb -f "$deb" Depends >"$T/dep"
	grep -q 'libmbedtls14' "$T/dep" && grep -q 'libc6' "$T/dep"
	ok $? "$a: Depends on the mbedTLS it was linked with: $(cat "$T/dep")"
	dpkg-deb -x "$deb" "$T/x-$a"
	is "$(readelf -h "$T/x-$a/usr/bin/dockev" | sed -n 's/^ *Machine: *//p')" \
		"$(case $a in amd64) echo 'Advanced Micro Devices X86-64' ;; armhf) echo ARM ;; arm64) echo AArch64 ;; esac)" \
		"$a: /usr/bin/dockev is built for $a"
	case "$a" in
	armhf | arm64)
		arch_vars "$a"
		v=$($QEMU "$T/x-$a/usr/bin/dockev" --version 2>&1)
		says_tls "$v" mbedtls
		ok $? "$a: the packaged agent runs under $qemu: $v"
		fake_start -e "$DATA/dockerd-event-examples.jsonl"
		# shellcheck disable=SC2086 # QEMU is a command with its arguments
		timeout 60 $QEMU "$T/x-$a/usr/bin/dockev" -H "unix://$SOCK" --since 0 --until $UNTIL \
			>"$T/out" 2>"$T/err"
		ok $? "$a: the packaged agent streams the fake engine's events under $qemu and exits 0"
		fake_stop
		;;
	esac
done

# Install, use, remove, purge the amd64 package.
dpkg -s dockev >/dev/null 2>&1
ok $((! $?)) "dockev is not installed before the test"
find /etc -xdev | LC_ALL=C sort >"$T/etc.before"
dpkg -i "$AMD" >"$T/dpkg" 2>&1
ok $? "dpkg -i $AMD"
sed 's/^/# /' "$T/dpkg"
dpkg -L dockev | LC_ALL=C sort >"$T/files"
for f in /usr/bin/dockev /lib/systemd/system/dockev.service /etc/default/dockev /etc/dockev/hooks \
	/usr/share/man/man8/dockev.8.gz /usr/share/doc/dockev/copyright /usr/share/doc/dockev/changelog.gz \
	/usr/share/doc/dockev/examples/restart-on-die; do
	grep -qx "$f" "$T/files" && [ -e "$f" ]
	ok $? "installed: $f"
done
is "$(dpkg-query -W -f '${Conffiles}' dockev | awk 'NF {print $1}')" /etc/default/dockev \
	"/etc/default/dockev is a conffile"
is "$(stat -c '%a %U' /etc/dockev/hooks)" "755 root" "/etc/dockev/hooks: 0755, root's (hooks' rules)"
v=$(/usr/bin/dockev --version 2>&1)
says_tls "$v" mbedtls
ok $? "dockev --version: $v"
MANWIDTH=80 man dockev 2>"$T/man.err" | grep -q 'SIGUSR1'
ok $? "man dockev"
systemd-analyze verify /lib/systemd/system/dockev.service >"$T/verify" 2>&1
ok $? "systemd-analyze verify on the installed unit"
sed 's/^/# /' "$T/verify"
echo "# $(systemd-analyze security --offline=true /lib/systemd/system/dockev.service 2>/dev/null | grep 'Overall exposure')"
[ -L /etc/systemd/system/multi-user.target.wants/dockev.service ]
ok $? "enabled (multi-user.target.wants), as debhelper's postinst would"

dpkg -r dockev >"$T/dpkg" 2>&1
ok $? "dpkg -r dockev"
is "$(while read -r f; do [ -e "$f" ] && [ "$f" != /etc/default/dockev ] && [ ! -d "$f" ] && echo "$f"; done <"$T/files")" "" \
	"removed: no file of it left but the conffile"
[ -e /etc/default/dockev ]
ok $? "removed, not purged: /etc/default/dockev kept"
dpkg -P dockev >"$T/dpkg" 2>&1
ok $? "dpkg -P dockev"
is "$(while read -r f; do [ -e "$f" ] && [ ! -d "$f" ] && echo "$f"; done <"$T/files")" "" \
	"purged: no file of its list left"
is "$(for d in /etc/dockev /usr/share/doc/dockev /var/lib/dockev; do [ -e "$d" ] && echo "$d"; done)" "" \
	"purged: no directory of its own left"
find /etc -xdev | LC_ALL=C sort >"$T/etc.after"
is "$(diff "$T/etc.before" "$T/etc.after")" "" "purged: /etc as it was before (the unit's symlinks, conffile gone)"
st=$(dpkg-query -W -f '${Status}' dockev 2>/dev/null)
case "$st" in "" | *not-installed) ok 0 "purged: dpkg: '$st'" ;; *) ok 1 "purged: dpkg: '$st'" ;; esac
is "$(find /var/lib/systemd/deb-systemd-helper-enabled -name '*dockev*' 2>/dev/null | wc -l | tr -d ' ')" 0 \
	"purged: deb-systemd-helper's state forgot it"
done_testing
