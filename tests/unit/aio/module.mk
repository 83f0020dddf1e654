TESTS += unit_aio
unit_aio_SRCS := tests/unit/aio/test_aio.c tests/unit/cunit_main.c
unit_aio_LIBS := xenpvaio
unit_aio_LDLIBS := -lcunit -laio
