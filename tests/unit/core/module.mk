# An in-process os.h host for unit tests (see fake_os.h); any unit test may
# link it after xenpvcore.
LIBS += xpvfakeos
xpvfakeos_SRCS := tests/unit/core/fake_os.c
