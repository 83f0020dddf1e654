TESTS += unit_ne2k
unit_ne2k_SRCS := tests/unit/ne2k/harness.c tests/unit/ne2k/test_ne2k.c \
	tests/unit/ne2k/suites.c tests/unit/cunit_main.c
unit_ne2k_LIBS := xenpvdm
unit_ne2k_LDLIBS := -lcunit
