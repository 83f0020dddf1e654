# The portable netfront (data path, validators, negotiation) and its
# userspace host, which bridges the vif to a TAP device.
LIBS += xenpvnetfront
xenpvnetfront_SRCS := drivers/netfront/netfront.c \
	drivers/netfront/netfront_check.c drivers/netfront/netfront_xs.c

LIBS += xenpvnetfrontuser
xenpvnetfrontuser_SRCS := drivers/netfront/netfront_user.c

PROGS += xenpv-netfront
xenpv-netfront_SRCS := tools/xenpv-netfront.c
xenpv-netfront_LIBS := xenpvnetfrontuser xenpvnetfront xenpvtap xenpvcore \
	xenpvuser xenpvloop xenpvxs
