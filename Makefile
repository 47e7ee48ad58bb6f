# ocdn - one non-recursive Makefile; everything it builds goes under $(BUILD)/ (STYLE.md 11).
#
#   make                 build/bin/ocdn-controlplane, build/bin/ocdn-agent
#   make demo            install what is missing (once per machine), build, run the demo
#   make test            install what is missing, build, run golden, integration and unit tests
#   make test-unit | test-golden | test-integration      one part of `make test`
#   make check-asan      `make test` in build-asan/ with ASan + UBSan
#   make format | format-check | golden | bench | clean
#
# `demo` and `test` re-run make after scripts/install-deps.sh so that pkg-config is asked only
# once the libraries are there (a fresh machine has none of them at parse time).

BUILD   ?= build
CC      ?= cc
SAN     ?= 0
V       ?= 0

PKGS       := libmicrohttpd jansson libcurl sqlite3 openssl libmaxminddb zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wpointer-arith -Wcast-qual -Wformat=2 -Wundef
CFLAGS  ?= -O2 -g
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE \
           -pthread -MMD -MP -Icommon -I$(BUILD)/gen $(PKG_CFLAGS)
LDFLAGS += -pie -pthread
LIBS    := $(PKG_LIBS) -lm

ifeq ($(SAN),1)
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
override CFLAGS += $(SANFLAGS)
LDFLAGS  += $(SANFLAGS)
endif

ifeq ($(V),0)
Q := @
else
Q :=
endif

OBJ = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# ---- sources --------------------------------------------------------------------------------
COMMON_SRCS := $(sort $(wildcard common/*.c))
CP_MAIN     := controlplane/cp_main.c
CP_SRCS     := $(filter-out $(CP_MAIN),$(sort $(wildcard controlplane/*.c)))
AG_MAIN     := agent/ag_main.c
AG_SRCS     := $(filter-out $(AG_MAIN),$(sort $(wildcard agent/*.c)))
SCHEMA_SQL  := $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
SCHEMA_GEN  := $(BUILD)/gen/schema_sql.c

COMMON_OBJS := $(call OBJ,$(COMMON_SRCS))
CP_OBJS     := $(call OBJ,$(CP_SRCS)) $(BUILD)/obj/gen/schema_sql.o
AG_OBJS     := $(call OBJ,$(AG_SRCS))

BINS := $(BUILD)/bin/ocdn-controlplane $(BUILD)/bin/ocdn-agent

# ---- unit tests: tests/unit/check_<name>.c -> $(BUILD)/tests/check_<name> ---------------------
# Every test links common/ and tests/unit/testutil.c; check_<name>_DEPS adds the module(s) it
# tests (and fakes). Tests of common/ modules need no DEPS line.
UNIT_TESTS := $(sort $(notdir $(basename $(wildcard tests/unit/check_*.c))))
TEST_SUPPORT := tests/unit/testutil.c

STORE_SRCS := controlplane/store.c controlplane/model.c \
              $(filter-out controlplane/store_steer.c,$(wildcard controlplane/store_*.c)) $(SCHEMA_GEN)
check_store_DEPS := $(STORE_SRCS)

# Control-plane service and API tests link every control-plane module (but not main()):
# the route-table walkers need the whole request path.
check_api_DEPS := $(CP_SRCS) $(SCHEMA_GEN)
# The route table needs every handler to link (and so the steering engine, controlplane/steer*.c).
check_openapi_DEPS := $(CP_SRCS) $(SCHEMA_GEN)
check_steer_DEPS := $(filter controlplane/steer%.c controlplane/geo%.c controlplane/airport%.c controlplane/model.c,$(CP_SRCS))
check_geo_DEPS := $(filter controlplane/geo%.c controlplane/airport%.c,$(CP_SRCS))
check_serve_DEPS := $(filter agent/serve%.c agent/http_parse.c,$(AG_SRCS))
check_http_parse_DEPS := agent/http_parse.c
check_report_DEPS := $(filter agent/report%.c agent/state.c,$(AG_SRCS))
AG_STATE_SRCS := agent/state.c agent/fileio.c agent/lineset.c agent/catalog.c agent/routeset.c
check_lineset_DEPS := agent/lineset.c
check_catalog_DEPS := agent/catalog.c agent/lineset.c
check_routeset_DEPS := agent/routeset.c agent/lineset.c agent/fileio.c
check_state_DEPS := $(AG_STATE_SRCS)
check_health_DEPS := agent/health.c
check_reporter_DEPS := agent/reporter.c agent/report_proto.c agent/health.c $(AG_STATE_SRCS)
check_ag_config_DEPS := agent/ag_config.c

TEST_BINS := $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))

# ---- benchmarks ---------------------------------------------------------------------------
BENCH_PROGS := $(sort $(notdir $(basename $(wildcard bench/bench_*.c))))
bench_steer_DEPS := $(check_steer_DEPS)
bench_ingest_DEPS := $(CP_SRCS) $(SCHEMA_GEN)
bench_serve_DEPS := $(check_serve_DEPS)
BENCH_BINS := $(addprefix $(BUILD)/bench/,$(BENCH_PROGS))

SRCS_ALL := $(shell find common controlplane agent tests bench -name '*.[ch]' 2>/dev/null)

.PHONY: all demo demo-run test test-run test-unit test-golden test-integration check-asan \
        format format-check golden bench bench-run clean deps

all: $(BINS)

# ---- programs -------------------------------------------------------------------------------
$(BUILD)/bin/ocdn-controlplane: $(call OBJ,$(CP_MAIN)) $(CP_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/bin/ocdn-agent: $(call OBJ,$(AG_MAIN)) $(AG_OBJS) $(COMMON_OBJS)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/tests/%.o: tests/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Itests/unit -Icontrolplane -Iagent -c -o $@ $<

$(BUILD)/obj/bench/%.o: bench/%.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Icontrolplane -Iagent -c -o $@ $<

$(BUILD)/obj/controlplane/%.o: override CFLAGS += -Icontrolplane
$(BUILD)/obj/agent/%.o: override CFLAGS += -Iagent

# The schema is embedded into the binary as an array of (name, sql) pairs.
$(SCHEMA_GEN): $(SCHEMA_SQL) scripts/embed-schema.sh
	@mkdir -p $(@D)
	@echo "  GEN     $@"
	$(Q)scripts/embed-schema.sh $(SCHEMA_SQL) >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/gen/schema_sql.o: $(SCHEMA_GEN)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Icontrolplane -c -o $@ $<

define TEST_template
$(BUILD)/tests/$(1): $(BUILD)/obj/tests/unit/$(1).o $(call OBJ,$(filter-out $(SCHEMA_GEN),$($(1)_DEPS))) \
		$(if $(filter $(SCHEMA_GEN),$($(1)_DEPS)),$(BUILD)/obj/gen/schema_sql.o) \
		$(call OBJ,$(TEST_SUPPORT)) $(COMMON_OBJS)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS) $$(CHECK_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call TEST_template,$(t))))

$(BUILD)/obj/tests/unit/testutil.o: tests/unit/testutil.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) $(CHECK_CFLAGS) -Itests/unit -c -o $@ $<

define BENCH_template
$(BUILD)/bench/$(1): $(BUILD)/obj/bench/$(1).o $(call OBJ,$(filter-out $(SCHEMA_GEN),$($(1)_DEPS))) \
		$(if $(filter $(SCHEMA_GEN),$($(1)_DEPS)),$(BUILD)/obj/gen/schema_sql.o) $(COMMON_OBJS)
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$$(CC) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach b,$(BENCH_PROGS),$(eval $(call BENCH_template,$(b))))

# ---- set-up ---------------------------------------------------------------------------------
# The stamp holds this machine's id and the install script's hash: a new machine or a changed
# script runs the script again; otherwise it is skipped.
DEPS_STAMP := var/.deps-stamp
DEPS_ID = $(shell (cat /etc/machine-id 2>/dev/null || hostname) | head -c 32)-$(shell sha256sum scripts/install-deps.sh | cut -c1-16)
deps:
	@if [ "$$(cat $(DEPS_STAMP) 2>/dev/null)" != "$(DEPS_ID)" ]; then \
		scripts/install-deps.sh && mkdir -p var && echo "$(DEPS_ID)" >$(DEPS_STAMP); \
	else echo "install-deps: already run on this machine ($(DEPS_STAMP))"; fi

demo: deps
	@$(MAKE) --no-print-directory demo-run

demo-run: all
	scripts/demo.sh

# ---- tests ----------------------------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory test-run

# Unit tests come last so that the output ends with Check's summary lines.
test-run: all $(TEST_BINS)
	@$(MAKE) --no-print-directory test-golden
	@$(MAKE) --no-print-directory test-integration
	@$(MAKE) --no-print-directory test-unit

test-unit: $(TEST_BINS)
	@BUILD=$(BUILD) tests/run-unit.sh $(TEST_BINS)

test-golden: all
	@BUILD=$(BUILD) tests/golden.sh check

test-integration: all
	@BUILD=$(BUILD) tests/run-integration.sh

golden: all
	@BUILD=$(BUILD) tests/golden.sh update

check-asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build-asan SAN=1 CFLAGS="-O1 -g" test-run

# ---- benchmarks -----------------------------------------------------------------------------
bench: deps
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(BENCH_BINS)
	@BUILD=$(BUILD) bench/run-all.sh

# ---- formatting -----------------------------------------------------------------------------
format:
	clang-format -i $(SRCS_ALL)

format-check:
	@clang-format --dry-run --Werror $(SRCS_ALL) && echo "format-check: $(words $(SRCS_ALL)) files ok"

clean:
	rm -rf build build-*

-include $(shell find $(BUILD) build-asan -name '*.d' 2>/dev/null)
