# xenpv: `make bench` runs the main job, `make test` runs every test.
# Both install what a fresh Debian 12 machine is missing (mk/deps.sh).
#
# Two build flavours of the same sources:
#   build/san  ASan + UBSan, for every test
#   build/rel  -O2, for the benchmarks and the tools a user runs
# Each directory declares its libraries, programs and tests in a module.mk
# fragment (see mk/rules.mk for the variables it may set).

.DEFAULT_GOAL := all
SHELL := /bin/bash

BUILD ?= build
CC ?= gcc
CLANG ?= clang

WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wshadow \
	-Wstrict-prototypes -Wmissing-prototypes -Wno-address-of-packed-member
BASE_CFLAGS := -std=gnu11 -g -D_GNU_SOURCE -Iinclude -I. $(WARN) -fPIC
SAN := -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
CFLAGS_san := $(BASE_CFLAGS) -O1 $(SAN)
LDFLAGS_san := $(SAN)
CFLAGS_rel := $(BASE_CFLAGS) -O2
LDFLAGS_rel :=

FLAVOURS := san rel

include mk/rules.mk
include mk/modules.mk
include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))
$(foreach f,$(FLAVOURS),$(eval $(call flavour_rules,$(f))))
# After the module.mk files: they declare FUZZERS.
$(foreach z,$(FUZZERS),$(eval $(call fuzz_rule,$(z))))

.PHONY: all deps test bench fuzz clean format
all: deps $(ALL_san) $(ALL_rel)

deps:
	@bash mk/deps.sh

test: deps $(ALL_san) $(ALL_rel) $(FUZZ_BINS)
	@bash tests/run.sh $(BUILD)

bench: deps $(ALL_rel)
	@bash bench/run.sh $(BUILD) $(BENCH_ARGS)

# Long fuzzing runs; `make test` runs each target for a few seconds only.
FUZZ_SECONDS ?= 300
fuzz: deps $(FUZZ_BINS)
	@bash tests/fuzz/run.sh $(BUILD) $(FUZZ_SECONDS)

format:
	clang-format -i $$(git ls-files '*.c' '*.h' | grep -v '^drivers/.*_linux.c')

clean:
	rm -rf $(BUILD)
