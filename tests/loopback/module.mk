TESTS += loopback_abi
loopback_abi_SRCS := tests/loopback/test_loopback.c tests/unit/cunit_main.c
loopback_abi_LIBS := xenpvuser xenpvloop xenpvxs xenpvcore
loopback_abi_LDLIBS := -lcunit

TESTS += loopback_system
loopback_system_SRCS := tests/loopback/test_system.c tests/unit/cunit_main.c
loopback_system_LIBS := xenpvuser xenpvloop xenpvxs xenpvcore
loopback_system_LDLIBS := -lcunit

TESTS += loopback_balloon
loopback_balloon_SRCS := tests/loopback/test_balloon.c \
	tests/loopback/lb_host.c tests/unit/cunit_main.c
loopback_balloon_LIBS := xenpvballoon xenpvballoon_user xenpvuser \
	xenpvloop xenpvxsd xenpvxs xenpvcore
loopback_balloon_LDLIBS := -lcunit

TESTS += loopback_mca
loopback_mca_SRCS := tests/loopback/test_mca.c tests/loopback/lb_host.c \
	tests/unit/cunit_main.c
loopback_mca_LIBS := xenpvmca xenpvmca_user xenpvuser xenpvloop xenpvxsd \
	xenpvxs xenpvcore
loopback_mca_LDLIBS := -lcunit

TESTS += loopback_xenops
loopback_xenops_SRCS := tests/loopback/test_xenops.c tests/unit/cunit_main.c
loopback_xenops_LIBS := xenpvops xenpvuser xenpvloop xenpvxs xenpvcore
loopback_xenops_LDLIBS := -lcunit -lxengnttab -lxenevtchn
