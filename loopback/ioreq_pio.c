// SPDX-License-Identifier: MIT
/*
 * struct xpv_pio_ops over the ioreq path: what an HVM guest's in/out
 * instructions become on the loopback.  Each access is one round trip.
 */
#include <errno.h>

#include "loopback/ioreq.h"
#include "loopback/ioreq_pio.h"

static uint32_t pio_in(void *ctx, uint16_t port, unsigned int size)
{
	struct lb_ioreq_pio *p = ctx;
	uint64_t v = 0;

	if (lb_ioreq_io(p->g, IOREQ_TYPE_PIO, IOREQ_READ, port, size, 0, false,
			&v))
		return ~0u;	/* as a bus with nothing on it */
	return (uint32_t)v;
}

static void pio_out(void *ctx, uint16_t port, unsigned int size, uint32_t val)
{
	struct lb_ioreq_pio *p = ctx;
	uint64_t v = val;

	lb_ioreq_io(p->g, IOREQ_TYPE_PIO, IOREQ_WRITE, port, size, 0, false,
		    &v);
}

static int pio_ins(void *ctx, uint16_t port, unsigned int size, void *buf,
		   uint64_t pa, uint32_t count)
{
	struct lb_ioreq_pio *p = ctx;

	return lb_ioreq_io(p->g, IOREQ_TYPE_PIO, IOREQ_READ, port, size, count,
			   false, &pa);
}

static int pio_outs(void *ctx, uint16_t port, unsigned int size,
		    const void *buf, uint64_t pa, uint32_t count)
{
	struct lb_ioreq_pio *p = ctx;

	return lb_ioreq_io(p->g, IOREQ_TYPE_PIO, IOREQ_WRITE, port, size,
			   count, false, &pa);
}

static void pio_irq(void *arg, unsigned int irq)
{
	struct lb_ioreq_pio *p = arg;

	p->fired |= 1u << irq;
}

static int pio_wait_irq(void *ctx, unsigned int irq, uint64_t timeout_ns)
{
	struct lb_ioreq_pio *p = ctx;
	int ms = timeout_ns / 1000000 ? (int)(timeout_ns / 1000000) : 1;

	while (!(p->fired & (1u << irq))) {
		int r = lb_ioreq_guest_poll(p->g, ms);

		if (r < 0)
			return r;
		if (r == 0 && !(p->fired & (1u << irq)))
			return -ETIMEDOUT;
	}
	p->fired &= ~(1u << irq);
	return 0;
}

void lb_ioreq_pio_init(struct lb_ioreq_pio *p, struct lb_ioreq_guest *g,
		       uint32_t irq_mask)
{
	unsigned int irq;

	p->g = g;
	p->fired = 0;
	p->ops = (struct xpv_pio_ops){ .in = pio_in, .out = pio_out,
				       .ins = pio_ins, .outs = pio_outs,
				       .wait_irq = pio_wait_irq, .ctx = p };
	for (irq = 0; irq < LB_IOREQ_NR_IRQS; irq++) {
		if (irq_mask & (1u << irq))
			lb_ioreq_guest_set_irq(g, irq, pio_irq, p);
	}
}
