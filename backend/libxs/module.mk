# libxs: the libxenstore-compatible client (the xs_* API of <xenstore.h>).
LIBS += xenpvxs
xenpvxs_SRCS := $(wildcard backend/libxs/*.c)

# The same code as a drop-in for Debian's libxenstore.so.4: same soname,
# same version node, only the xs_* symbols exported.
LIBXS_SO := $(BUILD)/rel/lib/libxenstore.so.4
LIBXS_SO_OBJS := $(call objs,rel,$(xenpvxs_SRCS) core/xs_wire.c)
$(LIBXS_SO): $(LIBXS_SO_OBJS) backend/libxs/libxs.map
	@mkdir -p $(@D)
	$(CC) -shared -o $@ -Wl,-soname,libxenstore.so.4 \
		-Wl,--version-script=backend/libxs/libxs.map -Wl,-z,defs \
		$(LIBXS_SO_OBJS) -lpthread
ALL_rel += $(LIBXS_SO)

TESTS += unit_libxs
unit_libxs_SRCS := $(wildcard tests/unit/libxs/*.c) tests/unit/cunit_main.c
unit_libxs_LIBS := xenpvxs xenpvcore
unit_libxs_LDLIBS := -lcunit

# One scripted session, linked with our library and with Debian's; the
# transcripts are compared by tests/compat/test_libxs_compat.sh.
PROGS += xs_script_xenpv xs_script_libxenstore
xs_script_xenpv_SRCS := tests/compat/xs_script.c
xs_script_xenpv_LIBS := xenpvxs xenpvcore
xs_script_libxenstore_SRCS := tests/compat/xs_script.c
xs_script_libxenstore_LDLIBS := -lxenstore

# Everything xenstored says, fed to the client.
FUZZERS += libxs_stream
libxs_stream_SRCS := tests/fuzz/libxs_stream.c
libxs_stream_LIBS := xenpvxs xenpvcore
