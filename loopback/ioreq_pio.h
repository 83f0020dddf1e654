/* SPDX-License-Identifier: MIT */
/* Port I/O and IRQ lines for drivers in a loopback HVM guest. */
#ifndef XENPV_LOOPBACK_IOREQ_PIO_H
#define XENPV_LOOPBACK_IOREQ_PIO_H

#include "loopback/ioreq.h"
#include "xenpv/pio.h"

struct lb_ioreq_pio {
	struct xpv_pio_ops ops;
	struct lb_ioreq_guest *g;
	uint32_t fired;		/* IRQ lines that fired, not yet waited for */
};

/* Routes the lines in @irq_mask to wait_irq. */
void lb_ioreq_pio_init(struct lb_ioreq_pio *p, struct lb_ioreq_guest *g,
		       uint32_t irq_mask);

#endif
