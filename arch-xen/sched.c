// SPDX-License-Identifier: MIT
/*
 * Cooperative threads on vCPU 0: each has its own stack and runs until it
 * blocks (a wait, a sleep, its end).  Event handlers only mark threads
 * runnable.  With nothing to run, vCPU 0 sleeps in SCHEDOP_block until an
 * event or the earliest sleeper's one-shot timer; the idle loop runs on
 * the stack of the thread that blocked last.  Other vCPUs do not run
 * threads: a wait there halts that vCPU, and a wake from there sends an
 * IPI event to vCPU 0.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"

#define STACK_PAGES 8u

enum thread_state { T_RUNNABLE, T_BLOCKED, T_DEAD };

struct thread {
	uint64_t rsp; /* saved while switched out: sched_switch knows it */
	void *stack;
	const char *name;
	void (*fn)(void *arg);
	void *arg;
	enum thread_state state;
	uint64_t wake_at; /* 0: no timeout */
	const struct xpv_os_waitq *wq;
	struct thread *next; /* ring of all threads */
};

static struct thread boot_thread = { .name = "boot", .next = &boot_thread };
static struct thread *current;
static struct spinlock sched_lock;
static evtchn_port_t ipi_port;
static bool running;

void sched_switch(uint64_t *save_rsp, uint64_t rsp);
void sched_thread_entry(void);
void sched_thread_main(void);

/* Callee-saved registers on the old stack, then the new one's. */
__asm__(".text\n"
	".globl sched_switch\n"
	"sched_switch:\n"
	"	pushq %rbp\n"
	"	pushq %rbx\n"
	"	pushq %r12\n"
	"	pushq %r13\n"
	"	pushq %r14\n"
	"	pushq %r15\n"
	"	movq %rsp, (%rdi)\n"
	"	movq %rsi, %rsp\n"
	"	popq %r15\n"
	"	popq %r14\n"
	"	popq %r13\n"
	"	popq %r12\n"
	"	popq %rbx\n"
	"	popq %rbp\n"
	"	ret\n"
	".globl sched_thread_entry\n"
	"sched_thread_entry:\n"
	"	call sched_thread_main\n"
	"1:	jmp 1b\n");

static void on_ipi(evtchn_port_t port, void *arg)
{
	/* Only wakes vCPU 0 out of SCHEDOP_block: the idle loop looks. */
}

/* A sleep inside an upcall would leave it half run (another thread on its
 * stack, or a nested upcall once the halt unmasks): stop loudly instead. */
void may_sleep(const char *what)
{
	if (this_cpu()->in_upcall)
		panic("%s in event context on vCPU %u", what, this_cpu()->id);
}

bool sched_active(void)
{
	return running && this_cpu()->id == 0;
}

void sched_init(void)
{
	struct evtchn_bind_ipi op = { .vcpu = 0 };

	current = &boot_thread;
	if (!hyp_evtchn_op(EVTCHNOP_bind_ipi, &op) &&
	    !evtchn_bind_handler(op.port, on_ipi, NULL))
		ipi_port = op.port;
	running = true;
}

static void free_stack(void *stack)
{
	unsigned int i;

	for (i = 0; i < STACK_PAGES; i++)
		page_free((uint8_t *)stack + i * XPV_PAGE_SIZE);
}

/* Frees the stacks of threads that ended (never the running one's). */
static void reap(void)
{
	struct thread *p = current, *t;
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	while ((t = p->next) != current) {
		if (t->state == T_DEAD && t != &boot_thread) {
			p->next = t->next;
			spin_unlock_irqrestore(&sched_lock, flags);
			free_stack(t->stack);
			xpv_os_free(t);
			flags = spin_lock_irqsave(&sched_lock);
			continue;
		}
		p = t;
	}
	spin_unlock_irqrestore(&sched_lock, flags);
}

/* The next runnable thread after the current one (itself last); sleepers
 * whose time came are made runnable.  *@timer gets the earliest wake. */
static struct thread *pick(uint64_t now, uint64_t *timer)
{
	struct thread *t = current, *found = NULL;

	*timer = 0;
	do {
		t = t->next;
		if (t->state == T_BLOCKED && t->wake_at && now >= t->wake_at)
			t->state = T_RUNNABLE;
		if (t->state == T_RUNNABLE && !found)
			found = t;
		if (t->state == T_BLOCKED && t->wake_at &&
		    (!*timer || t->wake_at < *timer))
			*timer = t->wake_at;
	} while (t != current);
	return found;
}

/*
 * Runs another thread, or idles, until the current one is runnable again
 * and its turn comes.  Called with events masked; returns with them masked.
 */
static void schedule(void)
{
	struct vcpu_set_singleshot_timer st;
	struct thread *next, *prev;
	unsigned long flags;
	uint64_t timer;

	may_sleep("schedule");

	for (;;) {
		flags = spin_lock_irqsave(&sched_lock);
		next = pick(monotonic_ns(), &timer);
		spin_unlock_irqrestore(&sched_lock, flags);
		if (next)
			break;
		if (timer) {
			st = (struct vcpu_set_singleshot_timer){
				.timeout_abs_ns = timer };
			hyp_vcpu_op(VCPUOP_set_singleshot_timer, 0, &st);
		}
		pv_irq_ops.safe_halt();
		pv_irq_ops.irq_disable();
	}
	if (next == current)
		return;
	prev = current;
	current = next;
	sched_switch(&prev->rsp, next->rsp);
}

void sched_thread_main(void)
{
	pv_irq_ops.irq_enable();
	reap();
	current->fn(current->arg);
	pv_irq_ops.irq_disable();
	current->state = T_DEAD;
	schedule();
	panic("dead thread %s ran again", current->name);
}

/* A new runnable thread; 0 or -XPV_ENOMEM.  vCPU 0 only. */
int thread_create(const char *name, void (*fn)(void *arg), void *arg)
{
	struct thread *t = xpv_os_zalloc(sizeof(*t));
	uint64_t *sp;
	unsigned long flags;

	if (!t)
		return -XPV_ENOMEM;
	reap();
	t->stack = pages_alloc(STACK_PAGES);
	if (!t->stack) {
		xpv_os_free(t);
		return -XPV_ENOMEM;
	}
	t->name = name;
	t->fn = fn;
	t->arg = arg;
	/* What sched_switch pops: six registers, then the return address;
	 * its ret leaves the stack 16-byte aligned for the call. */
	sp = (uint64_t *)((uint8_t *)t->stack + STACK_PAGES * XPV_PAGE_SIZE);
	*--sp = (uint64_t)sched_thread_entry;
	sp -= 6;
	memset(sp, 0, 6 * sizeof(*sp));
	t->rsp = (uint64_t)sp;
	flags = spin_lock_irqsave(&sched_lock);
	t->next = current->next;
	current->next = t;
	spin_unlock_irqrestore(&sched_lock, flags);
	return 0;
}

/*
 * Blocks the current thread on @wq until woken or @wake_at (0: never),
 * unless @cond (if any) already holds.  Events are masked by the caller,
 * which keeps out wakes from this vCPU; a wake from another vCPU takes
 * sched_lock, so @cond is looked at again under it once the thread is
 * marked blocked: a condition made true before that is seen here, one made
 * true after finds the thread blocked and wakes it.
 */
void sched_block(const struct xpv_os_waitq *wq, uint64_t wake_at,
		 bool (*cond)(void *arg), void *arg)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);

	current->state = T_BLOCKED;
	current->wq = wq;
	current->wake_at = wake_at;
	if (cond && cond(arg))
		current->state = T_RUNNABLE;
	spin_unlock_irqrestore(&sched_lock, flags);
	schedule();
	current->wq = NULL;
	current->wake_at = 0;
}

/* Makes every thread blocked on @wq runnable; from any context. */
void sched_wake(const struct xpv_os_waitq *wq)
{
	unsigned long flags;
	struct thread *t;
	bool woke = false;

	if (!running)
		return;
	flags = spin_lock_irqsave(&sched_lock);
	t = current;
	do {
		if (t->state == T_BLOCKED && t->wq == wq) {
			t->state = T_RUNNABLE;
			woke = true;
		}
		t = t->next;
	} while (t != current);
	spin_unlock_irqrestore(&sched_lock, flags);
	if (woke && this_cpu()->id != 0 && ipi_port)
		evtchn_notify(ipi_port);
}

/* Lets the other runnable threads go first. */
void thread_yield(void)
{
	unsigned long flags;

	if (!sched_active())
		return;
	flags = pv_irq_ops.save_fl();
	pv_irq_ops.irq_disable();
	schedule();
	pv_irq_ops.restore_fl(flags);
}

/* How many threads exist (the boot thread included), dead ones not. */
unsigned int thread_count(void)
{
	unsigned long flags = spin_lock_irqsave(&sched_lock);
	struct thread *t = current;
	unsigned int n = 0;

	do {
		n += t->state != T_DEAD;
		t = t->next;
	} while (t != current);
	spin_unlock_irqrestore(&sched_lock, flags);
	return n;
}
