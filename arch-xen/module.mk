# The xenpv PV kernel: `make kernel` -> build/kernel/xenpv-kernel, an ELF that
# `xl create` boots as a PV domU.  Built freestanding from arch-xen/ and the
# portable core, with its own flags (no red zone: Xen bounces traps onto the
# kernel stack; no SSE: the kernel saves no FPU state).
KERNEL := $(BUILD)/kernel/xenpv-kernel
KERNEL_SRCS := $(wildcard arch-xen/*.c arch-xen/*.S) core/evtchn.c \
	core/xs_wire.c core/gntalloc.c core/ring.c core/xenbus.c \
	drivers/blkfront/blkfront.c drivers/blkfront/blkfront_xs.c \
	drivers/netfront/netfront.c drivers/netfront/netfront_check.c \
	drivers/netfront/netfront_xs.c drivers/balloon/balloon.c \
	drivers/balloon/balloon_xs.c
KERNEL_OBJS := $(patsubst %,$(BUILD)/kernel/obj/%.o,$(KERNEL_SRCS))
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Iinclude -I. $(WARN) -ffreestanding \
	-fno-pic -fno-pie -mno-red-zone -mno-mmx -mno-sse -mno-sse2 -mno-avx \
	-mcmodel=small -fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-builtin -D__XEN_INTERFACE_VERSION__=0x00040e00

$(BUILD)/kernel/obj/%.o: %
	@mkdir -p $(@D)
	@echo "  CC [kernel] $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c -o $@ $<

$(KERNEL): $(KERNEL_OBJS) arch-xen/kernel.lds
	@echo "  LD [kernel] $@"
	@$(CC) -nostdlib -static -no-pie -Wl,-T,arch-xen/kernel.lds \
		-Wl,-z,max-page-size=4096 -Wl,--build-id=none -o $@ $(KERNEL_OBJS)

.PHONY: kernel
kernel: $(KERNEL)
-include $(shell find $(BUILD)/kernel/obj -name '*.d' 2>/dev/null)
