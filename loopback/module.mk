# The loopback hypervisor: domains, grant table v1, 2-level event channels.
LIBS += xenpvloop
xenpvloop_SRCS := $(wildcard loopback/*.c)
