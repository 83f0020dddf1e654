# The portable machine-check driver (mca.c, mca_walk.c: os.h only) and its
# userspace host (mca_user.c: a loopback domain on os/user).
LIBS += xenpvmca xenpvmca_user
xenpvmca_SRCS := drivers/mca/mca.c drivers/mca/mca_walk.c
xenpvmca_user_SRCS := drivers/mca/mca_user.c

TESTS += unit_mca
unit_mca_SRCS := tests/unit/mca/test_mca.c tests/unit/cunit_main.c
unit_mca_LIBS := xenpvmca xenpvcore xpvfakeos
unit_mca_LDLIBS := -lcunit

# The mc_info walker on whatever a hypervisor could write.
FUZZERS += mca_walk
mca_walk_SRCS := tests/fuzz/mca_walk.c
mca_walk_LIBS := xenpvmca
