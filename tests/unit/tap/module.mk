TESTS += unit_tap
unit_tap_SRCS := tests/unit/tap/test_tap.c tests/unit/cunit_main.c
unit_tap_LIBS := xenpvtap
unit_tap_LDLIBS := -lcunit
