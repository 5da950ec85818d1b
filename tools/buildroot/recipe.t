#!/bin/sh
# recipe.t - the buildroot recipe (package/dockev/dockev.mk), run as
# buildroot runs it, with Debian's cross compiler for ARCH standing in for
# buildroot's: its BUILD_CMDS and INSTALL_*_CMDS, taken from dockev.mk
# itself (a stub makefile defines what buildroot would and includes the
# external tree), on a copy of the tree as buildroot's rsync makes it.
# Then: the Makefile's own flags were still applied under buildroot's CC,
# CFLAGS and LDFLAGS; the install layout under TARGET_DIR; the installed
# agent runs under qemu; the init script and the unit pass their checkers,
# and S95dockev starts, reports and stops a (native) agent with BusyBox's
# start-stop-daemon.
#
# Environment: ARCH (armhf, arm64); BUILD, a native build holding dockev
# and fakeengine; TLS_VARIANTS (from tools/cross/common.sh). Run from the
# top of the tree (tools/cross/check does); shellcheck finds the sourced
# files from here wherever it is run (buildroot's check-package runs it).
# shellcheck source-path=SCRIPTDIR/../..
. tests/integration/lib.sh
. tools/cross/common.sh
arch_vars "${ARCH:?}"
EXT=$(pwd)/tools/buildroot
PKG=$EXT/package/dockev
EX=$DATA/dockerd-event-examples.jsonl

for tls in ${TLS_VARIANTS:-none}; do
	R="$T/br-$tls"
	SRC="$R/build/dockev-0.1.0"
	TGT="$R/target"
	mkdir -p "$SRC" "$TGT" "$R/staging"
	# buildroot's local site method: an rsync of the tree, less the
	# exclusions dockev.mk names (build/ and .git).
	tar --exclude=./build --exclude=./.git -cf - . | tar -xf - -C "$SRC"
	br_tls=""; [ "$tls" = mbedtls ] && br_tls=y
	# Stand-ins for buildroot's variables (package/Makefile.in): its
	# TARGET_CONFIGURE_OPTS with a cross toolchain and its usual flags;
	# 32-bit glibc targets get 64-bit time (BR2_TIME_BITS_64).
	bits=""; [ "$ARCH" = armhf ] && bits="-D_TIME_BITS=64"
	cat >"$R/buildroot-stub.mk" <<STUB
BR2_EXTERNAL_DOCKEV_PATH := $EXT
BR2_PACKAGE_DOCKEV := y
BR2_PACKAGE_DOCKEV_TLS := $br_tls
BR2_STATIC_LIBS :=
TARGET_CROSS := $cross
TARGET_CPPFLAGS := -D_LARGEFILE_SOURCE -D_LARGEFILE64_SOURCE -D_FILE_OFFSET_BITS=64 $bits
TARGET_CFLAGS := \$(TARGET_CPPFLAGS) -Os -g0 -D_FORTIFY_SOURCE=1
TARGET_LDFLAGS :=
TARGET_MAKE_ENV := PATH=\$(PATH)
TARGET_CONFIGURE_OPTS = \$(TARGET_MAKE_ENV) AR="\$(TARGET_CROSS)ar" AS="\$(TARGET_CROSS)as" \\
	LD="\$(TARGET_CROSS)ld" NM="\$(TARGET_CROSS)nm" CC="\$(TARGET_CROSS)gcc" \\
	GCC="\$(TARGET_CROSS)gcc" CPP="\$(TARGET_CROSS)cpp" CXX=no \\
	RANLIB="\$(TARGET_CROSS)ranlib" READELF="\$(TARGET_CROSS)readelf" \\
	STRIP="\$(TARGET_CROSS)strip" OBJCOPY="\$(TARGET_CROSS)objcopy" \\
	OBJDUMP="\$(TARGET_CROSS)objdump" CPPFLAGS="\$(TARGET_CPPFLAGS)" \\
	CFLAGS="\$(TARGET_CFLAGS)" CXXFLAGS="\$(TARGET_CFLAGS)" \\
	LDFLAGS="\$(TARGET_LDFLAGS)" STAGING_DIR="$R/staging"
TARGET_DIR := $TGT
INSTALL := install
DOCKEV_PKGDIR := $PKG/
include $EXT/external.mk
$SRC/.stamp_built:
	\$(DOCKEV_BUILD_CMDS)
$SRC/.stamp_target_installed: $SRC/.stamp_built
	\$(DOCKEV_INSTALL_TARGET_CMDS)
	\$(DOCKEV_INSTALL_INIT_SYSV)
	\$(DOCKEV_INSTALL_INIT_SYSTEMD)
STUB
	# Nothing of this test's environment (BUILD, WRAP) leaks into it.
	if env -u BUILD -u WRAP -u FAKE make -f "$R/buildroot-stub.mk" "$SRC/.stamp_target_installed" >"$R/log" 2>&1; then
		ok 0 "TLS=$tls: dockev.mk's build and install commands succeed"
	else
		ok 1 "TLS=$tls: dockev.mk's build and install commands succeed"
		sed 's/^/# /' "$R/log" | tail -20
		continue
	fi

	# The Makefile's flags first, buildroot's after them, on every compile.
	grep -- ' -c -o ' "$R/log" >"$R/compiles"
	bad=0
	while IFS= read -r line; do
		case "$line" in
		"${cross}gcc "*-D_DEFAULT_SOURCE*-std=c11*-Werror*-ffunction-sections*-D_LARGEFILE_SOURCE*-Os\ -g0\ -D_FORTIFY_SOURCE=1*) ;;
		*) bad=$((bad + 1)); echo "# $line" ;;
		esac
	done <"$R/compiles"
	is "$bad/$(grep -c 'agent/wire/event.c' "$R/compiles")" 0/1 \
		"TLS=$tls: buildroot's CC; -std=c11, -Werror, ... kept, buildroot's CFLAGS after them, on all $(wc -l <"$R/compiles") compiles"
	grep -q -- "-Wl,--gc-sections" "$SRC/build/flags"
	ok $? "TLS=$tls: the link keeps -Wl,--gc-sections (build/flags)"
	grep -q "TLS=$tls " "$SRC/build/flags"
	ok $? "TLS=$tls: built with TLS=$tls, as the recipe says"
	# -g0 came last: no debug info, though the Makefile asks for -g.
	readelf -S "$TGT/usr/bin/dockev" | grep -q '\.debug_info'
	ok $((! $?)) "TLS=$tls: buildroot's -g0 won over the Makefile's -g"
	is "$(readelf -h "$TGT/usr/bin/dockev" | sed -n 's/^ *Machine: *//p')" "$machine" \
		"TLS=$tls: the installed agent is an ELF for $machine"

	is "$(cd "$TGT" && find . | LC_ALL=C sort | tr '\n' ' ')" \
		". ./etc ./etc/default ./etc/default/dockev ./etc/dockev ./etc/dockev/hooks ./etc/init.d ./etc/init.d/S95dockev ./usr ./usr/bin ./usr/bin/dockev ./usr/lib ./usr/lib/systemd ./usr/lib/systemd/system ./usr/lib/systemd/system-preset ./usr/lib/systemd/system-preset/80-dockev.preset ./usr/lib/systemd/system/dockev.service " \
		"TLS=$tls: install layout under TARGET_DIR"
	is "$(cd "$TGT" && stat -c '%a %n' usr/bin/dockev etc/init.d/S95dockev etc/default/dockev etc/dockev/hooks usr/lib/systemd/system/dockev.service | tr '\n' ' ')" \
		"755 usr/bin/dockev 755 etc/init.d/S95dockev 644 etc/default/dockev 755 etc/dockev/hooks 644 usr/lib/systemd/system/dockev.service " \
		"TLS=$tls: modes (hooks dir not group/other-writable)"

	# The README's "does it run" commands, on the installed agent.
	v=$($QEMU "$TGT/usr/bin/dockev" --version 2>&1)
	says_tls "$v" "$tls"
	ok $? "TLS=$tls: dockev --version under $qemu: $v"
	fake_start -e "$EX"
	# shellcheck disable=SC2086 # QEMU is a command with its arguments
	timeout 60 $QEMU "$TGT/usr/bin/dockev" -H "unix://$SOCK" -v --since 0 --until $UNTIL \
		>"$T/out" 2>"$T/err"
	ok $? "TLS=$tls: installed agent streams once (-v --since 0 --until) and exits 0"
	is "$(awk '$2 == "container"' "$T/out" | wc -l | tr -d ' ')" "$(grep -c '"Type":"container"' "$EX")" \
		"TLS=$tls: a line for each container event"
	fake_stop
done

# The fragment names only options the tree defines.
# shellcheck disable=SC2013 # one symbol a line
for sym in $(sed -n 's/^\(# \)\{0,1\}\(BR2_PACKAGE_DOCKEV[A-Z_]*\)[= ].*/\2/p' "$EXT/fragments/dockev.config"); do
	grep -q "^config $sym\$" "$PKG/Config.in"
	ok $? "fragments/dockev.config: $sym is in package/dockev/Config.in"
done

# The init script: shell syntax, shellcheck, and a real start/stop.
S95="$PKG/S95dockev"
sh -n "$S95"
ok $? "S95dockev: sh -n"
shellcheck -s sh "$S95" >"$T/sc" 2>&1
ok $? "S95dockev: shellcheck clean"
[ -s "$T/sc" ] && sed 's/^/# /' "$T/sc"

# Its three paths pointed into $T, nothing else changed; BusyBox's
# start-stop-daemon first in PATH, as on the target.
mkdir -p "$T/bin" "$T/run" "$T/hooks/all.d"
ln -s "$(command -v busybox)" "$T/bin/start-stop-daemon"
sed -e "s|^DAEMON_BIN=\"/usr/bin/\$DAEMON\"$|DAEMON_BIN=\"$(pwd)/$DOCKEV\"|" \
	-e "s|^PIDFILE=\"/var/run/\$DAEMON.pid\"$|PIDFILE=\"$T/run/dockev.pid\"|" \
	-e "s|^DEFAULTS=\"/etc/default/\$DAEMON\"$|DEFAULTS=\"$T/default\"|" "$S95" >"$T/S95"
is "$(diff "$S95" "$T/S95" | grep -c '^>')" 3 "S95dockev: the test changes only its three paths"
# shellcheck disable=SC2016 # $1 and $2 are the hook's
printf '#!/bin/sh\necho "$1 $2" >>%s/hooked\n' "$T" >"$T/hooks/all.d/10-log"
chmod 755 "$T/hooks/all.d/10-log"
printf 'DOCKEV_OPTS="--hooks %s/hooks"\nDOCKER_HOST="unix://%s"\n' "$T" "$SOCK" >"$T/default"
fake_start -e "$EX"
# Alive and not a zombie (this sandbox's init may not reap orphans).
alive() { [ -n "$1" ] && [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != "" ] &&
	[ "$(awk '{print $3}' "/proc/$1/stat")" != Z ]; }
# An agent S95dockev started is stopped even if a test point fails.
cleanup() {
	[ -s "$T/run/dockev.pid" ] && kill "$(cat "$T/run/dockev.pid")" 2>/dev/null
	fake_stop
	rm -rf "$T"
}
s95() { PATH="$T/bin:$PATH" sh "$T/S95" "$@"; }
is "$(s95 start)" "Starting dockev: OK" "S95dockev start"
i=0; while [ ! -s "$T/hooked" ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
pid=$(cat "$T/run/dockev.pid" 2>/dev/null)
ok $? "S95dockev: pid file written"
args=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
is "$args" "$(pwd)/$DOCKEV --syslog --hooks $T/hooks " "S95dockev: --syslog and DOCKEV_OPTS from the defaults file"
grep -q '^volume create' "$T/hooked" 2>/dev/null
ok $? "S95dockev: the agent reached the engine named by DOCKER_HOST there, and ran a hook"
is "$(s95 status)" "dockev is running (pid $pid)" "S95dockev status: running"
is "$(s95 start)" "Starting dockev: already running" "S95dockev start: no second agent"
is "$(s95 restart)" "Stopping dockev: OK
Starting dockev: OK" "S95dockev restart"
pid2=$(cat "$T/run/dockev.pid" 2>/dev/null)
[ "$pid2" != "$pid" ] && alive "$pid2" && ! alive "$pid"
ok $? "S95dockev restart: the old agent is gone, a new one runs"
is "$(s95 stop)" "Stopping dockev: OK" "S95dockev stop"
! alive "$pid2"
ok $? "S95dockev stop: the agent has exited"
[ ! -e "$T/run/dockev.pid" ]
ok $? "S95dockev stop: pid file removed"
s95 status >/dev/null
is $? 3 "S95dockev status: not running, exit 3"
fake_stop

# The unit: systemd-analyze verify, with ExecStart and EnvironmentFile
# pointed at what exists on this machine (the unit is otherwise as shipped).
UNIT="$PKG/dockev.service"
sed -e "s|^ExecStart=/usr/bin/dockev |ExecStart=$(pwd)/$DOCKEV |" \
	-e "s|^EnvironmentFile=-/etc/default/dockev$|EnvironmentFile=-$PKG/dockev.default|" \
	"$UNIT" >"$T/dockev.service"
is "$(diff "$UNIT" "$T/dockev.service" | grep -c '^>')" 2 "dockev.service: the test changes only two paths"
# --man=no: its Documentation=man:dockev(8) is not on a buildroot target
# (buildroot drops /usr/share/man); tools/debian/deb.t verifies it with it.
systemd-analyze verify --man=no "$T/dockev.service" >"$T/verify" 2>&1
ok $? "dockev.service: systemd-analyze verify accepts it"
[ -s "$T/verify" ] && sed 's/^/# /' "$T/verify"
for o in Restart=on-failure ProtectSystem=strict KillMode=mixed NoNewPrivileges=yes; do
	grep -qx "$o" "$UNIT"
	ok $? "dockev.service: $o"
done
grep -q '^NoExecPaths\|^InaccessiblePaths\|^PrivateNetwork=yes\|^RestrictAddressFamilies=.*none' "$UNIT"
ok $((! $?)) "dockev.service: nothing that would block hooks' exec or the engine's socket"
echo "# $(systemd-analyze security --offline=yes "$T/dockev.service" 2>/dev/null | grep 'Overall exposure')"

done_testing
