# Build templates.  A module.mk fragment may set, for a name N:
#
#   LIBS += N            N_SRCS := ...   -> $(BUILD)/<flavour>/libN.a
#   PROGS += N           N_SRCS := ...   N_LIBS := (our libs; the core and its
#                        host call each other, so they link as one group)
#                        N_LDLIBS := -l...                 -> $(BUILD)/<flavour>/bin/N
#   TESTS += N           same variables; built in the san flavour only,
#                        -> $(BUILD)/san/tests/N, run by tests/run.sh
#   FUZZERS += N         N_SRCS, N_LIBS: a libFuzzer target built with clang;
#                        the sources of N_LIBS and tests/fuzz/os_stub.c (a
#                        host whose cross-domain hooks all fail) are compiled
#                        in -> $(BUILD)/fuzz/N, run by tests/fuzz/run.sh
#   N_CFLAGS             extra flags for N's own sources

objs = $(patsubst %.c,$(BUILD)/$(1)/obj/%.o,$(2))
libfiles = $(foreach l,$(2),$(BUILD)/$(1)/lib$(l).a)

define lib_rule
$(BUILD)/$(1)/lib$(2).a: $(call objs,$(1),$($(2)_SRCS))
	@mkdir -p $$(@D)
	@rm -f $$@
	@echo "  AR [$(1)] $$@"
	@ar rcs $$@ $$^
ALL_$(1) += $(BUILD)/$(1)/lib$(2).a
endef

define prog_rule
$(BUILD)/$(1)/$(3)/$(2): $(call objs,$(1),$($(2)_SRCS)) $(call libfiles,$(1),$($(2)_LIBS))
	@mkdir -p $$(@D)
	@echo "  LD [$(1)] $$@"
	@$$(CC) $$(LDFLAGS_$(1)) -o $$@ $(call objs,$(1),$($(2)_SRCS)) \
		-Wl,--start-group $(call libfiles,$(1),$($(2)_LIBS)) -Wl,--end-group \
		$($(2)_LDLIBS) -lpthread
ALL_$(1) += $(BUILD)/$(1)/$(3)/$(2)
$(call objs,$(1),$($(2)_SRCS)): EXTRA_CFLAGS := $($(2)_CFLAGS)
endef

define flavour_rules
$(BUILD)/$(1)/obj/%.o: %.c
	@mkdir -p $$(@D)
	@echo "  CC [$(1)] $$<"
	@$$(CC) $$(CFLAGS_$(1)) $$(EXTRA_CFLAGS) -MMD -MP -c -o $$@ $$<
$(foreach l,$(LIBS),$(eval $(call lib_rule,$(1),$(l))))
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(1),$(p),bin)))
$(if $(filter san,$(1)),$(foreach t,$(TESTS),$(eval $(call prog_rule,$(1),$(t),tests))))
-include $(shell find $(BUILD)/$(1)/obj -name '*.d' 2>/dev/null)
endef

FUZZ_CFLAGS := $(BASE_CFLAGS) -O1 -fsanitize=fuzzer,address,undefined
define fuzz_rule
$(BUILD)/fuzz/$(1): $($(1)_SRCS) $(foreach l,$($(1)_LIBS),$($(l)_SRCS)) tests/fuzz/os_stub.c
	@mkdir -p $$(@D)
	@echo "  FUZZ $$@"
	@$$(CLANG) $$(FUZZ_CFLAGS) $($(1)_CFLAGS) -o $$@ $$^ $($(1)_LDLIBS)
FUZZ_BINS += $(BUILD)/fuzz/$(1)
endef
$(foreach z,$(FUZZERS),$(eval $(call fuzz_rule,$(z))))
