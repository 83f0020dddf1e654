/* SPDX-License-Identifier: MIT */
/*
 * The HVM device-model path on the loopback, with Xen's ioreq page layout
 * (xen/hvm/ioreq.h): one ioreq_t slot per vCPU in a shared page.
 *
 * Guest side: the loopback plays the trapping CPU and Xen's dispatch.  A port
 * or MMIO access fills the vCPU's slot, sets STATE_IOREQ_READY, notifies the
 * slot's vp_eport and blocks until the device model has set
 * STATE_IORESP_READY; then the slot goes back to STATE_IOREQ_NONE.
 *
 * Device-model side (a privileged domain, as qemu in dom0): maps the page
 * through a foreign mapping, binds every vCPU's vp_eport, serves READY
 * slots and answers.  It raises the guest's interrupt lines as events.
 *
 * The loopback has no HVM params nor interrupt controller, so the guest
 * publishes its vCPU count and one event channel per ISA IRQ line in
 * struct lb_ioreq_platform at the end of the ioreq page.
 */
#ifndef XENPV_LOOPBACK_IOREQ_H
#define XENPV_LOOPBACK_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

#include <xen/hvm/ioreq.h>

#include "loopback/loopback.h"
#include "xenpv/evtchn.h"

#define LB_IOREQ_MAX_VCPUS 8
#define LB_IOREQ_NR_IRQS 16
#define LB_IOREQ_PLATFORM_MAGIC 0x71727069u /* "iprq" */
/* Longest rep string one ioreq may move (Xen splits at page boundaries). */
#define LB_IOREQ_MAX_REP_BYTES 65536u
/* How long a vCPU waits for a device model that went away. */
#define LB_IOREQ_TIMEOUT_MS 10000

struct lb_ioreq_platform {
	uint32_t magic;
	uint32_t nr_vcpus;
	uint32_t irq_port[LB_IOREQ_NR_IRQS];	/* 0: line not wired */
};

#define LB_IOREQ_PLATFORM_OFF (XPV_PAGE_SIZE - sizeof(struct lb_ioreq_platform))
_Static_assert(sizeof(ioreq_t) == 32, "ioreq_t layout");
_Static_assert(LB_IOREQ_MAX_VCPUS * sizeof(ioreq_t) <= LB_IOREQ_PLATFORM_OFF,
	       "slots and platform block share the page");

/* Exits and events, counted where they happen. */
struct lb_ioreq_stats {
	uint64_t ioreqs;	/* round trips to the device model */
	uint64_t reps;		/* elements moved by those round trips */
	uint64_t notify_sent;	/* event channel sends */
	uint64_t events;	/* event channel events received */
	uint64_t irqs;		/* interrupt events (guest) / raised (server) */
	uint64_t blocks;	/* times a vCPU slept waiting */
	uint64_t errors;	/* bad slots (server) or dead peer (guest) */
};

/* ---- guest side ------------------------------------------------------ */

typedef void (*lb_irq_fn)(void *arg, unsigned int irq);

struct lb_ioreq_guest {
	struct lb_dom *d;
	domid_t dm;
	uint64_t gfn;
	shared_iopage_t *page;
	struct lb_ioreq_platform *plat;
	struct xpv_evtchn_demux dx;
	evtchn_port_t vcpu_port;
	bool dm_ready;
	lb_irq_fn irq_fn[LB_IOREQ_NR_IRQS];
	void *irq_arg[LB_IOREQ_NR_IRQS];
	struct lb_ioreq_stats stats;
};

/*
 * Sets up the ioreq page at guest frame @gfn for one vCPU served by domain
 * @dm, and the event channels of the IRQ lines in @irq_mask.  0 or -errno.
 */
int lb_ioreq_guest_init(struct lb_ioreq_guest *g, struct lb_dom *d,
			domid_t dm, uint64_t gfn, uint32_t irq_mask);
void lb_ioreq_guest_destroy(struct lb_ioreq_guest *g);
/* Waits until the device model has bound the vCPU channel. 0 or -errno. */
int lb_ioreq_guest_wait_dm(struct lb_ioreq_guest *g, int timeout_ms);
void lb_ioreq_guest_set_irq(struct lb_ioreq_guest *g, unsigned int irq,
			    lb_irq_fn fn, void *arg);
/*
 * One trapped access: @type IOREQ_TYPE_PIO or _COPY, @dir IOREQ_READ or
 * _WRITE, @size 1/2/4/8.  @count 0 is a single access: *data is the value
 * written, or receives the value read.  @count >= 1 is a rep string
 * instruction of that many elements and *data is the guest-physical address
 * of its buffer (data_is_ptr; with @df it is the last element's).
 * 0 or -errno.
 */
int lb_ioreq_io(struct lb_ioreq_guest *g, uint8_t type, uint8_t dir,
		uint64_t addr, uint32_t size, uint32_t count, bool df,
		uint64_t *data);
/*
 * Sleeps until an event arrives (handlers run) or @timeout_ms passes;
 * returns 1, 0 on timeout, or -errno.
 */
int lb_ioreq_guest_poll(struct lb_ioreq_guest *g, int timeout_ms);

/* ---- device-model side ----------------------------------------------- */

/*
 * One element of an access: for a write *val holds the value, for a read
 * the handler stores it.  Returns 0, or -errno to end a rep string early.
 */
typedef int (*lb_ioreq_handler)(void *arg, const ioreq_t *req, uint64_t addr,
				uint64_t *val);

struct lb_ioreq_server {
	struct lb_dom *d;
	domid_t guest;
	shared_iopage_t *page;		/* foreign mapping */
	uint8_t *guest_mem;		/* the whole guest memory, foreign */
	uint64_t guest_bytes;
	unsigned int nr_vcpus;
	struct xpv_evtchn_demux dx;
	evtchn_port_t vcpu_port[LB_IOREQ_MAX_VCPUS];
	evtchn_port_t irq_port[LB_IOREQ_NR_IRQS];
	uint32_t irq_level;
	lb_ioreq_handler pio, mmio;
	void *arg;
	struct lb_ioreq_stats stats;
};

/*
 * The check of one slot the guest wrote, on a private copy: 0, -EINVAL for
 * a size, type, count or data_is_ptr that Xen refuses to forward, -EFAULT
 * for a rep string not wholly inside @guest_bytes of guest memory.  For a
 * rep string that passes, *@buf_off is where its buffer starts (its lowest
 * byte, whichever way DF points).
 */
int lb_ioreq_check_req(const ioreq_t *r, uint64_t guest_bytes,
		       uint64_t *buf_off);

/*
 * Maps the ioreq page at @gfn of @guest, checks the platform block, binds
 * the vCPU and IRQ channels and tells each vCPU the model is there.
 */
int lb_ioreq_server_init(struct lb_ioreq_server *s, struct lb_dom *d,
			 domid_t guest, uint64_t gfn, lb_ioreq_handler pio,
			 lb_ioreq_handler mmio, void *arg);
void lb_ioreq_server_destroy(struct lb_ioreq_server *s);
/* Serves every pending event (call when the domain's event fd is readable). */
unsigned int lb_ioreq_server_run(struct lb_ioreq_server *s);
/* Sets the level of ISA line @irq; a rising edge sends its event. */
void lb_ioreq_set_irq(struct lb_ioreq_server *s, unsigned int irq, bool level);

/*
 * Privileged foreign mapping (xenforeignmemory_map): the memory of @guest
 * as seen by device model @d, which must be domain 0.  Frames are
 * contiguous in the loopback, so one base and a size serve every gfn.
 */
int lb_foreign_memory(struct lb_dom *d, domid_t guest, uint8_t **base,
		      uint64_t *bytes);

#endif
