TESTS += unit_netfront
unit_netfront_SRCS := $(wildcard tests/unit/netfront/*.c) tests/unit/cunit_main.c
unit_netfront_LIBS := xenpvnetfront xenpvcore xpvfakeos
unit_netfront_LDLIBS := -lcunit

# The rx response validator on whatever a backend writes.
FUZZERS += netfront_rx
netfront_rx_SRCS := tests/fuzz/netfront_rx.c
netfront_rx_LIBS := xenpvnetfront xenpvcore
