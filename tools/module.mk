PROGS += xenpv-loopback
xenpv-loopback_SRCS := tools/xenpv-loopback.c
xenpv-loopback_LIBS := xenpvloop xenpvxsd xenpvcore xenpvuser xenpvxs
