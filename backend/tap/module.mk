# The TAP plumbing of every userspace NIC: netback, the netfront and NE2000
# hosts, and the device model.
LIBS += xenpvtap
xenpvtap_SRCS := backend/tap/tap.c
