TESTS += unit_xs_wire
unit_xs_wire_SRCS := tests/unit/xs_wire/test_xs_wire.c tests/unit/cunit_main.c
unit_xs_wire_LIBS := xenpvcore
unit_xs_wire_LDLIBS := -lcunit

FUZZERS += xs_wire_reader
xs_wire_reader_SRCS := tests/fuzz/xs_wire_reader.c
xs_wire_reader_LIBS := xenpvcore
