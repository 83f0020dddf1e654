/* SPDX-License-Identifier: MIT */
/* What the PV kernel's own files share. */
#ifndef XENPV_ARCH_XEN_KERNEL_H
#define XENPV_ARCH_XEN_KERNEL_H

#include <stdarg.h>

#include "arch-xen/irqflags.h"
#include "xenpv/os.h"

#define XPV_KERNEL_VERSION "0.1"
#define XPV_MAX_VCPUS 2

/* Registers as the entry stubs save them (see head.S). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
	uint64_t rax, rcx, rdx, rsi, rdi;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss;
};

extern start_info_t *start_info;
extern struct shared_info *shared;

/*
 * A lock for several vCPUs; the irqsave form also masks this vCPU's events.
 * The owner fields only serve the lockup report in smp.c.
 */
struct spinlock {
	int locked;
	unsigned int owner_cpu;
	const void *owner_pc;
};

void spin_lock(struct spinlock *l);
void spin_unlock(struct spinlock *l);
unsigned long spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, unsigned long flags);

/*
 * Per-vCPU data, found through the kernel GS base: %gs:0 holds the
 * struct's own address (set with set_segment_base on vCPU 0, through the
 * initial context on the others).
 */
struct cpu {
	struct cpu *self;
	unsigned int id;
	struct xpv_irq_vcpu irq;
	volatile unsigned long timer_events;
	evtchn_port_t timer_port;
	volatile bool up, ticks_done;
	/* Upcalls running on this vCPU: nothing in one may sleep. */
	unsigned int in_upcall;
};

extern struct cpu cpus[XPV_MAX_VCPUS];

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

/* smp.c */
void cpu_set_self(struct cpu *c);
unsigned int smp_init(void);
void smp_wait_done(void);
void cross_cpu_time_check(unsigned int cpu, unsigned int rounds);

/* lib.c */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* console.c */
void console_early_write(const char *s, unsigned int len);
void console_write_unlocked(const char *s, unsigned int len);
void console_init(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* traps.c */
void traps_init(void);
extern char hypervisor_callback[], failsafe_callback[];

/* events.c */
void events_init(void);
int evtchn_bind_virq(unsigned int virq, unsigned int vcpu,
		     xpv_evtchn_handler_t fn, void *arg);
void evtchn_unmask_port(evtchn_port_t port);
void evtchn_notify(evtchn_port_t port);
struct xpv_irq_vcpu *this_irq_vcpu(void);
extern struct xpv_pv_irq_ops pv_irq_ops;
void pvops_setup_xen(void);

/* time.c */
void time_init(void);
void time_init_cpu(struct cpu *c);
uint64_t raw_ns(void);
void tick_check(unsigned int ticks, bool wall);
unsigned int cmdline_ticks(void);
const char *cmdline_arg(const char *key);
uint64_t monotonic_ns(void);
uint64_t wallclock_ns(void);
/* Sleeps until @deadline_ns of system time (a thread on vCPU 0 blocks). */
void sleep_until(uint64_t deadline_ns);
void timer_set(uint64_t deadline_ns);

/* sched.c: cooperative threads on vCPU 0. */
void sched_init(void);
bool sched_active(void);
void may_sleep(const char *what);
int thread_create(const char *name, void (*fn)(void *arg), void *arg);
void thread_yield(void);
unsigned int thread_count(void);
void sched_block(const struct xpv_os_waitq *wq, uint64_t wake_at,
		 bool (*cond)(void *arg), void *arg);
void sched_wake(const struct xpv_os_waitq *wq);

/* mm.c: a page allocator over what the initial mapping leaves free. */
void mm_init(void);
void mm_pool_init(void);
int mm_map_frame(uint64_t va, uint64_t mfn);
unsigned int mm_pool_used(void);
void *page_alloc(void);
void *pages_alloc(unsigned int n);
void page_free(void *page);
uint64_t virt_to_mfn(const void *va);
unsigned long mfn_to_pfn(uint64_t mfn);
uint64_t page_gfn(const void *va);
long mm_memory_op(unsigned int cmd, void *arg);

int evtchn_bind_handler(evtchn_port_t port, xpv_evtchn_handler_t fn,
			void *arg);
void evtchn_clear_handler(evtchn_port_t port);

/* netdev.c: the network check (vif= ip= on the command line). */
void net_check(void);
/* balloondev.c: follows xl mem-set (balloon= on the command line). */
void balloon_check(void);
/* setup.c: every free pool page written and read back. */
void memory_check(void);

/* xenbus.c */
int xenbus_init(void);
unsigned int xenbus_poll(void);

/* gnttab.c */
int gnttab_init(void);
unsigned int gnttab_nr_refs(void);
void gnttab_describe(grant_ref_t ref, char *buf, size_t size);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#endif
