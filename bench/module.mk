PROGS += xenpv-lb-prims
xenpv-lb-prims_SRCS := bench/lb_prims.c
xenpv-lb-prims_LIBS := xenpvloop xenpvcore xenpvuser xenpvxs
