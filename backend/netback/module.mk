# netback: the userspace TAP backend for vifs, and the vif toolstack logic.
# The pure parser/planner (fuzzed and unit-tested on its own):
LIBS += xenpvnetpkt
xenpvnetpkt_SRCS := backend/netback/pkt_hdr.c backend/netback/pkt_tx.c \
	backend/netback/pkt_rx.c

LIBS += xenpvnetback
xenpvnetback_SRCS := backend/netback/nb_server.c backend/netback/nb_vif.c \
	backend/netback/nb_conn.c backend/netback/nb_tx.c \
	backend/netback/nb_rx.c

# The toolstack side, linked into xenpv-attach for its `vif` subcommand.
LIBS += xenpvvif
xenpvvif_SRCS := backend/netback/vif_attach.c backend/netback/vif_main.c
xenpv-attach_LIBS += xenpvvif

PROGS += xenpv-netback
xenpv-netback_SRCS := tools/xenpv-netback.c
xenpv-netback_LIBS := xenpvnetback xenpvnetpkt xenpvtap xenpvops xenpvuser \
	xenpvloop xenpvxs xenpvcore
xenpv-netback_LDLIBS := -lxengnttab -lxenevtchn

TESTS += unit_netback
unit_netback_SRCS := $(wildcard tests/unit/netback/*.c) tests/unit/cunit_main.c
unit_netback_LIBS := xenpvnetback xenpvnetpkt xenpvtap xenpvops xenpvuser \
	xenpvloop xenpvxs xenpvcore
unit_netback_LDLIBS := -lcunit -lxengnttab -lxenevtchn

# The tx request parser and header work on whatever a frontend sends.
FUZZERS += netback_tx
netback_tx_SRCS := tests/fuzz/netback_tx.c
netback_tx_LIBS := xenpvnetpkt

# A scripted evil frontend for tests/loopback/test_net_e2e.sh.
PROGS += net_evil_front
net_evil_front_SRCS := tests/loopback/net_evil_front.c
net_evil_front_LIBS := xenpvuser xenpvloop xenpvxs xenpvcore
