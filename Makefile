# dockev - one GNU Makefile, drivable unchanged by buildroot.
#
#   make [CC=..] [CROSS_COMPILE=arm-linux-gnueabihf-] [TLS=mbedtls|none] [MQTT=none] [STATIC=1]
#        [HANDLERS=path/to/handlers.c] [JSMN_INCLUDE=dir] [CFLAGS=..] [LDFLAGS=..]
#   make check | demo | install [PREFIX=/usr/local DESTDIR=] | clean
#
# The project's required flags come first; CFLAGS/LDFLAGS given by the user
# (or buildroot, on the command line) are appended after them, never instead.

# Quiet recursion, so that a test run ends with its "N passed, N failed".
MAKEFLAGS += --no-print-directory

CROSS_COMPILE ?=
ifeq ($(origin CC),default)
ifneq ($(CROSS_COMPILE),)
CC = $(CROSS_COMPILE)gcc
endif
endif
ifeq ($(origin AR),default)
AR = $(CROSS_COMPILE)ar
endif
# Each goal the README shows works as the first command on a fresh Debian
# 12 machine: tools/deps installs what it needs (as root; else it names the
# packages) before anything is built. It runs here, at parse time, so that
# TLS's default below sees the mbedTLS it installed. `build`: what building
# the agent needs, for a native `make`, `make install`, `make demo`...;
# the full set for the test goals (`make check` and the hardening targets
# run the `deps` target). Not for buildroot (a CC path given: its toolchain
# and sysroot are its own); CROSS_COMPILE set to one of Debian's cross
# compilers installs it (tools/cross/deps).
DEPS_FULL_GOALS = test check-man check-notls check-mbedtls3 check-engine check-engine-tls \
	check-faults check-halfopen
DEPS_BUILD_GOALS = demo soak bench size deb check-deb
DEPS_NATIVE = $(and $(if $(CROSS_COMPILE),,y),$(filter cc gcc gcc-% clang clang-%,$(CC)))
DEPS_MODE = $(if $(filter $(DEPS_FULL_GOALS),$(MAKECMDGOALS)),all,$(if $(or \
	$(filter $(DEPS_BUILD_GOALS),$(MAKECMDGOALS)),$(if $(filter-out all install,$(MAKECMDGOALS)),,$(DEPS_NATIVE))),build))
# Debian's own cross compilers (README, Cross-compiling): tools/cross/deps.
DEPS_CROSS = $(if $(filter default,$(origin CC)),$(if $(filter-out all install,$(MAKECMDGOALS)),,$(patsubst \
	arm-linux-gnueabihf-,armhf,$(patsubst aarch64-linux-gnu-,arm64,$(filter \
	arm-linux-gnueabihf- aarch64-linux-gnu-,$(CROSS_COMPILE))))))
ifneq ($(DEPS_CROSS),)
ifeq ($(findstring n,$(filter-out -% %=%,$(firstword $(MAKEFLAGS)))),)
ifneq ($(shell tools/cross/deps $(DEPS_CROSS) >&2; echo $$?),0)
$(error tools/cross/deps $(DEPS_CROSS) failed: see above)
endif
endif
endif
# Not under make -n (tools/cross probes the Makefile so).
ifeq ($(if $(DEPS_MODE),$(findstring n,$(filter-out -% %=%,$(firstword $(MAKEFLAGS)))),n),)
DEPS_RC := $(shell DK_CC='$(CC)' DK_TLS='$(if $(filter command% environment%,$(origin TLS)),$(TLS),mbedtls)' \
	JSMN_INCLUDE='$(JSMN_INCLUDE)' MBEDTLS_INCLUDE='$(MBEDTLS_INCLUDE)' tools/deps $(DEPS_MODE) >&2; echo $$?)
ifneq ($(DEPS_RC),0)
$(error tools/deps $(DEPS_MODE) failed: see above)
endif
endif

# TLS: mbedtls where its headers are found (MBEDTLS_INCLUDE, default the
# system's), else none; cross builds (buildroot) say TLS= explicitly.
MBEDTLS_INCLUDE ?= /usr/include
MBEDTLS_LIBDIR ?=
TLS ?= $(if $(wildcard $(MBEDTLS_INCLUDE)/mbedtls/ssl.h),mbedtls,none)
STATIC ?=
# MQTT: the --mqtt publisher (agent/mqttc.c), or none (a build without it;
# --mqtt then refuses to start).
MQTT ?= mqtt
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
BUILD ?= build
HANDLERS ?= agent/handlers.c
JSMN_INCLUDE ?=
OPT ?= -Os
# The per-event path (chunk decoder, framer, jsmn, event view: a few KiB
# of code) is compiled for speed, the rest for size: at -Os these cost
# dockev about 15% more instructions per event, and jsmn (jsontok.c) is
# most of it (issue 17). An OPT given on the command line (the
# sanitizer and valgrind builds) applies to them too.
# -fno-code-hoisting where the compiler has it (gcc 8 on): gcc 12 at -O2
# otherwise keeps jsmn's string position in two registers, one more
# instruction per string byte than the floor's copy of the same loop
# (5% of an event; callgrind, issue 17).
# agent/output too: at -Os gcc copies each --json line into stdout's
# buffer with `rep movsb`, at -O2 it calls libc's memcpy (vector loads for
# lines under 2 KiB): one instruction per byte of every event, 1,700 of a
# 1.9 KB one's 33,000 (callgrind, issue 17).
HOT = agent/wire/chunk agent/wire/framer agent/wire/jsontok agent/wire/event agent/output
HOT_GCC := $(if $(filter command line,$(origin OPT)),,$(shell $(CC) -Werror \
	-fno-code-hoisting -x c -c -o /dev/null /dev/null 2>/dev/null && echo -fno-code-hoisting))
# 32-bit ARM keeps OPT for them too: at -O2 the armhf agent would pass its
# size budget (tools/cross/size).
HOT_ARM32 := $(if $(filter arm-% armv%,$(shell $(CC) -dumpmachine 2>/dev/null)),y)
HOT_OPT ?= $(if $(or $(filter command line,$(origin OPT)),$(HOT_ARM32)),$(OPT),-O2 $(HOT_GCC))
# Sanitizer or coverage flags for test builds (kept apart from CFLAGS).
SAN ?=

# 64-bit off_t, ino_t and time_t on 32-bit glibc too (armhf): readdir on a
# filesystem with 64-bit inode numbers or directory offsets fails with
# EOVERFLOW otherwise, and times pass 2038. A no-op on 64-bit targets.
DK_CPPFLAGS = -Iagent -Iagent/wire -Iagent/policy -Iport -D_DEFAULT_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 \
	$(if $(JSMN_INCLUDE),-I$(JSMN_INCLUDE))
DK_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla $(UNIT_OPT) -g \
	-ffunction-sections -fdata-sections $(SAN)
DK_LDFLAGS = -Wl,--gc-sections $(SAN) $(if $(STATIC),-static)

ALL_CFLAGS = $(DK_CPPFLAGS) $(DK_CFLAGS) $(CPPFLAGS) $(CFLAGS)
# OPT for every unit but HOT's (set per target below, before the user's
# CFLAGS, which still come last).
UNIT_OPT = $(OPT)
ALL_LDFLAGS = $(DK_LDFLAGS) $(LDFLAGS)
# Libraries after the objects that use them (static links need the order).
ALL_LIBS = $(TLS_LIBS) $(LIBS)

# Every agent/ source but main.c and the handler table is core
# (libdockev.a): the pure layers agent/wire/ and agent/policy/, and the
# loop and outputs in agent/ (tools/layers says who may include whom).
LAYERS = agent/wire agent/policy agent
CORE = $(filter-out agent/main agent/handlers $(if $(filter none,$(MQTT)),agent/mqttc agent/catchup),$(basename $(wildcard $(LAYERS:%=%/*.c))))
ifeq ($(MQTT),none)
DK_CPPFLAGS += -DDK_MQTT=0
else ifneq ($(MQTT),mqtt)
$(error MQTT must be mqtt or none)
endif
HDRS = $(wildcard $(LAYERS:%=%/*.h))
PORT = posix sock proc fs
TLS_LIBS =
ifeq ($(TLS),none)
PORT += tls_none
else ifeq ($(TLS),mbedtls)
PORT += tls_mbedtls
TLS_LIBS = $(if $(MBEDTLS_LIBDIR),-L$(MBEDTLS_LIBDIR)) -lmbedtls -lmbedx509 -lmbedcrypto
ifneq ($(MBEDTLS_INCLUDE),/usr/include)
DK_CPPFLAGS += -I$(MBEDTLS_INCLUDE)
endif
else
$(error TLS must be none or mbedtls)
endif

# Everything built depends on this file, rewritten only when the compiler,
# the flags, TLS or HANDLERS differ from the last build in $(BUILD): so
# `make HANDLERS=...` or `make STATIC=1` after a plain `make` rebuilds.
FLAGS = $(BUILD)/flags
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) TLS=$(TLS) MQTT=$(MQTT) HANDLERS=$(HANDLERS) HOT_OPT=$(HOT_OPT)
ifneq ($(FLAGS_NOW),$(file <$(FLAGS)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS),$(FLAGS_NOW))
endif

CORE_OBJ = $(CORE:%=$(BUILD)/%.o)
PORT_OBJ = $(PORT:%=$(BUILD)/port/%.o)
LIB = $(BUILD)/libdockev.a
BIN = $(BUILD)/dockev

UNIT_SRC = $(filter-out tests/test_port.c tests/test_proc.c $(if $(filter none,$(MQTT)),tests/test_mqttc.c),$(sort $(wildcard tests/test_*.c)))
UNIT_BIN = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_port \
	$(BUILD)/tests/test_proc
TOOLS = $(BUILD)/fakeengine $(BUILD)/example-handlers
ifeq ($(TLS),mbedtls)
TOOLS += $(BUILD)/tlsfront
endif

.PHONY: all check test demo bench bench-ir install clean deps FORCE check-mbedtls3 \
	check-engine check-engine-tls check-notls
all: $(BIN)

$(BUILD)/agent/%.o: agent/%.c $(HDRS) port/port.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/port/%.o: port/%.c $(HDRS) port/*.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/handlers.o: $(HANDLERS) $(HDRS) port/port.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/main.o: agent/main.c $(HDRS) port/*.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(HOT:%=$(BUILD)/%.o): UNIT_OPT = $(HOT_OPT)

$(LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/main.o $(BUILD)/handlers.o $(LIB) $(PORT_OBJ) $(FLAGS)
	$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/main.o $(BUILD)/handlers.o $(LIB) $(PORT_OBJ) $(ALL_LDFLAGS) $(ALL_LIBS)

# Unit tests: one per core module, linked with fakes at the port boundary.
$(BUILD)/tests/fakeport.o: tests/fakeport.c tests/*.h $(HDRS) port/port.h Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<
$(BUILD)/tests/test_%: tests/test_%.c tests/*.h $(LIB) $(BUILD)/tests/fakeport.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -DDK_TEST_DATA='"tests/data/"' -o $@ $< $(BUILD)/tests/fakeport.o $(LIB) $(ALL_LDFLAGS)

# The port's own test links the real port, not the fakes.
$(BUILD)/tests/test_port: tests/test_port.c tests/*.h $(PORT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(PORT_OBJ) $(LIB) $(ALL_LDFLAGS) $(ALL_LIBS)
$(BUILD)/tests/test_proc: tests/test_proc.c tests/*.h $(PORT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(PORT_OBJ) $(LIB) $(ALL_LDFLAGS) $(ALL_LIBS)

# The fake engine and the example handler table (built as a whole agent).
$(BUILD)/fakeengine: tools/fakeengine.c Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)
# The TLS front of the fake engine in tests (an mbedTLS server).
$(BUILD)/tlsfront: tools/tlsfront.c Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) $(ALL_LIBS)
$(BUILD)/example-handlers: tools/examples/handlers.c FORCE
	$(MAKE) BUILD=$(BUILD)/ex HANDLERS=tools/examples/handlers.c $(BUILD)/ex/dockev
	cp $(BUILD)/ex/dockev $@

# test: everything in this build flavour; check: deps, then plain, ASan+UBSan
# and valgrind flavours. The last lines are prove's summary.
test: $(BIN) $(UNIT_BIN) $(TOOLS)
	BUILD=$(BUILD) WRAP="$(WRAP)" tools/runtests $(UNIT_BIN) $(sort $(wildcard tests/integration/*.t))

# TLS unless TLS=none was asked for: deps installs what it needs.
deps:
	DK_TLS=$(if $(filter command% environment%,$(origin TLS)),$(TLS),mbedtls) tools/deps

check: deps
	tools/layers
	$(MAKE) check-notls
	$(MAKE) BUILD=build/clang CC=clang all $(UNIT_BIN:$(BUILD)/%=build/clang/%)
	$(MAKE) test
	$(MAKE) BUILD=build/asan OPT="-O1" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test
	$(MAKE) BUILD=build/vg OPT="-O1" \
		WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --track-fds=yes" test
	$(MAKE) check-mbedtls3
	$(MAKE) check-man

# mbedTLS 3.x (as buildroot ships it) next to Debian's 2.28: the agent
# built against 3.6 from Debian's next release (static libraries), its TLS
# tests run with the fake engine's front of 2.28 (TLS 1.2; a 3.6 server
# sends its TLS 1.3 alerts under keys the client has left; check-engine-tls
# runs TLS 1.3 against Go's server in dockerd).
M3 = build/mbedtls3
check-mbedtls3: $(BUILD)/tlsfront
	tools/mbedtls3 $(M3)
	$(MAKE) BUILD=build/m3 TLS=mbedtls MBEDTLS_INCLUDE=$(M3)/include \
		MBEDTLS_LIBDIR=$(M3)/lib build/m3/dockev build/m3/fakeengine \
		build/m3/tests/test_port
	build/m3/dockev --version | grep -q 'TLS mbedTLS 3\.'
	BUILD=build/m3 TLSFRONT=$(BUILD)/tlsfront tools/runtests \
		build/m3/tests/test_port tests/integration/tls.t

# A TLS=none build links no mbedTLS and refuses TLS at start; it finds
# contexts too (context.c's SHA-256 is its own).
check-notls:
	$(MAKE) BUILD=build/notls TLS=none build/notls/dockev build/notls/tests/test_port \
		build/notls/fakeengine build/notls/tests/test_context
	BUILD=build/notls tools/runtests build/notls/tests/test_port \
		build/notls/tests/test_context tests/integration/tls.t tests/integration/context.t

# check-engine: the agent against real engines, each started privately
# under /tmp by tools/engine/*: the matrix of tools/engine/matrix (dockerd
# 20.10, 26.1, 28.5 and 28.5 with a minimum API of 1.44; Podman 4.3, 5.4,
# 5.8). Debian 12's engines are installed with apt-get when missing, the
# others fetched or built once into /var/cache/dockev-engines. Root only.
# ENGINES="dockerd-28.5 podman-5.4" picks a part. tls.t runs in
# check-engine-tls, once per mbedTLS version (dockerd 20.10).
check-engine: $(BIN) $(BUILD)/fakeengine
	BUILD=$(BUILD) tools/engine/matrix
	$(MAKE) check-engine-tls

# Against Debian's real dockerd, started by the test itself (root): the
# system's mbedTLS (2.28: TLS 1.2), then 3.6 (TLS 1.3) when it can be had.
check-engine-tls: $(BIN) $(BUILD)/fakeengine
	BUILD=$(BUILD) tools/runtests tests/engine/tls.t
	if tools/mbedtls3 $(M3); then \
		$(MAKE) BUILD=build/m3 TLS=mbedtls MBEDTLS_INCLUDE=$(M3)/include \
			MBEDTLS_LIBDIR=$(M3)/lib build/m3/dockev build/m3/fakeengine && \
		BUILD=build/m3 tools/runtests tests/engine/tls.t; fi

# make bench: dockev against the docker CLI, docker-py, a curl drain and a
# jsmn floor (tools/bench/run, about 11 minutes; not part of check).
BENCH_BIN = $(BUILD)/bench-empty $(BUILD)/bench-hookstamp \
	$(BUILD)/bench-jsmnfloor $(BUILD)/bench-count $(BUILD)/bench-spawnfloor
bench: $(BIN) $(BUILD)/fakeengine $(BENCH_BIN) $(filter %/tlsfront,$(TOOLS))
	tools/bench/deps
	BUILD=$(BUILD) tools/bench/run

# make bench-fleet: 200 agents, 200 fake engines and one mosquitto on this
# machine, every node's events counted by a QoS 1 subscriber, the agents'
# CPU per event against --json (tools/bench/fleet, about 3 minutes; not
# part of check). FLEET_AGENTS=20: the short check (about 15 s).
.PHONY: bench-fleet
bench-fleet: $(BIN) $(BUILD)/fakeengine $(BUILD)/bench-empty
	tests/mqtt/deps
	BUILD=$(BUILD) tools/bench/fleet

# make bench-ir: only the instructions per event of dockev --json and the
# jsmn floor on both streams, against issue 17's targets (tools/bench/ir,
# about a minute; callgrind: load does not change it).
bench-ir: $(BIN) $(BUILD)/fakeengine $(BUILD)/bench-jsmnfloor
	BUILD=$(BUILD) tools/bench/ir

# Static, so that the latency it measures is the agent's and the exec's,
# not the dynamic loader's.
$(BUILD)/bench-hookstamp: tools/bench/hookstamp.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -static

# The hook latency floor: the same hook started by a bare loop.
$(BUILD)/bench-spawnfloor: tools/bench/spawnfloor.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

$(BUILD)/bench-empty: tools/bench/empty.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

# The floor: built with the flags of the agent's hot units (jsmn's), so
# the comparison is fair.
$(BUILD)/bench-jsmnfloor: tools/bench/jsmnfloor.c agent/config.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<
$(BUILD)/bench-jsmnfloor: UNIT_OPT = $(HOT_OPT) $(ALL_LDFLAGS)

# The agent with only a counting handler (tools/bench/count.c).
$(BUILD)/bench-count: tools/bench/count.c FORCE
	$(MAKE) BUILD=$(BUILD)/bcount HANDLERS=tools/bench/count.c $(BUILD)/bcount/dockev
	cp $(BUILD)/bcount/dockev $@

demo: $(BIN) $(BUILD)/fakeengine
	BUILD=$(BUILD) tools/demo

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/dockev

clean:
	rm -rf build

# Debian packages (tools/debian/build): build/deb/dockev_VERSION_ARCH.deb
# for amd64, armhf and arm64, cross-built with check-cross's compilers.
# check-deb: lintian, then the amd64 one installed, used, removed and
# purged on this machine, the ARM agents run under qemu (tools/debian/deb.t;
# root). DEB_ARCHS=amd64 builds one.
DEB_ARCHS ?= amd64 armhf arm64
.PHONY: deb check-deb
deb:
	tools/debian/deps
	tools/debian/build $(DEB_ARCHS)
check-deb: deb $(BIN) $(BUILD)/fakeengine
	BUILD=$(BUILD) tools/runtests tools/debian/deb.t

# dockev(8), tools/man/dockev.8: mandoc -Tlint clean, and every option of
# the built agent's --help in it (tools/man/man.t; a second or two).
.PHONY: check-man
check-man: $(BIN)
	BUILD=$(BUILD) tools/runtests tools/man/man.t

FORCE:

# ---- MQTT against Debian's mosquitto (tests/mqtt/*.t) ----------------------
# `make check-mqtt`: installs mosquitto, mosquitto-clients and socat when
# missing (tests/mqtt/deps; root), then runs the agent against a private
# broker on a loopback port (tests/mqtt/*.t): every event in order across
# broker restarts and a cut connection (10,000 events), a minute's outage
# with die hooks on time, a restart with --state while the broker is down,
# resync past the engine's history, bad broker answers, wrong credentials.
# About 3 minutes. Not part of `make check`.
.PHONY: check-mqtt
check-mqtt: $(BIN) $(BUILD)/fakeengine
	tests/mqtt/deps
	BUILD=$(BUILD) tools/runtests $(sort $(wildcard tests/mqtt/*.t))

# ---- hardening: fuzz targets (tests/fuzz) ---------------------------------
# libFuzzer with clang, ASan+UBSan; the core is rebuilt in build/fuzz with
# coverage instrumentation. `make fuzz FUZZ_SECONDS=N` runs every target N s,
# two at a time.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS = http chunk event stream parse hookenv context array object mqtt
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_MAKE = $(MAKE) BUILD=build/fuzz CC=clang OPT=-O1 SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link"
.PHONY: fuzz fuzz-build
fuzz-build: deps
	$(FUZZ_MAKE) $(FUZZ_TARGETS:%=build/fuzz/fuzz/fuzz_%)
fuzz: fuzz-build
	BUILD=build tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
ifeq ($(BUILD),build/fuzz)
$(BUILD)/fuzz/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h tests/*.h $(LIB) $(BUILD)/tests/fakeport.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -Itests/fuzz -fsanitize=fuzzer -o $@ $< $(BUILD)/tests/fakeport.o $(LIB) $(ALL_LDFLAGS) -fsanitize=fuzzer
endif

# ---- hardening: fault injection (tests/faults.t) --------------------------
# Every engine misbehaviour in one table, the agent under valgrind (memory
# errors, leaks, fds left open).
.PHONY: check-faults
check-faults: deps
	$(MAKE) BUILD=build/vg OPT="-O1" build/vg/dockev build/vg/fakeengine
	BUILD=build/vg WRAP=valgrind tools/runtests tests/faults.t

# ---- hardening: static analysis ------------------------------------------
# `make lint` fails on any finding in agent/ and port/: cppcheck (every
# check family), clang-tidy (the set in .clang-tidy) and gcc -fanalyzer.
# Suppressions are inline, each with its reason. cppcheck checks left out,
# as they do not apply: variableScope (STYLE: declarations open a block),
# unusedFunction (library functions used by handler tables and tests that
# one cppcheck pass does not see), missingIncludeSystem (libc's headers are
# not given to it).
LINT_SRC = $(wildcard $(LAYERS:%=%/*.c) port/*.c)
LINT_CPPFLAGS = -Iagent -Iagent/wire -Iagent/policy -Iport -D_DEFAULT_SOURCE $(if $(JSMN_INCLUDE),-I$(JSMN_INCLUDE))
.PHONY: lint
lint: deps
	cppcheck --std=c11 --enable=all --inconclusive --library=posix $(LINT_CPPFLAGS) \
		--suppress=variableScope --suppress=unusedFunction \
		--suppress=missingIncludeSystem --inline-suppr --quiet \
		--error-exitcode=1 --template='{file}:{line}: {severity} {id}: {message}' agent port
	@mkdir -p $(BUILD); clang-tidy --quiet $(LINT_SRC) -- -std=c11 $(LINT_CPPFLAGS) 2>$(BUILD)/tidy.err; \
		st=$$?; grep -v 'warnings* generated\.$$' $(BUILD)/tidy.err; exit $$st
	@for f in $(LINT_SRC); do \
		gcc -std=c11 $(LINT_CPPFLAGS) -O1 -fanalyzer -Werror -c -o /dev/null $$f || exit 1; \
	done; echo "gcc -fanalyzer: $(words $(LINT_SRC)) files, no finding"
	@echo "lint: cppcheck, clang-tidy, gcc -fanalyzer: no finding"

# ---- hardening: half-open TCP (tests/halfopen.t) --------------------------
# Network namespaces and a veth pair; the agent built with a 4 s keepalive
# bound (2 s idle, 1 s x 2 probes) so that the drop is noticed quickly.
.PHONY: check-halfopen
check-halfopen: deps $(BUILD)/fakeengine
	$(MAKE) BUILD=$(BUILD)/halfopen \
		CFLAGS="-DDK_KEEPALIVE_IDLE_S=2 -DDK_KEEPALIVE_INTVL_S=1 -DDK_KEEPALIVE_CNT=2" \
		$(BUILD)/halfopen/dockev
	BUILD=$(BUILD) tools/runtests tests/halfopen.t

# ---- hardening: soak (tools/soak) -----------------------------------------
# `make soak [SOAK_EVENTS=5000000 SOAK_CUTS=1000]`: one agent, millions of
# events and a thousand reconnects, allocations counted by an LD_PRELOAD
# shim, private memory and fds sampled each second.
SOAK_EVENTS ?= 5000000
SOAK_CUTS ?= 1000
.PHONY: soak
$(BUILD)/alloccount.so: tools/soak/alloccount.c
	@mkdir -p $(@D)
	$(CC) -std=c11 -Wall -Wextra -Werror -Wmissing-prototypes -O2 -shared -fPIC -o $@ $<
soak: $(BIN) $(BUILD)/fakeengine $(BUILD)/alloccount.so
	BUILD=$(BUILD) SOAK_EVENTS=$(SOAK_EVENTS) SOAK_CUTS=$(SOAK_CUTS) sh tools/soak/run

# --- ARM edge nodes: cross builds tested under qemu-user, sizes ----------
# `make check-cross ARCH=armhf|arm64` (tools/cross/check): installs the
# cross compiler, qemu-user and multiarch mbedTLS, builds the agent and the
# unit tests for ARCH, runs them and the streaming tests under qemu against
# a native fake engine, and builds as the buildroot recipe does
# (tools/buildroot/recipe.t). `make size`: stripped sizes (tools/cross/size).
.PHONY: check-cross size units
units: $(BIN) $(UNIT_BIN)
check-cross: deps
	tools/cross/check $(ARCH)
size:
	tools/cross/size
