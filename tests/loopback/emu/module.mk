TESTS += loopback_emu_disk
loopback_emu_disk_SRCS := tests/loopback/emu/test_emu_disk.c devmodel/dm.c \
	tests/unit/cunit_main.c
loopback_emu_disk_LIBS := xenpvdm xenpvaio xenpvtap xenpvata xenpvloop \
	xenpvcore xenpvuser xenpvxs
loopback_emu_disk_LDLIBS := -lcunit -laio
