TESTS += unit_evtchn
unit_evtchn_SRCS := tests/unit/evtchn/test_evtchn.c tests/unit/cunit_main.c
unit_evtchn_LIBS := xenpvcore xpvfakeos
unit_evtchn_LDLIBS := -lcunit
