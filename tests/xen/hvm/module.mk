# Real Xen HVM (tests/xen/hvm/): an HVM guest with the device model's
# emulated disk and NIC beside PV ones, `make xen-hvm-test`; its figures
# are `make bench XEN=1`.
LIBS += xenpvxtcount
xenpvxtcount_SRCS := tests/xen/hvm/xtcount.c
# In the guest: the block workload and the trace markers.
PROGS += xenpv-iobench
xenpv-iobench_SRCS := tests/xen/hvm/iobench.c
# In dom0: exits per phase from xentrace's file.
PROGS += xenpv-xtcount
xenpv-xtcount_SRCS := tests/xen/hvm/xtcount_main.c
xenpv-xtcount_LIBS := xenpvxtcount
TESTS += unit_xtcount
unit_xtcount_SRCS := tests/unit/xtcount/test_xtcount.c tests/unit/cunit_main.c
unit_xtcount_LIBS := xenpvxtcount
unit_xtcount_LDLIBS := -lcunit

# What dom0 and the guest run beside Xen's tools and Linux's drivers.
XEN_HVM_BINS := $(addprefix $(BUILD)/rel/bin/,xenpv-iobench xenpv-xtcount \
	xenpv-blkback xenpv-netback xenpv-attach)
.PHONY: xen-hvm-test
xen-hvm-test: deps xen-deps $(XEN_HVM_BINS)
	@$(MAKE) --no-print-directory modules
	@bash tests/xen/hvm/run.sh $(BUILD)
