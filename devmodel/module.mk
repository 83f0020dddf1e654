# The device model: emulated devices behind the ioreq path (an ATA disk on a
# bus-master IDE controller, an NE2000 NIC) and the process that serves them.
LIBS += xenpvdm
xenpvdm_SRCS := devmodel/ide.c devmodel/ide_dma.c devmodel/ide_identify.c \
	devmodel/ne2k.c

PROGS += xenpv-devmodel
xenpv-devmodel_SRCS := tools/xenpv-devmodel.c devmodel/dm.c
xenpv-devmodel_LIBS := xenpvdm xenpvaio xenpvtap xenpvloop xenpvcore xenpvuser \
	xenpvxs
xenpv-devmodel_LDLIBS := -laio

# make bench: the emulated disk and its raw-libaio limit, one workload a run.
PROGS += xenpv-emu-bench
xenpv-emu-bench_SRCS := bench/emu_bench.c devmodel/dm.c
xenpv-emu-bench_LIBS := xenpvdm xenpvaio xenpvtap xenpvata xenpvloop xenpvcore \
	xenpvuser xenpvxs
xenpv-emu-bench_LDLIBS := -laio
