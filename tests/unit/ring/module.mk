TESTS += unit_ring
unit_ring_SRCS := tests/unit/ring/test_ring.c tests/unit/cunit_main.c
unit_ring_LIBS := xenpvcore xpvfakeos
unit_ring_LDLIBS := -lcunit
