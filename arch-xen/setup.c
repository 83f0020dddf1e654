// SPDX-License-Identifier: MIT
/*
 * Start of day for the xenpv PV kernel: map shared_info, install traps and
 * callbacks, switch the pv-ops to Xen, bring up console and time, then run
 * the boot self-checks the harness reads from the console.
 */
#include "arch-xen/blkdev.h"
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"

/* Present, writable, accessed; Xen runs a 64-bit PV kernel in ring 3. */
#define L1_PROT 0x67ull

start_info_t *start_info;
struct shared_info *shared;
static uint8_t shared_page[XPV_PAGE_SIZE] __attribute__((aligned(4096)));

void arch_start(start_info_t *si);

static void map_shared_info(void)
{
	if (hyp_update_va_mapping((unsigned long)shared_page,
				  start_info->shared_info | L1_PROT,
				  UVMF_INVLPG))
		panic("shared_info not mapped");
	shared = (struct shared_info *)shared_page;
}

/* What follows "@key=" in a word of the command line, or NULL. */
const char *cmdline_arg(const char *key)
{
	const char *c = (const char *)start_info->cmd_line;
	size_t n = strlen(key);
	const char *end = c + sizeof(start_info->cmd_line);

	for (; c + n < end && *c; c++) {
		if ((c == (const char *)start_info->cmd_line || c[-1] == ' ') &&
		    !__builtin_memcmp(c, key, n) && c[n] == '=')
			return c + n + 1;
	}
	return NULL;
}

/* "ticks=N" on the command line: how many timer ticks to report. */
unsigned int cmdline_ticks(void)
{
	const char *c = cmdline_arg("ticks");
	unsigned int n = 0;

	if (!c)
		return 5;
	for (; *c >= '0' && *c <= '9' && n < 1000; c++)
		n = n * 10 + (*c - '0');
	return n;
}

#define NS_FMT "%lu.%09lu"
#define NS_ARG(ns) (unsigned long)((ns) / 1000000000ull), \
	(unsigned long)((ns) % 1000000000ull)

/*
 * Sleeps on this vCPU's one-shot timers and reports system time (and on
 * vCPU 0 wall time) each tick, one printk per line: vCPUs print at once.
 */
void tick_check(unsigned int ticks, bool wall)
{
	struct cpu *c = this_cpu();
	uint64_t start = monotonic_ns(), prev = start, now;
	char who[16] = "";
	unsigned int i;

	if (c->id)
		ksnprintf(who, sizeof(who), "vcpu %u ", c->id);
	for (i = 1; i <= ticks; i++) {
		sleep_until(start + i * 500000000ull);
		now = monotonic_ns();
		if (now < prev)
			panic("time went backwards: %lu < %lu",
			      (unsigned long)now, (unsigned long)prev);
		prev = now;
		if (wall)
			printk("xenpv: %stick %u system " NS_FMT " wall " NS_FMT
			       " timer-events %lu\n", who, i, NS_ARG(now),
			       NS_ARG(wallclock_ns()), c->timer_events);
		else
			printk("xenpv: %stick %u system " NS_FMT
			       " timer-events %lu\n", who, i, NS_ARG(now),
			       c->timer_events);
	}
}

/* Every pool page written and read back; a grant made and revoked. */
void memory_check(void)
{
	unsigned int n = 0, bad = 0, i, used0 = mm_pool_used();
	uint64_t **pages = xpv_os_malloc(65536 * sizeof(*pages));
	grant_ref_t ref;

	while (pages && n < 65536 && (pages[n] = page_alloc()))
		n++;
	for (i = 0; i < n; i++)
		pages[i][0] = pages[i][511] = virt_to_mfn(pages[i]) ^ i;
	for (i = 0; i < n; i++)
		bad += pages[i][0] != (virt_to_mfn(pages[i]) ^ i) ||
		       pages[i][511] != pages[i][0];
	printk("xenpv: mm check: %u pages allocated, %u bad, last at pfn %lu\n",
	       n, bad, n ? (unsigned long)((uintptr_t)pages[n - 1] >> 12) : 0);
	for (i = 0; i < n; i++)
		page_free(pages[i]);
	xpv_os_free(pages);
	if (mm_pool_used() != used0)
		printk("xenpv: mm check: pages leaked\n");
	if (xpv_os_gnttab_claim(&ref, 1) != 1) {
		printk("xenpv: gnttab check: no ref\n");
		return;
	}
	xpv_os_gnttab_grant(ref, 0, virt_to_mfn(shared_page), true);
	printk("xenpv: gnttab check: %u refs, ref %u granted, end %d\n",
	       gnttab_nr_refs(), ref, xpv_os_gnttab_end(ref, true));
	xpv_os_gnttab_release(&ref, 1);
}

static unsigned int watch_hits;

static void on_watch(const char *path, void *arg)
{
	watch_hits++;
}

/* The os.h xenstore hooks against the real xenstored, in one line. */
static void xenstore_check(void)
{
	char name[64] = "", domid[16] = "", back[16] = "", dir[128];
	struct xpv_os_watch *w;
	int rd, wr, tx, ls = 0;
	xpv_xbt_t t;
	uint64_t end;

	rd = xenbus_init();
	if (rd) {
		printk("xenpv: xenstore: no store ring: %d\n", rd);
		return;
	}
	rd = xpv_os_xs_read(XPV_XBT_NIL, "name", name, sizeof(name));
	xpv_os_xs_read(XPV_XBT_NIL, "domid", domid, sizeof(domid));
	w = xpv_os_xs_watch("data/xenpv", on_watch, NULL);
	wr = xpv_os_xs_write(XPV_XBT_NIL, "data/xenpv/boot", "ok");
	xpv_os_xs_read(XPV_XBT_NIL, "data/xenpv/boot", back, sizeof(back));
	tx = xpv_os_xs_transaction_start(&t);
	if (!tx) {
		xpv_os_xs_write(t, "data/xenpv/tx", "1");
		tx = xpv_os_xs_transaction_end(t, false);
	}
	if (!tx)
		ls = xpv_os_xs_directory(XPV_XBT_NIL, "data/xenpv", dir,
					 sizeof(dir));
	/* The initial event plus one per write: at least 3. */
	end = monotonic_ns() + 5000000000ull;
	while (w && watch_hits < 3 && monotonic_ns() < end) {
		xenbus_poll();
		sleep_until(monotonic_ns() + 10000000ull);
	}
	printk("xenpv: xenstore: name '%s' (%d) domid %s, write %d read '%s', "
	       "transaction %d, directory %d, watch events %u\n", name, rd,
	       domid, wr, back, tx, ls, watch_hits);
	xpv_os_xs_unwatch(w);
	xpv_os_xs_rm(XPV_XBT_NIL, "data/xenpv");
}

/*
 * Where our frames are in machine memory: a vMCE injected for a PV domain
 * names a machine address (Xen's p2m of a PV guest is the identity), which
 * xen-mceinj only accepts below the domain's size.
 */
static void frames_report(void)
{
	const unsigned long *p2m = (const unsigned long *)start_info->mfn_list;
	unsigned long i, lo = ~0ul, hi = 0;

	for (i = 0; i < start_info->nr_pages; i++) {
		lo = p2m[i] < lo ? p2m[i] : lo;
		hi = p2m[i] > hi ? p2m[i] : hi;
	}
	printk("xenpv: mm: machine addresses %lx-%lx, domain size %lx\n",
	       lo << XPV_PAGE_SHIFT, (hi + 1) << XPV_PAGE_SHIFT,
	       start_info->nr_pages << XPV_PAGE_SHIFT);
}

extern unsigned long machine_checks;

void arch_start(start_info_t *si)
{
	struct sched_shutdown sd = { .reason = SHUTDOWN_poweroff };
	unsigned int ncpus;
	int n;

	start_info = si;
	cpus[0].id = 0;
	cpu_set_self(&cpus[0]);
	console_early_write("xenpv: entered\n", 15);
	map_shared_info();
	traps_init();
	events_init();
	console_init();
	mm_init();
	n = gnttab_init();
	if (n < 0)
		panic("grant table: %d", n);
	mm_pool_init();
	frames_report();
	printk("xenpv kernel " XPV_KERNEL_VERSION ": %s, %lu pages, "
	       "cmdline '%s'\n", si->magic, si->nr_pages,
	       (const char *)si->cmd_line);
	printk("xenpv: vcpu 0 up\n");
	time_init();
	sched_init();
	pv_irq_ops.irq_enable();
	memory_check();
	xenstore_check();
	ncpus = smp_init();
	printk("xenpv: %u vcpus running\n", ncpus);
	cross_cpu_time_check(0, 1000);
	tick_check(cmdline_ticks(), true);
	smp_wait_done();
	blk_check();
	net_check();
	balloon_check();
	printk("xenpv: %u threads at the end, %lu machine checks\n",
	       thread_count(), machine_checks);
	printk("xenpv: done\n");
	hyp_sched_op(SCHEDOP_shutdown, &sd);
	panic("still running after shutdown");
}
