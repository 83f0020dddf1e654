/* SPDX-License-Identifier: MIT */
/*
 * Port I/O and interrupt lines, for the drivers of emulated devices (the
 * HVM path): what in/out instructions and an IRQ line give a real driver.
 * On the loopback each access is one ioreq round trip to the device model.
 */
#ifndef XENPV_PIO_H
#define XENPV_PIO_H

#include "xenpv/os.h"

struct xpv_pio_ops {
	uint32_t (*in)(void *ctx, uint16_t port, unsigned int size);
	void (*out)(void *ctx, uint16_t port, unsigned int size, uint32_t val);
	/*
	 * rep ins / rep outs: @count elements of @size bytes between the port
	 * and @buf, which is guest memory at guest-physical @pa.  0 or -errno.
	 */
	int (*ins)(void *ctx, uint16_t port, unsigned int size, void *buf,
		   uint64_t pa, uint32_t count);
	int (*outs)(void *ctx, uint16_t port, unsigned int size,
		    const void *buf, uint64_t pa, uint32_t count);
	/*
	 * Sleeps until line @irq fired (since the last call that returned 0)
	 * or @timeout_ns passed: 0 or -XPV_ETIMEDOUT.
	 */
	int (*wait_irq)(void *ctx, unsigned int irq, uint64_t timeout_ns);
	void *ctx;
};

static inline uint8_t xpv_inb(const struct xpv_pio_ops *o, uint16_t port)
{
	return o->in(o->ctx, port, 1);
}

static inline void xpv_outb(const struct xpv_pio_ops *o, uint16_t port,
			    uint8_t v)
{
	o->out(o->ctx, port, 1, v);
}

static inline uint16_t xpv_inw(const struct xpv_pio_ops *o, uint16_t port)
{
	return o->in(o->ctx, port, 2);
}

static inline void xpv_outw(const struct xpv_pio_ops *o, uint16_t port,
			    uint16_t v)
{
	o->out(o->ctx, port, 2, v);
}

static inline void xpv_outl(const struct xpv_pio_ops *o, uint16_t port,
			    uint32_t v)
{
	o->out(o->ctx, port, 4, v);
}

#endif
