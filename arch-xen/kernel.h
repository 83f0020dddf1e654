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

/* lib.c */
int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int ksnprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* console.c */
void console_early_write(const char *s, unsigned int len);
void console_init(void);
void printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* traps.c */
void traps_init(void);

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
uint64_t monotonic_ns(void);
uint64_t wallclock_ns(void);
/* Sleeps (events enabled) until @deadline_ns of system time. */
void sleep_until(uint64_t deadline_ns);

/* mm.c: a page allocator over what the initial mapping leaves free. */
void mm_init(void);
void *page_alloc(void);
void *pages_alloc(unsigned int n);
void page_free(void *page);
uint64_t virt_to_mfn(const void *va);
unsigned long mfn_to_pfn(uint64_t mfn);

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
size_t strlen(const char *s);

#endif
