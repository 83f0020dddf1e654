TESTS += unit_xenbus
unit_xenbus_SRCS := tests/unit/xenbus/test_xenbus.c tests/unit/cunit_main.c
unit_xenbus_LIBS := xenpvcore xpvfakeos
unit_xenbus_LDLIBS := -lcunit

# The state-node parser and the transition function under libFuzzer.
FUZZERS += xenbus_state
xenbus_state_SRCS := tests/fuzz/xenbus_state.c
xenbus_state_LIBS := xenpvcore
