TESTS += loopback_abi
loopback_abi_SRCS := tests/loopback/test_loopback.c tests/unit/cunit_main.c
loopback_abi_LIBS := xenpvuser xenpvloop xenpvxs xenpvcore
loopback_abi_LDLIBS := -lcunit

TESTS += loopback_system
loopback_system_SRCS := tests/loopback/test_system.c tests/unit/cunit_main.c
loopback_system_LIBS := xenpvuser xenpvloop xenpvxs xenpvcore
loopback_system_LDLIBS := -lcunit
