# dockev - one GNU Makefile, drivable unchanged by buildroot.
#
#   make [CC=..] [CROSS_COMPILE=arm-linux-gnueabihf-] [TLS=none] [STATIC=1]
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
TLS ?= none
STATIC ?=
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DESTDIR ?=
BUILD ?= build
HANDLERS ?= agent/handlers.c
JSMN_INCLUDE ?=
OPT ?= -Os
# Sanitizer or coverage flags for test builds (kept apart from CFLAGS).
SAN ?=

DK_CPPFLAGS = -Iagent -Iport -D_DEFAULT_SOURCE $(if $(JSMN_INCLUDE),-I$(JSMN_INCLUDE))
DK_CFLAGS = -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wformat=2 -Wvla $(OPT) -g \
	-ffunction-sections -fdata-sections $(SAN)
DK_LDFLAGS = -Wl,--gc-sections $(SAN) $(if $(STATIC),-static)

ALL_CFLAGS = $(DK_CPPFLAGS) $(DK_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(DK_LDFLAGS) $(LDFLAGS)

# Every agent/*.c but main.c and the handler table is core (libdockev.a).
CORE = $(filter-out main handlers,$(basename $(notdir $(wildcard agent/*.c))))
PORT = posix sock proc fs
ifeq ($(TLS),none)
PORT += tls_none
else ifeq ($(TLS),mbedtls)
$(error TLS=mbedtls is not implemented yet; build with TLS=none)
else
$(error TLS must be none or mbedtls)
endif

# Everything built depends on this file, rewritten only when the compiler,
# the flags, TLS or HANDLERS differ from the last build in $(BUILD): so
# `make HANDLERS=...` or `make STATIC=1` after a plain `make` rebuilds.
FLAGS = $(BUILD)/flags
FLAGS_NOW := $(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) TLS=$(TLS) HANDLERS=$(HANDLERS)
ifneq ($(FLAGS_NOW),$(file <$(FLAGS)))
$(shell mkdir -p $(BUILD))
$(file >$(FLAGS),$(FLAGS_NOW))
endif

CORE_OBJ = $(CORE:%=$(BUILD)/agent/%.o)
PORT_OBJ = $(PORT:%=$(BUILD)/port/%.o)
LIB = $(BUILD)/libdockev.a
BIN = $(BUILD)/dockev

UNIT_SRC = $(filter-out tests/test_port.c tests/test_proc.c,$(sort $(wildcard tests/test_*.c)))
UNIT_BIN = $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%) $(BUILD)/tests/test_port \
	$(BUILD)/tests/test_proc
TOOLS = $(BUILD)/fakeengine $(BUILD)/example-handlers

.PHONY: all check test demo bench install clean deps FORCE
all: $(BIN)

$(BUILD)/agent/%.o: agent/%.c agent/*.h port/port.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/port/%.o: port/%.c agent/*.h port/*.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/handlers.o: $(HANDLERS) agent/*.h port/port.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/main.o: agent/main.c agent/*.h port/*.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(BIN): $(BUILD)/main.o $(BUILD)/handlers.o $(LIB) $(PORT_OBJ) $(FLAGS)
	$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/main.o $(BUILD)/handlers.o $(LIB) $(PORT_OBJ) $(ALL_LDFLAGS)

# Unit tests: one per core module, linked with fakes at the port boundary.
$(BUILD)/tests/fakeport.o: tests/fakeport.c tests/*.h agent/*.h port/port.h Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -c -o $@ $<
$(BUILD)/tests/test_%: tests/test_%.c tests/*.h $(LIB) $(BUILD)/tests/fakeport.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -DDK_TEST_DATA='"tests/data/"' -o $@ $< $(BUILD)/tests/fakeport.o $(LIB) $(ALL_LDFLAGS)

# The port's own test links the real port, not the fakes.
$(BUILD)/tests/test_port: tests/test_port.c tests/*.h $(PORT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(PORT_OBJ) $(LIB) $(ALL_LDFLAGS)
$(BUILD)/tests/test_proc: tests/test_proc.c tests/*.h $(PORT_OBJ) $(LIB)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -Itests -o $@ $< $(PORT_OBJ) $(LIB) $(ALL_LDFLAGS)

# The fake engine and the example handler table (built as a whole agent).
$(BUILD)/fakeengine: tools/fakeengine.c Makefile
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)
$(BUILD)/example-handlers: tools/examples/handlers.c FORCE
	$(MAKE) BUILD=$(BUILD)/ex HANDLERS=tools/examples/handlers.c $(BUILD)/ex/dockev
	cp $(BUILD)/ex/dockev $@

# test: everything in this build flavour; check: deps, then plain, ASan+UBSan
# and valgrind flavours. The last lines are prove's summary.
test: $(BIN) $(UNIT_BIN) $(TOOLS)
	BUILD=$(BUILD) WRAP="$(WRAP)" tools/runtests $(UNIT_BIN) $(sort $(wildcard tests/integration/*.t))

deps:
	tools/deps

check: deps
	$(MAKE) BUILD=build/clang CC=clang all $(UNIT_BIN:$(BUILD)/%=build/clang/%)
	$(MAKE) test
	$(MAKE) BUILD=build/asan OPT="-O1" \
		SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" test
	$(MAKE) BUILD=build/vg OPT="-O1" \
		WRAP="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=all --track-fds=yes" test

# make bench: dockev against the docker CLI, docker-py, a curl drain and a
# jsmn floor (tools/bench/run, about 10 minutes; not part of check).
BENCH_BIN = $(BUILD)/bench-empty $(BUILD)/bench-hookstamp \
	$(BUILD)/bench-jsmnfloor $(BUILD)/bench-count
bench: $(BIN) $(BUILD)/fakeengine $(BENCH_BIN)
	tools/bench/deps
	BUILD=$(BUILD) tools/bench/run

# Static, so that the latency it measures is the agent's and the exec's,
# not the dynamic loader's.
$(BUILD)/bench-hookstamp: tools/bench/hookstamp.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS) -static

$(BUILD)/bench-empty: tools/bench/empty.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

# The floor: built with the agent's own flags, so the comparison is fair.
$(BUILD)/bench-jsmnfloor: tools/bench/jsmnfloor.c agent/config.h Makefile $(FLAGS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(ALL_LDFLAGS)

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

FORCE:
