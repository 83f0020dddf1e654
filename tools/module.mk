PROGS += xenpv-loopback
xenpv-loopback_SRCS := tools/xenpv-loopback.c
xenpv-loopback_LIBS := xenpvloop xenpvxsd xenpvcore xenpvuser xenpvxs

PROGS += xenpv-mceinj
xenpv-mceinj_SRCS := tools/xenpv-mceinj.c
xenpv-mceinj_LIBS := xenpvloop xenpvcore xenpvuser xenpvxs
