# The portable core: no OS headers, no #ifdef on the OS.
LIBS += xenpvcore
xenpvcore_SRCS := $(wildcard core/*.c)
