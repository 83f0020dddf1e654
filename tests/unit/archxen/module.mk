TESTS += unit_archxen
unit_archxen_SRCS := tests/unit/archxen/test_archxen.c tests/unit/cunit_main.c \
	arch-xen/pvclock.c arch-xen/irqflags.c
unit_archxen_LDLIBS := -lcunit
