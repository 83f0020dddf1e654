/* SPDX-License-Identifier: MIT */
/*
 * A scripted netback on fake_os for the netfront tests: it fills the real
 * shared rings through the grants netfront made, fires its event channels
 * and edits the fake xenstore.  One device at a time (state is global).
 */
#ifndef XENPV_TESTS_NETFRONT_HARNESS_H
#define XENPV_TESTS_NETFRONT_HARNESS_H

#include "drivers/netfront/netfront.h"
#include "drivers/netfront/netfront_check.h"

#define H_FRONT "device/vif/0"
#define H_BACK "/local/domain/0/backend/vif/1/0"
#define H_MAX_FRAME 70000u

struct h_state {
	struct xpv_netfront nf;
	netif_tx_back_ring_t tx[XPV_NETFRONT_MAX_QUEUES];
	netif_rx_back_ring_t rx[XPV_NETFRONT_MAX_QUEUES];
	evtchn_port_t txp[XPV_NETFRONT_MAX_QUEUES];
	evtchn_port_t rxp[XPV_NETFRONT_MAX_QUEUES];
	unsigned int nq;
	unsigned int nr_rx;		/* frames delivered */
	uint8_t last[H_MAX_FRAME];
	uint32_t last_len;
	unsigned int last_frags;
	unsigned int last_queue;
	uint16_t last_flags;
	uint8_t last_gso_type;
	uint16_t last_gso_size;
	unsigned int links_up, links_down, kicks, wakes;
};

extern struct h_state h;

/* What the backend advertises. */
struct h_offer {
	unsigned int max_queues;	/* 0: no multi-queue node */
	bool split, sg, gso4, gso6, ipv6_csum, no_rx_copy;
};

void h_offer_all(struct h_offer *o);
/* Reset fake_os, write frontend and backend nodes, init + start. */
int h_init(const struct xpv_netfront_config *cfg, const struct h_offer *o);
void h_set_backend_state(enum xenbus_state s);
/* InitWait -> attach the rings -> Connected; CU asserts on the way. */
void h_connect(void);
/* Attach the scripted backend to what netfront published. */
void h_attach(void);
unsigned int h_state_of_front(void);
/* Close, destroy; returns refs leaked. */
unsigned int h_finish(void);

void *h_gref_page(grant_ref_t ref);
/* rx: next response slot; @id < 0 echoes the request's id. */
void h_rx_slot(unsigned int q, int id, uint16_t offset, int16_t status,
	       uint16_t flags, const uint8_t *data);
void h_rx_extra(unsigned int q, const struct netif_extra_info *x);
void h_rx_push(unsigned int q);
/* tx: copy out the requests pushed; returns how many. */
unsigned int h_tx_take(unsigned int q, struct netif_tx_request *out,
		       unsigned int max);
void h_tx_rsp(unsigned int q, uint16_t id, int16_t status);
void h_tx_push(unsigned int q);

/* A frame of @len bytes: Ethernet + IPv4 + TCP headers, then a pattern. */
void h_frame(uint8_t *buf, size_t len, unsigned int seed);

#endif
