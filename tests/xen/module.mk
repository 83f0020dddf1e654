# Real Xen 4.17 in QEMU (TCG): `make xen-test` (tests/xen/run.sh).
# The dom0 half of xenpv-selftest.ko, on xenops "xen" and our libxs.
PROGS += xenpv-xen-peer
xenpv-xen-peer_SRCS := tests/xen/peer.c
xenpv-xen-peer_LIBS := xenpvops xenpvloop xenpvuser xenpvxs xenpvcore
xenpv-xen-peer_LDLIBS := -lxengnttab -lxenevtchn

.PHONY: xen-deps xen-test
xen-deps:
	@bash tests/xen/deps.sh

# What the guests run: our dom0 programs and libxenstore.so.4, the modules.
XEN_TEST_BINS := $(addprefix $(BUILD)/rel/bin/,xenpv-xen-peer \
	xs_script_xenpv xs_script_libxenstore) $(LIBXS_SO)
xen-test: deps xen-deps $(XEN_TEST_BINS)
	@$(MAKE) --no-print-directory modules
	@bash tests/xen/run.sh $(BUILD)
