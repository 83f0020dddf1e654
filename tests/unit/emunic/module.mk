TESTS += unit_emunic
unit_emunic_SRCS := tests/unit/emunic/test_emunic.c tests/unit/ne2k/harness.c \
	tests/unit/cunit_main.c
unit_emunic_LIBS := xenpvemunic xenpvdm
unit_emunic_LDLIBS := -lcunit
