// SPDX-License-Identifier: MIT
/*
 * xenbus over the store ring start_info names (store_mfn, store_evtchn),
 * with the core's xs_wire codec: one request at a time, its reply matched
 * by req_id; watch events that arrive meanwhile are queued and run later
 * from xenbus_poll(), never inside a request.  The ring is written by
 * xenstored: indexes are read once and checked, lengths capped by the
 * reader before any body is taken.
 */
#include "arch-xen/hypercall.h"
#include "arch-xen/kernel.h"
#include "xenpv/compiler.h"
#include "xenpv/xs_wire.h"

#define XS_TIMEOUT_NS 10000000000ull
#define XS_MAX_WATCHES 32u
#define XS_MAX_EVENTS 16u

struct xpv_os_watch {
	xpv_watch_fn_t fn;
	void *arg;
	bool used;
	char path[128];
};

struct xs_event {
	unsigned int watch;
	char path[128];
};

static struct xenstore_domain_interface *intf;
static evtchn_port_t xs_port;
static struct xpv_xs_reader reader;
static struct xpv_xs_msg req, reply;
static int busy;
static bool xs_dead; /* the ring broke the protocol: no more requests */
static uint32_t next_req_id = 1;
static struct xpv_os_watch watches[XS_MAX_WATCHES];
static struct xs_event events[XS_MAX_EVENTS];
static unsigned int ev_head, ev_tail, ev_dropped;
static struct spinlock ev_lock;
/* Everyone who waits on xenstore: requesters, the lock, the watch thread. */
static struct xpv_os_waitq *xs_wq;

static void xs_on_event(evtchn_port_t port, void *arg)
{
	/* The waiters read the ring themselves. */
	xpv_os_wake(xs_wq);
}

static void xenwatch_thread(void *arg);

int xenbus_init(void)
{
	int err;
	unsigned long pfn = mfn_to_pfn(start_info->store_mfn);

	if (pfn >= start_info->nr_pages)
		return -XPV_EINVAL;
	intf = (struct xenstore_domain_interface *)(pfn << XPV_PAGE_SHIFT);
	xs_port = start_info->store_evtchn;
	xpv_xs_reader_init(&reader, XENSTORE_PAYLOAD_MAX);
	xs_wq = xpv_os_waitq_new();
	if (!xs_wq)
		return -XPV_ENOMEM;
	err = xpv_os_evtchn_bind_handler(xs_port, xs_on_event, NULL);
	if (!err && sched_active())
		err = thread_create("xenwatch", xenwatch_thread, NULL);
	return err;
}

static bool call_ready(void *arg)
{
	return ((bool (*)(void))arg)();
}

/* Sleeps until @ready; false after the deadline. */
static bool xs_wait(bool (*ready)(void), uint64_t end)
{
	uint64_t now = monotonic_ns();

	if (ready())
		return true;
	if (now >= end)
		return false;
	return !xpv_os_wait(xs_wq, call_ready, (void *)ready, end - now);
}

static bool req_space(void)
{
	XENSTORE_RING_IDX cons = __atomic_load_n(&intf->req_cons,
						 __ATOMIC_ACQUIRE);

	return intf->req_prod - cons < XENSTORE_RING_SIZE;
}

static int xs_write_ring(const uint8_t *p, uint32_t len, uint64_t end)
{
	XENSTORE_RING_IDX prod = intf->req_prod, cons;

	while (len) {
		if (!xs_wait(req_space, end))
			return -XPV_ETIMEDOUT;
		cons = __atomic_load_n(&intf->req_cons, __ATOMIC_ACQUIRE);
		while (len && prod - cons < XENSTORE_RING_SIZE) {
			intf->req[MASK_XENSTORE_IDX(prod)] = *p++;
			prod++;
			len--;
		}
		__atomic_store_n(&intf->req_prod, prod, __ATOMIC_RELEASE);
		evtchn_notify(xs_port);
	}
	return 0;
}

static bool rsp_ready(void)
{
	return __atomic_load_n(&intf->rsp_prod, __ATOMIC_ACQUIRE) !=
	       intf->rsp_cons;
}

static void queue_event(const struct xpv_xs_msg *m)
{
	const char *f[2];
	unsigned long flags;
	uint64_t w;

	if (xpv_xs_split(m->body, m->hdr.len, f, 2) != 2 ||
	    xpv_strlen(f[0]) >= sizeof(events[0].path) || f[1][0] != 'w' ||
	    xpv_xs_parse_uint(f[1] + 1, xpv_strlen(f[1] + 1),
			      XS_MAX_WATCHES - 1, &w))
		return;
	flags = spin_lock_irqsave(&ev_lock);
	if (ev_tail - ev_head < XS_MAX_EVENTS) {
		struct xs_event *e = &events[ev_tail++ % XS_MAX_EVENTS];

		e->watch = (unsigned int)w;
		xpv_memcpy(e->path, f[0], xpv_strlen(f[0]) + 1);
	} else {
		ev_dropped++;
	}
	spin_unlock_irqrestore(&ev_lock, flags);
	xpv_os_wake(xs_wq);
}

/* Takes what the ring holds; true once the reply to @id is in `reply`. */
static int xs_read_ring(uint32_t id, bool *got)
{
	XENSTORE_RING_IDX cons = intf->rsp_cons;
	XENSTORE_RING_IDX prod = __atomic_load_n(&intf->rsp_prod,
						 __ATOMIC_ACQUIRE);
	bool complete;
	int n;

	if (prod - cons > XENSTORE_RING_SIZE) {
		xs_dead = true;
		return -XPV_EPROTO;
	}
	while (cons != prod && !*got) {
		char c = intf->rsp[MASK_XENSTORE_IDX(cons)];

		n = xpv_xs_reader_feed(&reader, &c, 1, &complete);
		if (n < 0) {
			xs_dead = true;
			return n;
		}
		cons++;
		if (!complete)
			continue;
		if (reader.msg.hdr.type == XS_WATCH_EVENT)
			queue_event(&reader.msg);
		else if (reader.msg.hdr.req_id == id) {
			xpv_memcpy(&reply, &reader.msg,
				   XPV_XS_HDR_SIZE + reader.msg.hdr.len + 1);
			*got = true;
		}
		xpv_xs_reader_reset(&reader);
	}
	__atomic_store_n(&intf->rsp_cons, cons, __ATOMIC_RELEASE);
	evtchn_notify(xs_port);
	return 0;
}

/* Sends `req`, waits for its reply: 0 or -errno (an ERROR reply too). */
static int xs_transact(void)
{
	uint64_t end = monotonic_ns() + XS_TIMEOUT_NS;
	bool got = false;
	int err;

	err = xs_write_ring((const uint8_t *)&req, xpv_xs_msg_wire_len(&req),
			    end);
	while (!err && !got) {
		if (!xs_wait(rsp_ready, end))
			return -XPV_ETIMEDOUT;
		err = xs_read_ring(req.hdr.req_id, &got);
	}
	if (err)
		return err;
	if (reply.hdr.type == XS_ERROR)
		return -xpv_xs_errno_from_name(reply.body, reply.hdr.len);
	return reply.hdr.type == req.hdr.type ? 0 : -XPV_EPROTO;
}

static bool xs_free(void *arg)
{
	return !__atomic_load_n(&busy, __ATOMIC_ACQUIRE);
}

/* One request at a time; its owner sleeps in xs_transact, so a sleeping
 * lock: a spinning thread would never let the owner run again. */
static void xs_lock(void)
{
	while (__atomic_exchange_n(&busy, 1, __ATOMIC_ACQUIRE))
		xpv_os_wait(xs_wq, xs_free, NULL, 0);
}

static void xs_unlock(void)
{
	__atomic_store_n(&busy, 0, __ATOMIC_RELEASE);
	xpv_os_wake(xs_wq);
}

/* A request of @type with up to two strings; the second without its NUL
 * when @raw_last (a written value). */
static int xs_call(uint32_t type, xpv_xbt_t t, const char *a, const char *b,
		   bool raw_last)
{
	int err;

	if (!intf)
		return -XPV_ENOSYS;
	if (xs_dead)
		return -XPV_EIO;
	xpv_xs_msg_init(&req, type, next_req_id++, t);
	err = xpv_xs_msg_append_str(&req, a);
	if (!err && b)
		err = raw_last ? xpv_xs_msg_append(&req, b, xpv_strlen(b))
			       : xpv_xs_msg_append_str(&req, b);
	return err ? err : xs_transact();
}

int xpv_os_xs_read(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	int err;

	xs_lock();
	err = xs_call(XS_READ, t, path, NULL, false);
	if (!err) {
		if ((size_t)reply.hdr.len + 1 > size) {
			err = -XPV_E2BIG;
		} else {
			xpv_memcpy(buf, reply.body, reply.hdr.len);
			buf[reply.hdr.len] = '\0';
			err = (int)reply.hdr.len;
		}
	}
	xs_unlock();
	return err;
}

int xpv_os_xs_write(xpv_xbt_t t, const char *path, const char *value)
{
	int err;

	xs_lock();
	err = xs_call(XS_WRITE, t, path, value, true);
	xs_unlock();
	return err;
}

int xpv_os_xs_rm(xpv_xbt_t t, const char *path)
{
	int err;

	xs_lock();
	err = xs_call(XS_RM, t, path, NULL, false);
	xs_unlock();
	return err;
}

int xpv_os_xs_directory(xpv_xbt_t t, const char *path, char *buf, size_t size)
{
	int err;

	xs_lock();
	err = xs_call(XS_DIRECTORY, t, path, NULL, false);
	if (!err) {
		err = xpv_xs_count_strings(reply.body, reply.hdr.len);
		if (err >= 0 && reply.hdr.len > size)
			err = -XPV_E2BIG;
		else if (err >= 0)
			xpv_memcpy(buf, reply.body, reply.hdr.len);
	}
	xs_unlock();
	return err;
}

int xpv_os_xs_transaction_start(xpv_xbt_t *t)
{
	uint64_t id;
	int err;

	xs_lock();
	err = xs_call(XS_TRANSACTION_START, XPV_XBT_NIL, "", NULL, false);
	if (!err && (reply.hdr.len < 2 ||
		     xpv_xs_parse_uint(reply.body, reply.hdr.len - 1,
				       0xffffffffu, &id) || !id))
		err = -XPV_EPROTO;
	if (!err)
		*t = (xpv_xbt_t)id;
	xs_unlock();
	return err;
}

int xpv_os_xs_transaction_end(xpv_xbt_t t, bool abort)
{
	int err;

	xs_lock();
	err = xs_call(XS_TRANSACTION_END, t, abort ? "F" : "T", NULL, false);
	xs_unlock();
	return err;
}

struct xpv_os_watch *xpv_os_xs_watch(const char *path, xpv_watch_fn_t fn,
				     void *arg)
{
	struct xpv_os_watch *w = NULL;
	char token[8];
	unsigned int i;

	if (xpv_strlen(path) >= sizeof(w->path))
		return NULL;
	xs_lock();
	for (i = 0; i < XS_MAX_WATCHES && !w; i++)
		if (!watches[i].used)
			w = &watches[i];
	if (w) {
		*w = (struct xpv_os_watch){ .fn = fn, .arg = arg, .used = true };
		xpv_memcpy(w->path, path, xpv_strlen(path) + 1);
		ksnprintf(token, sizeof(token), "w%u", (unsigned)(w - watches));
		if (xs_call(XS_WATCH, XPV_XBT_NIL, path, token, false)) {
			w->used = false;
			w = NULL;
		}
	}
	xs_unlock();
	return w;
}

/*
 * Drops the queued events of watch @slot.  Events ride the ring in order
 * with replies, so once UNWATCH is answered every event of the watch is
 * queued already: without this, the next watch in the slot would run them
 * with its own callback and argument.
 */
static void drop_events(unsigned int slot)
{
	unsigned long flags = spin_lock_irqsave(&ev_lock);
	unsigned int i, kept = ev_head;

	for (i = ev_head; i != ev_tail; i++) {
		struct xs_event *e = &events[i % XS_MAX_EVENTS];

		if (e->watch != slot)
			events[kept++ % XS_MAX_EVENTS] = *e;
	}
	ev_tail = kept;
	spin_unlock_irqrestore(&ev_lock, flags);
}

void xpv_os_xs_unwatch(struct xpv_os_watch *w)
{
	unsigned int slot;
	char token[8];

	if (!w || w < watches || w >= watches + XS_MAX_WATCHES)
		return;
	slot = (unsigned int)(w - watches);
	ksnprintf(token, sizeof(token), "w%u", slot);
	xs_lock();
	xs_call(XS_UNWATCH, XPV_XBT_NIL, w->path, token, false);
	drop_events(slot);
	w->used = false;
	xs_unlock();
}

/*
 * Runs the queued watch events (the kernel's xenwatch context); events
 * that came while nobody was in a request are read off the ring here.
 * Returns how many callbacks ran.
 */
unsigned int xenbus_poll(void)
{
	struct xs_event e;
	unsigned long flags;
	unsigned int n = 0;
	bool got = false;

	if (!intf)
		return 0;
	xs_lock();
	if (!xs_dead && rsp_ready() && xs_read_ring(0, &got))
		printk("xenpv: xenstore ring broken, requests stop\n");
	xs_unlock();
	for (;;) {
		flags = spin_lock_irqsave(&ev_lock);
		if (ev_head == ev_tail) {
			spin_unlock_irqrestore(&ev_lock, flags);
			return n;
		}
		e = events[ev_head++ % XS_MAX_EVENTS];
		spin_unlock_irqrestore(&ev_lock, flags);
		if (watches[e.watch].used) {
			watches[e.watch].fn(e.path, watches[e.watch].arg);
			n++;
		}
	}
}

static bool xenwatch_due(void *arg)
{
	bool queued;
	unsigned long flags = spin_lock_irqsave(&ev_lock);

	queued = ev_head != ev_tail;
	spin_unlock_irqrestore(&ev_lock, flags);
	return queued || (!xs_dead && xs_free(NULL) && rsp_ready());
}

/* The kernel's xenwatch context: watch callbacks run here, one at a time. */
static void xenwatch_thread(void *arg)
{
	for (;;) {
		xpv_os_wait(xs_wq, xenwatch_due, NULL, 0);
		xenbus_poll();
	}
}
