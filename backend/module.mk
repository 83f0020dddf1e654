# xenops: how a userspace backend reaches Xen (real Xen or the loopback).
LIBS += xenpvops
xenpvops_SRCS := backend/xenops.c backend/xenops_lb.c backend/xenops_xen.c
# Programs linking it add -lxengnttab -lxenevtchn.
