# The loopback xenstored (library) and its standalone daemon.
LIBS += xenpvxsd
xenpvxsd_SRCS := $(wildcard loopback/xenstored/*.c)

PROGS += xenpv-xenstored
xenpv-xenstored_SRCS := tools/xenpv-xenstored.c
xenpv-xenstored_LIBS := xenpvxsd xenpvcore
