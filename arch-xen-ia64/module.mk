# IA-64 guest port: ABI header, pv ops, hyper-reflection, and the reference
# model of Xen/ia64 that the guest layer runs against on the build host.
# hyperprivop.S is ia64 code: only tests/unit/ia64 assembles it (binutils).
LIBS += xenpvia64
xenpvia64_SRCS := $(wildcard arch-xen-ia64/*.c) \
	$(wildcard arch-xen-ia64/model/*.c)

PROGS += xenpv-ia64-trace
xenpv-ia64-trace_SRCS := bench/ia64_trace.c
xenpv-ia64-trace_LIBS := xenpvia64
