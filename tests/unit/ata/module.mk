TESTS += unit_ata
unit_ata_SRCS := $(wildcard tests/unit/ata/*.c) tests/unit/cunit_main.c
unit_ata_LIBS := xenpvdm xenpvata
unit_ata_LDLIBS := -lcunit
