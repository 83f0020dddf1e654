// SPDX-License-Identifier: MIT
/*
 * SMP: spinlocks, per-vCPU data behind the GS base, and the bring-up of the
 * other vCPUs with VCPUOP_initialise + VCPUOP_up.  A new vCPU starts in
 * secondary_start (head.S) on its own stack with its page tables, callbacks
 * and GS base given in the initial context; it installs its trap table,
 * binds its own VIRQ_TIMER and reports its start.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"

#define CPU_STACK_SIZE 16384
#define X86_EFLAGS_IF 0x200ul

struct cpu cpus[XPV_MAX_VCPUS];
static uint8_t cpu_stacks[XPV_MAX_VCPUS][CPU_STACK_SIZE]
	__attribute__((aligned(16)));
static struct vcpu_guest_context boot_ctxt;

extern char secondary_start[];
void secondary_main(struct cpu *c);

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

#define SPIN_REPORT_NS 5000000000ull

/*
 * A lock spun on for 5 s is a deadlock, not contention: say once who holds
 * it and who waits, past the console lock (printk's lock may be the one).
 */
static void spin_report(const struct spinlock *l, const void *pc)
{
	char line[160];
	int n;

	n = ksnprintf(line, sizeof(line),
		      "xenpv: lockup: lock %p held by vCPU %u from %p, "
		      "vCPU %u waits from %p\n", (const void *)l,
		      XPV_READ_ONCE(l->owner_cpu), XPV_READ_ONCE(l->owner_pc),
		      this_cpu()->id, pc);
	console_write_unlocked(line, n > 0 && n < (int)sizeof(line) ?
				  (unsigned int)n : sizeof(line) - 1);
}

static void spin_wait(struct spinlock *l, const void *pc)
{
	uint64_t start = 0;
	unsigned long spins = 0;
	bool reported = false;

	while (__atomic_load_n(&l->locked, __ATOMIC_RELAXED)) {
		cpu_relax();
		if (reported || ++spins % (1ul << 16))
			continue;
		if (!start)
			start = monotonic_ns();
		else if (monotonic_ns() - start > SPIN_REPORT_NS) {
			spin_report(l, pc);
			reported = true;
		}
	}
}

static void spin_acquire(struct spinlock *l, const void *pc)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		spin_wait(l, pc);
	l->owner_cpu = this_cpu()->id;
	l->owner_pc = pc;
}

void spin_lock(struct spinlock *l)
{
	spin_acquire(l, __builtin_return_address(0));
}

void spin_unlock(struct spinlock *l)
{
	__atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
}

unsigned long spin_lock_irqsave(struct spinlock *l)
{
	unsigned long flags = pv_irq_ops.save_fl();

	spin_acquire(l, __builtin_return_address(0));
	return flags;
}

void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags)
{
	spin_unlock(l);
	pv_irq_ops.restore_fl(flags);
}

void cpu_set_self(struct cpu *c)
{
	c->self = c;
	if (HC(__HYPERVISOR_set_segment_base, SEGBASE_GS_KERNEL, c, 0))
		panic("GS base not set");
}

/* Events stay masked on the new vCPU until it has its own handlers. */
static void fill_context(struct vcpu_guest_context *ctxt, struct cpu *c)
{
	unsigned long sp = (unsigned long)cpu_stacks[c->id + 1];

	memset(ctxt, 0, sizeof(*ctxt));
	ctxt->flags = VGCF_in_kernel;
	ctxt->user_regs.rip = (unsigned long)secondary_start;
	ctxt->user_regs.rsp = sp;
	ctxt->user_regs.rdi = (unsigned long)c;
	ctxt->user_regs.cs = FLAT_KERNEL_CS;
	ctxt->user_regs.ss = FLAT_KERNEL_SS;
	ctxt->user_regs.rflags = X86_EFLAGS_IF;
	ctxt->kernel_ss = FLAT_KERNEL_SS;
	ctxt->kernel_sp = sp;
	ctxt->ctrlreg[3] = xen_pfn_to_cr3(virt_to_mfn(
		(const void *)start_info->pt_base));
	ctxt->event_callback_eip = (unsigned long)hypervisor_callback;
	ctxt->failsafe_callback_eip = (unsigned long)failsafe_callback;
	ctxt->gs_base_kernel = (unsigned long)c;
}

static bool wait_flag(volatile bool *flag, uint64_t timeout_ns)
{
	uint64_t end = monotonic_ns() + timeout_ns;

	while (!*flag) {
		if (monotonic_ns() > end)
			return false;
		hyp_sched_op(SCHEDOP_yield, NULL);
	}
	return true;
}

static int cpu_up(unsigned int id)
{
	struct cpu *c = &cpus[id];
	long err;

	c->id = id;
	c->self = c;
	shared->vcpu_info[id].evtchn_upcall_mask = 1;
	fill_context(&boot_ctxt, c);
	err = hyp_vcpu_op(VCPUOP_initialise, id, &boot_ctxt);
	if (err)
		return (int)err;
	err = hyp_vcpu_op(VCPUOP_up, id, NULL);
	if (err)
		return (int)err;
	return wait_flag(&c->up, 10000000000ull) ? 0 : -XPV_ETIMEDOUT;
}

/* Brings up every vCPU the domain has (up to XPV_MAX_VCPUS); returns how
 * many run. */
unsigned int smp_init(void)
{
	unsigned int id, n = 1;
	int err;

	cpus[0].up = true;
	for (id = 1; id < XPV_MAX_VCPUS; id++) {
		/* -ENOENT: the domain has no such vCPU. */
		if (hyp_vcpu_op(VCPUOP_is_up, id, NULL) < 0)
			break;
		err = cpu_up(id);
		if (err) {
			printk("xenpv: vcpu %u not started: %d\n", id, err);
			break;
		}
		n++;
	}
	return n;
}

/* Each secondary vCPU: its traps, its timer, the clock check, its ticks. */
void secondary_main(struct cpu *c)
{
	traps_init();
	time_init_cpu(c);
	printk("xenpv: vcpu %u up\n", c->id);
	__atomic_store_n(&c->up, true, __ATOMIC_RELEASE);
	pv_irq_ops.irq_enable();
	cross_cpu_time_check(c->id, 1000);
	tick_check(cmdline_ticks(), false);
	__atomic_store_n(&c->ticks_done, true, __ATOMIC_RELEASE);
	for (;;)
		pv_irq_ops.safe_halt();
}

void smp_wait_done(void)
{
	unsigned int id;

	for (id = 1; id < XPV_MAX_VCPUS; id++)
		if (cpus[id].up && !wait_flag(&cpus[id].ticks_done,
					      60000000000ull))
			printk("xenpv: vcpu %u did not finish\n", id);
}

/*
 * vCPUs 0 and 1 take turns reading the clock: each reading must not be
 * below the other vCPU's previous one.  The raw pvclock (each vCPU's own
 * record, before the shared clamp) is counted too, to show the clamp's work.
 */
static volatile uint64_t pp_ns, pp_raw;
static volatile unsigned int pp_turn;
static unsigned int pp_back, pp_raw_back;

static bool pp_wait_turn(unsigned int turn, uint64_t end)
{
	while (__atomic_load_n(&pp_turn, __ATOMIC_ACQUIRE) != turn) {
		if (monotonic_ns() > end)
			return false;
		cpu_relax();
	}
	return true;
}

void cross_cpu_time_check(unsigned int cpu, unsigned int rounds)
{
	uint64_t end = monotonic_ns() + 20000000000ull, now, raw;
	unsigned int r;

	if (cpu > 1 || !cpus[1].up)
		return;
	for (r = 0; r < rounds; r++) {
		if (!pp_wait_turn(2 * r + cpu, end)) {
			printk("xenpv: cross-vcpu time: timed out at %u\n", r);
			return;
		}
		raw = raw_ns();
		now = monotonic_ns();
		if (r || cpu) {
			pp_back += now < pp_ns;
			pp_raw_back += raw < pp_raw;
		}
		pp_ns = now;
		pp_raw = raw;
		__atomic_store_n(&pp_turn, 2 * r + cpu + 1, __ATOMIC_RELEASE);
	}
	if (cpu == 1)
		printk("xenpv: cross-vcpu time: %u rounds, %u backwards "
		       "(raw pvclock: %u)\n", rounds * 2, pp_back, pp_raw_back);
}
