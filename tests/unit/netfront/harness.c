// SPDX-License-Identifier: MIT
/* The scripted netback for the netfront tests; see harness.h. */
#include <CUnit/CUnit.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/unit/core/fake_os.h"
#include "tests/unit/netfront/harness.h"

struct h_state h;

static void h_rx_cb(void *arg, unsigned int queue,
		    const struct xpv_netfront_pkt *pkt)
{
	uint32_t off = 0;
	unsigned int i;

	for (i = 0; i < pkt->nr_frags; i++) {
		if (off + pkt->frags[i].len <= sizeof(h.last))
			memcpy(h.last + off, pkt->frags[i].data,
			       pkt->frags[i].len);
		off += pkt->frags[i].len;
	}
	CU_ASSERT_EQUAL(off, pkt->len);
	h.last_len = pkt->len;
	h.last_frags = pkt->nr_frags;
	h.last_queue = queue;
	h.last_flags = pkt->flags;
	h.last_gso_type = pkt->gso_type;
	h.last_gso_size = pkt->gso_size;
	h.nr_rx++;
}

static void h_wake_cb(void *arg, unsigned int queue) { h.wakes++; }
static void h_kick_cb(void *arg) { h.kicks++; }

static void h_link_cb(void *arg, bool up)
{
	if (up)
		h.links_up++;
	else
		h.links_down++;
}

static const struct xpv_netfront_ops h_ops = {
	.rx = h_rx_cb,
	.tx_wake = h_wake_cb,
	.link = h_link_cb,
	.kick = h_kick_cb,
};

void h_offer_all(struct h_offer *o)
{
	memset(o, 0, sizeof(*o));
	o->max_queues = 1;
	o->sg = o->gso4 = o->gso6 = o->ipv6_csum = true;
}

static void h_put(const char *dir, const char *node, const char *v)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", dir, node);
	CU_ASSERT_EQUAL(xpv_os_xs_write(XPV_XBT_NIL, p, v), 0);
}

static void h_write_offer(const struct h_offer *o)
{
	char v[16];

	h_put(H_BACK, "frontend", "/local/domain/1/" H_FRONT);
	h_put(H_BACK, "feature-rx-copy", o->no_rx_copy ? "0" : "1");
	h_put(H_BACK, "feature-sg", o->sg ? "1" : "0");
	h_put(H_BACK, "feature-gso-tcpv4", o->gso4 ? "1" : "0");
	h_put(H_BACK, "feature-gso-tcpv6", o->gso6 ? "1" : "0");
	h_put(H_BACK, "feature-ipv6-csum-offload", o->ipv6_csum ? "1" : "0");
	h_put(H_BACK, "feature-split-event-channels", o->split ? "1" : "0");
	if (o->max_queues) {
		snprintf(v, sizeof(v), "%u", o->max_queues);
		h_put(H_BACK, "multi-queue-max-queues", v);
	}
	h_put(H_BACK, "state", "1");
}

int h_init(const struct xpv_netfront_config *cfg, const struct h_offer *o)
{
	int err;

	fake_os_reset();
	fake_os_log_quiet(true);
	memset(&h, 0, sizeof(h));
	h_put(H_FRONT, "backend", H_BACK);
	h_put(H_FRONT, "backend-id", "0");
	h_put(H_FRONT, "mac", "00:16:3e:00:00:01");
	h_put(H_FRONT, "state", "1");
	h_write_offer(o);
	err = xpv_netfront_init(&h.nf, cfg, &h_ops, NULL);
	if (err)
		return err;
	return xpv_netfront_start(&h.nf);
}

void h_set_backend_state(enum xenbus_state s)
{
	char v[4];

	snprintf(v, sizeof(v), "%u", (unsigned int)s);
	h_put(H_BACK, "state", v);
	xpv_netfront_otherend_changed(&h.nf);
}

unsigned int h_state_of_front(void)
{
	const char *v = fake_os_xs_get(H_FRONT "/state");

	return v ? (unsigned int)atoi(v) : 0;
}

void *h_gref_page(grant_ref_t ref)
{
	grant_entry_v1_t *e = fake_os_gnttab_entry(ref);

	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_FATAL(e->flags & GTF_permit_access);
	return fake_os_gfn_to_virt(e->frame);
}

static unsigned int h_get_uint(const char *dir, const char *node)
{
	char p[256];
	const char *v;

	snprintf(p, sizeof(p), "%s/%s", dir, node);
	v = fake_os_xs_get(p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(v);
	return (unsigned int)strtoul(v, NULL, 10);
}

void h_attach(void)
{
	const char *mq = fake_os_xs_get(H_FRONT "/multi-queue-num-queues");
	char dir[64], p[96];
	unsigned int i;

	h.nq = mq ? (unsigned int)atoi(mq) : 1;
	for (i = 0; i < h.nq; i++) {
		if (h.nq == 1)
			snprintf(dir, sizeof(dir), "%s", H_FRONT);
		else
			snprintf(dir, sizeof(dir), "%s/queue-%u", H_FRONT, i);
		BACK_RING_INIT(&h.tx[i], (netif_tx_sring_t *)h_gref_page(
				       h_get_uint(dir, "tx-ring-ref")),
			       XPV_PAGE_SIZE);
		BACK_RING_INIT(&h.rx[i], (netif_rx_sring_t *)h_gref_page(
				       h_get_uint(dir, "rx-ring-ref")),
			       XPV_PAGE_SIZE);
		snprintf(p, sizeof(p), "%s/event-channel", dir);
		if (fake_os_xs_get(p)) {
			h.txp[i] = h.rxp[i] = h_get_uint(dir, "event-channel");
		} else {
			h.txp[i] = h_get_uint(dir, "event-channel-tx");
			h.rxp[i] = h_get_uint(dir, "event-channel-rx");
		}
	}
}

void h_connect(void)
{
	unsigned int ups = h.links_up;

	/* Rings published: the node says Connected, the link waits. */
	h_set_backend_state(XenbusStateInitWait);
	CU_ASSERT_EQUAL_FATAL(h_state_of_front(), XenbusStateConnected);
	CU_ASSERT_EQUAL(h.links_up, ups);
	h_attach();
	h_set_backend_state(XenbusStateConnected);
	CU_ASSERT_EQUAL_FATAL(h_state_of_front(), XenbusStateConnected);
	CU_ASSERT_EQUAL(h.links_up, ups + 1);
}

unsigned int h_finish(void)
{
	unsigned int leaked;

	xpv_netfront_close(&h.nf);
	leaked = xpv_netfront_destroy(&h.nf);
	return leaked;
}

void h_rx_slot(unsigned int q, int id, uint16_t offset, int16_t status,
	       uint16_t flags, const uint8_t *data)
{
	netif_rx_back_ring_t *r = &h.rx[q];
	RING_IDX i = r->rsp_prod_pvt;
	netif_rx_request_t req = *RING_GET_REQUEST(r, i);
	netif_rx_response_t *rsp;

	if (data && status > 0 &&
	    (size_t)offset + (size_t)status <= XPV_PAGE_SIZE)
		memcpy((uint8_t *)h_gref_page(req.gref) + offset, data,
		       (size_t)status);
	rsp = RING_GET_RESPONSE(r, i);
	rsp->id = id < 0 ? req.id : (uint16_t)id;
	rsp->offset = offset;
	rsp->flags = flags;
	rsp->status = status;
	r->rsp_prod_pvt++;
	r->req_cons++;
}

void h_rx_extra(unsigned int q, const struct netif_extra_info *x)
{
	netif_rx_back_ring_t *r = &h.rx[q];

	memcpy(RING_GET_RESPONSE(r, r->rsp_prod_pvt), x, sizeof(*x));
	r->rsp_prod_pvt++;
	r->req_cons++;
}

void h_rx_push(unsigned int q)
{
	RING_PUSH_RESPONSES(&h.rx[q]);
	fake_os_evtchn_fire(h.rxp[q]);
}

unsigned int h_tx_take(unsigned int q, struct netif_tx_request *out,
		       unsigned int max)
{
	netif_tx_back_ring_t *r = &h.tx[q];
	unsigned int n = 0;

	while (n < max && r->req_cons != r->sring->req_prod) {
		RING_COPY_REQUEST(r, r->req_cons, &out[n]);
		r->req_cons++;
		n++;
	}
	return n;
}

void h_tx_rsp(unsigned int q, uint16_t id, int16_t status)
{
	netif_tx_back_ring_t *r = &h.tx[q];
	netif_tx_response_t *rsp = RING_GET_RESPONSE(r, r->rsp_prod_pvt);

	rsp->id = id;
	rsp->status = status;
	r->rsp_prod_pvt++;
}

void h_tx_push(unsigned int q)
{
	RING_PUSH_RESPONSES(&h.tx[q]);
	fake_os_evtchn_fire(h.txp[q]);
}

void h_frame(uint8_t *buf, size_t len, unsigned int seed)
{
	static const uint8_t hdr[] = {
		/* Ethernet */
		0x00, 0x16, 0x3e, 0x00, 0x00, 0x01, 0x00, 0x16, 0x3e, 0x00,
		0x00, 0x02, 0x08, 0x00,
		/* IPv4, 20 bytes, TCP */
		0x45, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x40, 0x06,
		0x00, 0x00, 10, 0, 0, 1, 10, 0, 0, 2,
		/* TCP, 20 bytes */
		0x30, 0x39, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0, 0x50, 0x18,
		0xff, 0xff, 0x00, 0x00, 0x00, 0x00,
	};
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = i < sizeof(hdr) ? hdr[i] : (uint8_t)(i * 7 + seed);
}
