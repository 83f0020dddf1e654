# The libaio engine of the userspace backends: blkback's rings and the
# device model's disk.  Programs linking it add -laio.
LIBS += xenpvaio
xenpvaio_SRCS := backend/aio/aio.c
