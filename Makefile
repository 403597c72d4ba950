# SPDX-License-Identifier: MIT
# mailtrail -- plain GNU make. Targets: all check demo bench fuzz asan clean.
# Build output goes to $(BUILD) (build/ by default; build-asan/ for the sanitizer run).

CC      ?= cc
BUILD   ?= build
VERSION := 0.1.0
WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wvla -Wformat=2
CFLAGS  ?= -O2 -g
# Project flags are kept apart from CFLAGS so that `make CFLAGS=...` (the
# sanitizer build) adds to them instead of replacing them.
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -fPIC -pthread $(WARN) -Iinclude -DMT_VERSION='"$(VERSION)"'
ALL_CFLAGS   = $(BASE_CFLAGS) -Ilib $(CFLAGS)
LDLIBS  := -lsqlite3 -lzstd -lz -lpthread -lm
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# The CLI is one static, position-independent executable (SQLite, zstd, zlib
# and glibc from the static archives Debian's -dev packages ship): a question
# answered from the index (trace --db) takes a few milliseconds, and the
# dynamic loader -- mapping libc and libm, resolving and relocating every
# symbol at start -- cost about one of them (trace --db p50 at 10 M events:
# 5.6 ms shared glibc, 4.7 ms static-pie; bench/results/2026-11-22-session7.md).
# static-pie keeps address-space randomisation. mailtrail uses nothing of
# glibc that wants the shared library at run time (NSS, iconv, locales);
# the linker still warns that SQLite's extension loader calls dlopen: that
# code runs only when an application enables extension loading, and
# mailtrail never does (`sql` cannot call load_extension()). libmailtrail.so,
# the tests and the sanitizer builds (ASan and UBSan want everything shared)
# link dynamically; CLI_LINK=dynamic does that for the CLI too.
ifneq (,$(findstring -fsanitize,$(CFLAGS)))
CLI_LINK ?= dynamic
else
CLI_LINK ?= static
endif
CLI_STATIC_LDLIBS := -static-pie -lsqlite3 -lzstd -lz -lpthread -lm
CLI_LDLIBS = $(if $(filter static,$(CLI_LINK)),$(CLI_STATIC_LDLIBS),$(LDLIBS))

LIB_SRC  := $(sort $(wildcard lib/*/*.c))
CLI_SRC  := $(sort $(wildcard cli/*.c))
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
CLI_OBJ  := $(CLI_SRC:%.c=$(BUILD)/%.o)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
DEPS     := $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

.PHONY: all check demo bench fuzz asan unit cli-tests gen-tests trace-tests index-tests regress flows-check clean deps deps-bench update-expected bench-index bench-instr

all: $(BUILD)/libmailtrail.a $(BUILD)/libmailtrail.so $(BUILD)/mailtrail

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/libmailtrail.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/libmailtrail.so: $(LIB_OBJ)
	$(CC) $(ALL_CFLAGS) -shared -Wl,-soname,libmailtrail.so.0 -o $@ $^ $(LDLIBS)

# The CLI sees only include/ (the public API); -Ilib is not on its command line.
$(BUILD)/cli/%.o: cli/%.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(BASE_CFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/mailtrail: $(CLI_OBJ) $(BUILD)/libmailtrail.a
	$(CC) $(ALL_CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/libmailtrail.a $(CLI_LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libmailtrail.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -o $@ $< $(BUILD)/libmailtrail.a -lcmocka $(LDLIBS)

-include $(DEPS)

# Debian packages the build and tests need; installed only when missing.
DEPS_PKGS := build-essential pkg-config libcmocka-dev zlib1g-dev libzstd-dev zstd libsqlite3-dev clang tzdata python3
deps:
	@sh tools/ensure-packages.sh $(DEPS_PKGS)

unit: $(UNIT_BIN)
	@sh tests/run-unit.sh $(UNIT_BIN)

cli-tests: $(BUILD)/mailtrail
	@sh tests/cli/run.sh $(BUILD)/mailtrail

# The simulator's output against its ground truth, read back by an independent checker.
gen-tests: $(BUILD)/mailtrail
	@sh tests/gen/run.sh $(BUILD)/mailtrail

FUZZERS := msgtrk smtplog postfix iis index
# Every simulated message traced and compared with the ground truth.
trace-tests: $(BUILD)/mailtrail
	@sh tests/trace/run.sh $(BUILD)/mailtrail

# flows' plain rebuild against the facts' one, message by message: a build of
# its own with the check compiled in (-DMT_FLOWS_CHECK; build-fcheck/).
flows-check:
	$(MAKE) BUILD=build-fcheck CFLAGS="-O2 -g -DMT_FLOWS_CHECK" build-fcheck/mailtrail
	@sh tests/trace/flows_check.sh build-fcheck/mailtrail

# The index against the files: same answers, kill -9, appends, rotation, damage, tail.
index-tests: $(BUILD)/mailtrail
	@python3 tests/index/check_index.py $(BUILD)/mailtrail

regress: $(FUZZERS:%=$(BUILD)/fuzz_%_replay)
	@sh tests/run-regress.sh $(BUILD) $(FUZZERS)

$(BUILD)/fuzz_%_replay: fuzz/fuzz_%.c fuzz/replay_main.c $(BUILD)/libmailtrail.a
	$(CC) $(ALL_CFLAGS) -o $@ $< fuzz/replay_main.c $(BUILD)/libmailtrail.a $(LDLIBS)

update-expected: $(BUILD)/mailtrail
	@MT_UPDATE_EXPECTED=1 sh tests/cli/run.sh $(BUILD)/mailtrail

# make check: everything, then again under ASan+UBSan, then a short fuzz run.
check: deps
	$(MAKE) all
	$(MAKE) unit cli-tests gen-tests trace-tests index-tests regress flows-check
	$(MAKE) BUILD=build-asan CC=clang CFLAGS="-O1 -g $(SAN)" all unit cli-tests gen-tests trace-tests index-tests regress
	$(MAKE) fuzz FUZZ_SECONDS=$${FUZZ_SECONDS:-30}
	@echo "make check: all suites passed"

FUZZ_SECONDS ?= 60
fuzz:
	@sh fuzz/run.sh $(FUZZ_SECONDS)

demo: deps all
	@sh demo/run.sh $(BUILD)/mailtrail

deps-bench:
	@sh tools/ensure-packages.sh $(DEPS_PKGS) ripgrep miller sqlite3 python3 time

bench: deps-bench all
	@sh bench/run.sh $(BUILD)/mailtrail

# flows and report against a strict search pass in instructions (callgrind):
# exact from run to run where wall time on a shared VM is not.
bench-instr: all
	@sh tools/ensure-packages.sh valgrind
	@sh bench/instructions.sh $(BUILD)/mailtrail

# The index: build speed and size, re-runs, each query shape from --db and --logs.
# Questions to an open index, without process start (bench/latency.c).
$(BUILD)/bench_latency: bench/latency.c $(BUILD)/libmailtrail.a
	$(CC) $(BASE_CFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/libmailtrail.a $(LDLIBS)

bench-index: deps-bench all $(BUILD)/bench_latency
	@sh bench/index.sh $(BUILD)/mailtrail

clean:
	rm -rf build build-asan build-clang build-fuzz build-fcheck
