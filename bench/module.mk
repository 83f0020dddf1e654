PROGS += xenpv-lb-prims
xenpv-lb-prims_SRCS := bench/lb_prims.c
xenpv-lb-prims_LIBS := xenpvloop xenpvcore xenpvuser xenpvxs

# make bench: the PV block path (blkfront -> xenpv-blkback), its null-backend
# transport and raw libaio, one workload a run (bench/pvbench.py).
PROGS += xenpv-blk-bench
xenpv-blk-bench_SRCS := bench/blk_bench.c
xenpv-blk-bench_LIBS := xenpvblkfront_user xenpvblkfront xenpvuser xenpvloop \
	xenpvxs xenpvcore
xenpv-blk-bench_LDLIBS := -laio

# The loopback's per-domain counters, for the net comparison (pvnet.py).
PROGS += xenpv-lb-stat
xenpv-lb-stat_SRCS := bench/lb_stat.c
xenpv-lb-stat_LIBS := xenpvloop xenpvcore xenpvuser xenpvxs
