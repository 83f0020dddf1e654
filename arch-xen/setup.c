// SPDX-License-Identifier: MIT
/*
 * Start of day for the xenpv PV kernel: map shared_info, install traps and
 * callbacks, switch the pv-ops to Xen, bring up console and time, then run
 * the boot self-checks the harness reads from the console.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"

/* Present, writable, accessed; Xen runs a 64-bit PV kernel in ring 3. */
#define L1_PROT 0x67ull

start_info_t *start_info;
struct shared_info *shared;
static uint8_t shared_page[XPV_PAGE_SIZE] __attribute__((aligned(4096)));

unsigned long timer_event_count(void);
void arch_start(start_info_t *si);

static void map_shared_info(void)
{
	if (hyp_update_va_mapping((unsigned long)shared_page,
				  start_info->shared_info | L1_PROT,
				  UVMF_INVLPG))
		panic("shared_info not mapped");
	shared = (struct shared_info *)shared_page;
}

/* "ticks=N" on the command line: how many timer ticks to report. */
static unsigned int cmdline_ticks(void)
{
	const char *c = (const char *)start_info->cmd_line;
	unsigned int n = 0;

	for (; *c; c++) {
		if (c[0] == 't' && !__builtin_memcmp(c, "ticks=", 6)) {
			for (c += 6; *c >= '0' && *c <= '9'; c++)
				n = n * 10 + (*c - '0');
			return n;
		}
	}
	return 5;
}

static void print_ns(const char *what, uint64_t ns)
{
	printk("%s %lu.%09lu", what, (unsigned long)(ns / 1000000000ull),
	       (unsigned long)(ns % 1000000000ull));
}

/* Sleeps on one-shot timers and reports system and wall time each tick. */
static void tick_check(unsigned int ticks)
{
	uint64_t start = monotonic_ns(), prev = start, now;
	unsigned int i;

	for (i = 1; i <= ticks; i++) {
		sleep_until(start + i * 500000000ull);
		now = monotonic_ns();
		if (now < prev)
			panic("time went backwards: %lu < %lu",
			      (unsigned long)now, (unsigned long)prev);
		prev = now;
		printk("xenpv: tick %u", i);
		print_ns(" system", now);
		print_ns(" wall", wallclock_ns());
		printk(" timer-events %lu\n", timer_event_count());
	}
}

void arch_start(start_info_t *si)
{
	struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };

	start_info = si;
	console_early_write("xenpv: entered\n", 15);
	map_shared_info();
	traps_init();
	events_init();
	mm_init();
	console_init();
	printk("xenpv kernel " XPV_KERNEL_VERSION ": %s, %lu pages, "
	       "cmdline '%s'\n", si->magic, si->nr_pages,
	       (const char *)si->cmd_line);
	printk("xenpv: vcpu 0 up\n");
	time_init();
	pv_irq_ops.irq_enable();
	tick_check(cmdline_ticks());
	printk("xenpv: done\n");
	hyp_sched_op(SCHEDOP_shutdown, &sd);
	panic("still running after shutdown");
}
