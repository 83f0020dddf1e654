# The guest's NE2000 driver (portable) and its userspace host: a loopback
# HVM-style domain whose NIC is bridged to a TAP (tools/xenpv-emunic.c).
LIBS += xenpvemunic xenpvemunic_user
xenpvemunic_SRCS := drivers/emunic/emunic.c
xenpvemunic_user_SRCS := drivers/emunic/emunic_user.c

PROGS += xenpv-emunic
xenpv-emunic_SRCS := tools/xenpv-emunic.c
xenpv-emunic_LIBS := xenpvemunic_user xenpvemunic xenpvtap xenpvloop \
	xenpvcore xenpvuser xenpvxs
