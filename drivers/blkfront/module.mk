# The portable block frontend (blkfront.c, blkfront_xs.c: os.h only) and
# its userspace host (blkfront_user.c: a loopback domain on os/user).
LIBS += xenpvblkfront xenpvblkfront_user
xenpvblkfront_SRCS := drivers/blkfront/blkfront.c drivers/blkfront/blkfront_xs.c
xenpvblkfront_user_SRCS := drivers/blkfront/blkfront_user.c
