TESTS += unit_xenstored
unit_xenstored_SRCS := tests/unit/xenstored/test_xenstored.c \
	tests/unit/xenstored/test_xenstored_hostile.c \
	tests/unit/xenstored/xsd_client.c tests/unit/cunit_main.c
unit_xenstored_LIBS := xenpvxsd xenpvcore
unit_xenstored_LDLIBS := -lcunit

FUZZERS += xenstored_conn
xenstored_conn_SRCS := tests/fuzz/xenstored_conn.c
xenstored_conn_LIBS := xenpvxsd xenpvcore
