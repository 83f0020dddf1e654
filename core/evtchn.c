// SPDX-License-Identifier: MIT
/*
 * 2-level event channels: the guest's upcall demultiplexer and the
 * hypervisor's set_pending on the shared_info page.
 */
#include "xenpv/evtchn.h"
#include "xenpv/compiler.h"

#define XPV_EVTCHN_WORDS XPV_EVTCHN_BITS_PER_WORD

/* The bits of @w at positions @from and above. */
static inline xen_ulong_t xpv_evtchn_bits_from(xen_ulong_t w, unsigned int from)
{
	if (from >= XPV_EVTCHN_BITS_PER_WORD)
		return 0;
	return w & (~(xen_ulong_t)0 << from);
}

static inline unsigned int xpv_evtchn_ffs(xen_ulong_t w)
{
	return (unsigned int)__builtin_ctzl(w);
}

static inline uint8_t xpv_evtchn_xchg8(uint8_t *p, uint8_t v)
{
	return __atomic_exchange_n(p, v, __ATOMIC_SEQ_CST);
}

int xpv_evtchn_demux_init(struct xpv_evtchn_demux *d, struct shared_info *s,
			  unsigned int nr_ports)
{
	XPV_BUILD_BUG_ON(sizeof(xen_ulong_t) != sizeof(unsigned long));

	xpv_memset(d, 0, sizeof(*d));
	if (!s || nr_ports == 0 || nr_ports > XPV_EVTCHN_2L_NR_PORTS)
		return -XPV_EINVAL;
	d->slots = xpv_os_zalloc(nr_ports * sizeof(*d->slots));
	if (!d->slots)
		return -XPV_ENOMEM;
	d->s = s;
	d->nr_ports = nr_ports;
	return 0;
}

void xpv_evtchn_demux_destroy(struct xpv_evtchn_demux *d)
{
	xpv_os_free(d->slots);
	xpv_memset(d, 0, sizeof(*d));
}

int xpv_evtchn_demux_set_handler(struct xpv_evtchn_demux *d,
				 evtchn_port_t port, xpv_evtchn_handler_t fn,
				 void *arg)
{
	struct xpv_evtchn_slot *slot;
	xpv_evtchn_handler_t none = NULL;

	if (port >= d->nr_ports || !fn)
		return -XPV_EINVAL;
	slot = &d->slots[port];
	if (__atomic_load_n(&slot->fn, __ATOMIC_SEQ_CST))
		return -XPV_EBUSY;
	/* arg before fn: a caller that sees the new fn sees its arg. */
	__atomic_store_n(&slot->arg, arg, __ATOMIC_SEQ_CST);
	if (!__atomic_compare_exchange_n(&slot->fn, &none, fn, false,
					 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
		return -XPV_EBUSY;
	return 0;
}

void xpv_evtchn_demux_clear_handler(struct xpv_evtchn_demux *d,
				    evtchn_port_t port)
{
	struct xpv_evtchn_slot *slot;

	if (port >= d->nr_ports)
		return;
	slot = &d->slots[port];
	__atomic_store_n(&slot->fn, NULL, __ATOMIC_SEQ_CST);
	/* A call that began before the store may still be using arg. */
	while (__atomic_load_n(&slot->calls, __ATOMIC_SEQ_CST))
		;
	__atomic_store_n(&slot->arg, NULL, __ATOMIC_SEQ_CST);
	/* The number comes back from the next allocation, bound to vCPU 0. */
	__atomic_store_n(&slot->vcpu, 0, __ATOMIC_SEQ_CST);
}

int xpv_evtchn_demux_set_vcpu(struct xpv_evtchn_demux *d, evtchn_port_t port,
			      unsigned int vcpu)
{
	if (port >= d->nr_ports || vcpu >= XPV_EVTCHN_MAX_VCPUS)
		return -XPV_EINVAL;
	__atomic_store_n(&d->slots[port].vcpu, vcpu, __ATOMIC_SEQ_CST);
	return 0;
}

unsigned int xpv_evtchn_demux_vcpu(const struct xpv_evtchn_demux *d,
				   evtchn_port_t port)
{
	return port < d->nr_ports
		       ? __atomic_load_n(&d->slots[port].vcpu, __ATOMIC_SEQ_CST)
		       : 0;
}

/* Serve one port found pending: 1 if we took the event, 0 if not. */
static unsigned int xpv_evtchn_serve(struct xpv_evtchn_demux *d,
				     evtchn_port_t port)
{
	struct xpv_evtchn_slot *slot;
	xpv_evtchn_handler_t fn;

	/* Cleared before the handler runs, so a new edge is never lost. */
	if (!xpv_test_and_clear_bit(port, d->s->evtchn_pending))
		return 0;
	if (port >= d->nr_ports) {
		__atomic_fetch_add(&d->nr_spurious, 1, __ATOMIC_RELAXED);
		return 1;
	}
	slot = &d->slots[port];
	__atomic_fetch_add(&slot->calls, 1, __ATOMIC_SEQ_CST);
	fn = __atomic_load_n(&slot->fn, __ATOMIC_SEQ_CST);
	if (fn) {
		fn(port, __atomic_load_n(&slot->arg, __ATOMIC_SEQ_CST));
		__atomic_fetch_add(&d->nr_handled, 1, __ATOMIC_RELAXED);
	} else {
		__atomic_fetch_add(&d->nr_spurious, 1, __ATOMIC_RELAXED);
	}
	__atomic_fetch_sub(&slot->calls, 1, __ATOMIC_SEQ_CST);
	return 1;
}

/*
 * Serve the active ports of @word that belong to @vcpu, from bit @from up;
 * moves the cursor.
 */
static unsigned int xpv_evtchn_scan_word(struct xpv_evtchn_demux *d,
					 unsigned int vcpu,
					 struct xpv_evtchn_cursor *cur,
					 unsigned int word, unsigned int from)
{
	struct shared_info *s = d->s;
	xen_ulong_t active, bits;
	unsigned int bit, n = 0;
	evtchn_port_t port;

	active = __atomic_load_n(&s->evtchn_pending[word], __ATOMIC_SEQ_CST) &
		 ~__atomic_load_n(&s->evtchn_mask[word], __ATOMIC_SEQ_CST);
	for (bits = xpv_evtchn_bits_from(active, from); bits;
	     bits = xpv_evtchn_bits_from(active, bit + 1)) {
		bit = xpv_evtchn_ffs(bits);
		port = word * XPV_EVTCHN_BITS_PER_WORD + bit;
		if (xpv_evtchn_demux_vcpu(d, port) != vcpu)
			continue;
		n += xpv_evtchn_serve(d, port);
		if (bit + 1 < XPV_EVTCHN_BITS_PER_WORD) {
			cur->word = word;
			cur->bit = bit + 1;
		} else {
			cur->word = (word + 1) % XPV_EVTCHN_WORDS;
			cur->bit = 0;
		}
	}
	return n;
}

/*
 * Walk the words flagged in @sel, starting at the cursor.  The cursor's
 * word is visited twice when the cursor is mid-word: first from the cursor
 * up, last from bit 0, so every port gets its turn before one is served
 * again.
 */
static unsigned int xpv_evtchn_scan(struct xpv_evtchn_demux *d,
				    unsigned int vcpu, xen_ulong_t sel)
{
	struct xpv_evtchn_cursor *cur = &d->cursor[vcpu];
	unsigned int start_word = cur->word % XPV_EVTCHN_WORDS;
	unsigned int start_bit = cur->bit % XPV_EVTCHN_BITS_PER_WORD;
	bool split = start_bit != 0;
	unsigned int word = start_word, from, n = 0;
	xen_ulong_t ahead;

	while (sel) {
		ahead = xpv_evtchn_bits_from(sel, word);
		if (!ahead) {
			word = 0;
			continue;
		}
		word = xpv_evtchn_ffs(ahead);
		from = 0;
		if (word == start_word && split) {
			from = start_bit;
			split = false;
		} else {
			sel &= ~((xen_ulong_t)1 << word);
		}
		n += xpv_evtchn_scan_word(d, vcpu, cur, word, from);
		word = (word + 1) % XPV_EVTCHN_WORDS;
	}
	return n;
}

unsigned int xpv_evtchn_demux_run(struct xpv_evtchn_demux *d,
				  unsigned int vcpu)
{
	struct vcpu_info *v;
	xen_ulong_t sel;
	unsigned int n = 0;

	if (!d->s || vcpu >= XPV_EVTCHN_MAX_VCPUS)
		return 0;
	v = &d->s->vcpu_info[vcpu];
	do {
		/* Clear first: an event after this point raises it again. */
		__atomic_store_n(&v->evtchn_upcall_pending, 0,
				 __ATOMIC_SEQ_CST);
		sel = __atomic_exchange_n(&v->evtchn_pending_sel, 0,
					  __ATOMIC_SEQ_CST);
		n += xpv_evtchn_scan(d, vcpu, sel);
	} while (__atomic_load_n(&v->evtchn_upcall_pending, __ATOMIC_SEQ_CST));
	return n;
}

/* Flag @port's word on @vcpu; true if the vCPU must be kicked. */
static bool xpv_evtchn_raise(struct shared_info *s, unsigned int vcpu,
			     evtchn_port_t port)
{
	struct vcpu_info *v = &s->vcpu_info[vcpu];

	if (xpv_test_and_set_bit(port / XPV_EVTCHN_BITS_PER_WORD,
				 &v->evtchn_pending_sel))
		return false;
	return xpv_evtchn_xchg8(&v->evtchn_upcall_pending, 1) == 0;
}

bool xpv_evtchn_2l_set_pending(struct shared_info *s, unsigned int vcpu,
			       evtchn_port_t port)
{
	if (port >= XPV_EVTCHN_2L_NR_PORTS || vcpu >= XPV_EVTCHN_MAX_VCPUS)
		return false;
	if (xpv_test_and_set_bit(port, s->evtchn_pending))
		return false;
	if (xpv_test_bit(port, s->evtchn_mask))
		return false;
	return xpv_evtchn_raise(s, vcpu, port);
}

void xpv_evtchn_2l_mask(struct shared_info *s, evtchn_port_t port)
{
	if (port < XPV_EVTCHN_2L_NR_PORTS)
		xpv_set_bit(port, s->evtchn_mask);
}

bool xpv_evtchn_2l_unmask(struct shared_info *s, unsigned int vcpu,
			  evtchn_port_t port)
{
	if (port >= XPV_EVTCHN_2L_NR_PORTS || vcpu >= XPV_EVTCHN_MAX_VCPUS)
		return false;
	if (!xpv_test_and_clear_bit(port, s->evtchn_mask))
		return false;
	/* An edge that came while masked raised nothing: raise it now. */
	if (!xpv_test_bit(port, s->evtchn_pending))
		return false;
	return xpv_evtchn_raise(s, vcpu, port);
}

void xpv_evtchn_2l_mask_all(struct shared_info *s)
{
	unsigned int i;

	for (i = 0; i < XPV_ARRAY_SIZE(s->evtchn_mask); i++)
		__atomic_store_n(&s->evtchn_mask[i], ~(xen_ulong_t)0,
				 __ATOMIC_SEQ_CST);
}

bool xpv_evtchn_2l_is_pending(const struct shared_info *s, evtchn_port_t port)
{
	return port < XPV_EVTCHN_2L_NR_PORTS &&
	       xpv_test_bit(port, s->evtchn_pending);
}

void xpv_evtchn_2l_clear_pending(struct shared_info *s, evtchn_port_t port)
{
	if (port < XPV_EVTCHN_2L_NR_PORTS)
		xpv_clear_bit(port, s->evtchn_pending);
}
