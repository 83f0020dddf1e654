TESTS += unit_blkfront
unit_blkfront_SRCS := tests/unit/blkfront/test_blkfront.c \
	tests/unit/blkfront/test_blkfront_evil.c tests/unit/blkfront/tb.c \
	tests/unit/cunit_main.c
unit_blkfront_LIBS := xenpvblkfront xenpvcore xpvfakeos
unit_blkfront_LDLIBS := -lcunit

# The response validator and the response path under libFuzzer.
FUZZERS += blkfront_rsp
blkfront_rsp_SRCS := tests/fuzz/blkfront_rsp.c
blkfront_rsp_LIBS := xenpvblkfront xenpvcore
