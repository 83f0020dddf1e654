# Real Xen 4.17 in QEMU (TCG): `make xen-test` (tests/xen/run.sh).
# The dom0 half of xenpv-selftest.ko, on xenops "xen" and our libxs.
PROGS += xenpv-xen-peer
xenpv-xen-peer_SRCS := tests/xen/peer.c
xenpv-xen-peer_LIBS := xenpvops xenpvloop xenpvuser xenpvxs xenpvcore
xenpv-xen-peer_LDLIBS := -lxengnttab -lxenevtchn

# 4 KiB random I/O for the block throughput table (run in the domU).
PROGS += xenpv-blkrand
xenpv-blkrand_SRCS := tests/xen/blkrand.c

# Both guests: memory that only it writes, checked for foreign writes.
PROGS += xenpv-canary
xenpv-canary_SRCS := tests/xen/canary.c

# dom0: the raw-frame peer of our PV kernel's netfront.
PROGS += xenpv-rawpeer
xenpv-rawpeer_SRCS := tests/xen/rawpeer.c
xenpv-rawpeer_LDLIBS := -lz

# dom0: XEN_MC_fetch through privcmd, parsed by our MCA walker.
PROGS += xenpv-mcapeek
xenpv-mcapeek_SRCS := tests/xen/mcapeek.c
xenpv-mcapeek_LIBS := xenpvmca
xenpv-mcapeek_LDLIBS := -lxencall

.PHONY: xen-deps xen-test
xen-deps:
	@bash tests/xen/deps.sh

# What the guests run: our dom0 programs and libxenstore.so.4, the modules.
XEN_TEST_BINS := $(addprefix $(BUILD)/rel/bin/,xenpv-xen-peer \
	xs_script_xenpv xs_script_libxenstore xenpv-netback xenpv-attach) \
	$(LIBXS_SO)
# The block pairs: our blkback in dom0, the random I/O load in the domU.
XEN_TEST_BINS += $(addprefix $(BUILD)/rel/bin/,xenpv-blkback xenpv-blkrand \
	xenpv-mcapeek xenpv-rawpeer xenpv-canary)
xen-test: deps xen-deps $(XEN_TEST_BINS) $(KERNEL)
	@$(MAKE) --no-print-directory modules
	@bash tests/xen/run.sh $(BUILD)
