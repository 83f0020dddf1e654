TESTS += unit_archxen
unit_archxen_SRCS := tests/unit/archxen/test_archxen.c tests/unit/cunit_main.c \
	arch-xen/pvclock.c arch-xen/irqflags.c
unit_archxen_LDLIBS := -lcunit

TESTS += unit_archxen_pt
unit_archxen_pt_SRCS := tests/unit/archxen/test_pagetable.c \
	tests/unit/cunit_main.c arch-xen/pagetable.c
unit_archxen_pt_LDLIBS := -lcunit

TESTS += unit_archxen_net
unit_archxen_net_SRCS := tests/unit/archxen/test_netproto.c \
	tests/unit/cunit_main.c arch-xen/netproto.c
unit_archxen_net_LDLIBS := -lcunit

TESTS += unit_archxen_heap
unit_archxen_heap_SRCS := tests/unit/archxen/test_heap.c \
	tests/unit/cunit_main.c arch-xen/heap.c
unit_archxen_heap_LDLIBS := -lcunit
