TESTS += unit_ia64
unit_ia64_SRCS := tests/unit/ia64/test_ia64.c tests/unit/ia64/test_ia64_props.c \
	tests/unit/ia64/rig.c tests/unit/cunit_main.c
unit_ia64_LIBS := xenpvia64
unit_ia64_LDLIBS := -lcunit

# Assembles arch-xen-ia64/hyperprivop.S with binutils-ia64-linux-gnu.
TESTS += unit_ia64_asm
unit_ia64_asm_SRCS := tests/unit/ia64/test_ia64_asm.c tests/unit/cunit_main.c
unit_ia64_asm_LDLIBS := -lcunit
