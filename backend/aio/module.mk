# A small libaio engine shared by userspace backends (the device model).
LIBS += xenpvaio
xenpvaio_SRCS := backend/aio/aio.c
