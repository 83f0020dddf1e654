# The portable balloon (balloon.c, balloon_xs.c: os.h only) and its
# userspace host (balloon_user.c: a loopback domain on os/user).
LIBS += xenpvballoon xenpvballoon_user
xenpvballoon_SRCS := drivers/balloon/balloon.c drivers/balloon/balloon_xs.c
xenpvballoon_user_SRCS := drivers/balloon/balloon_user.c
