# os.h for a userspace process on the loopback ABI.
LIBS += xenpvuser
xenpvuser_SRCS := $(wildcard os/user/*.c)
