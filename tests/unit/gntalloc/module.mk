TESTS += unit_gntalloc
unit_gntalloc_SRCS := tests/unit/gntalloc/test_gntalloc.c tests/unit/cunit_main.c
unit_gntalloc_LIBS := xenpvcore xpvfakeos
unit_gntalloc_LDLIBS := -lcunit
