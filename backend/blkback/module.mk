# blkback: the request validator and ABI codec (pure, fuzzed), the daemon
# library, the xenpv-blkback program and the toolstack's xenpv-attach.
LIBS += xenpvblkreq
xenpvblkreq_SRCS := backend/blkback/blkif_abi.c backend/blkback/blkback_check.c

LIBS += xenpvblkback
xenpvblkback_SRCS := backend/blkback/bb.c backend/blkback/dev.c \
	backend/blkback/ring.c backend/blkback/pgrant.c backend/blkback/disk.c \
	backend/blkback/gcopy.c

BLKBACK_LIBS := xenpvblkback xenpvaio xenpvblkreq xenpvops xenpvuser xenpvloop \
	xenpvxs xenpvcore
BLKBACK_LDLIBS := -laio -lxengnttab -lxenevtchn

PROGS += xenpv-blkback
xenpv-blkback_SRCS := backend/blkback/main.c
xenpv-blkback_LIBS := $(BLKBACK_LIBS)
xenpv-blkback_LDLIBS := $(BLKBACK_LDLIBS)

PROGS += xenpv-attach
xenpv-attach_SRCS := tools/xenpv-attach.c
xenpv-attach_LIBS := xenpvxs xenpvcore

TESTS += unit_blkback
unit_blkback_SRCS := $(wildcard tests/unit/blkback/*.c) tests/unit/cunit_main.c
unit_blkback_LIBS := xenpvblkreq xenpvcore xpvfakeos
unit_blkback_LDLIBS := -lcunit

FUZZERS += blkback_req
blkback_req_SRCS := tests/fuzz/blkback_req.c
blkback_req_LIBS := xenpvblkreq

# End to end on the loopback: a scripted evil frontend against the daemon.
TESTS += loopback_blkback_evil
loopback_blkback_evil_SRCS := tests/loopback/test_blk_evil.c \
	tests/loopback/blk_efe.c tests/loopback/blk_env.c tests/unit/cunit_main.c
loopback_blkback_evil_LIBS := xenpvblkreq xenpvuser xenpvloop xenpvxs xenpvcore
loopback_blkback_evil_LDLIBS := -lcunit

# End to end with the real frontend (drivers/blkfront on os/user).
TESTS += loopback_blk_e2e
loopback_blk_e2e_SRCS := tests/loopback/test_blk_e2e.c tests/loopback/blk_env.c \
	tests/unit/cunit_main.c
loopback_blk_e2e_LIBS := xenpvblkfront_user xenpvblkfront xenpvuser xenpvloop \
	xenpvxs xenpvcore
loopback_blk_e2e_LDLIBS := -lcunit
