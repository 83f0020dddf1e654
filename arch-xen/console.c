// SPDX-License-Identifier: MIT
/*
 * The kernel's console: every line goes to Xen's console (CONSOLEIO_write,
 * which the harness reads on the serial port) and, once it is set up, to the
 * PV console ring that xenconsoled in dom0 serves (`xl console`).
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include <xen/io/console.h>

static struct xencons_interface *ring;
static evtchn_port_t ring_port;
/* Whole lines from each vCPU, on both consoles. */
static struct spinlock console_lock;

void console_early_write(const char *s, unsigned int len)
{
	hyp_console_write(s, len);
}

/* Bounded: a console nobody reads must not stop the kernel. */
static void ring_write(const char *s, unsigned int len)
{
	XENCONS_RING_IDX prod = ring->out_prod;
	unsigned int tries = 0;

	while (len) {
		XENCONS_RING_IDX cons = __atomic_load_n(&ring->out_cons,
							__ATOMIC_ACQUIRE);

		if (prod - cons >= sizeof(ring->out)) {
			evtchn_notify(ring_port);
			if (++tries > 1000)
				return;
			hyp_sched_op(SCHEDOP_yield, NULL);
			continue;
		}
		ring->out[MASK_XENCONS_IDX(prod, ring->out)] = *s++;
		prod++;
		len--;
	}
	__atomic_store_n(&ring->out_prod, prod, __ATOMIC_RELEASE);
	evtchn_notify(ring_port);
}

/* Alone, for a report from a kernel whose stuck lock may be ours. */
void console_write_unlocked(const char *s, unsigned int len)
{
	console_early_write(s, len);
	if (ring)
		ring_write(s, len);
}

void console_init(void)
{
	unsigned long pfn = mfn_to_pfn(start_info->console.domU.mfn);

	/* The builder put the console page inside our initial mapping. */
	ring = (struct xencons_interface *)(pfn << XPV_PAGE_SHIFT);
	ring_port = start_info->console.domU.evtchn;
}

void printk(const char *fmt, ...)
{
	char line[256];
	unsigned long flags;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	flags = spin_lock_irqsave(&console_lock);
	console_write_unlocked(line, n);
	spin_unlock_irqrestore(&console_lock, flags);
}

void panic(const char *fmt, ...)
{
	struct sched_shutdown sd = { .reason = SHUTDOWN_crash };
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("xenpv: panic: %s\n", line);
	for (;;)
		hyp_sched_op(SCHEDOP_shutdown, &sd);
}
