// SPDX-License-Identifier: MIT
/*
 * A scripted evil network frontend: joins the loopback as a guest,
 * connects to netback through xenstore with real granted rings, then fills
 * its tx ring with packets a frontend must never send and checks that each
 * is answered with NETIF_RSP_ERROR (NULL on extra info slots) while good
 * packets around them still go through.  Last, it overflows req_prod and
 * expects the backend to give up on the vif (error node, Closing).
 *
 *   net_evil_front --dir DIR --domid N [--vif ID] [--backend-domid B]
 *
 * Ends with "N passed, N failed".
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "os/user/user.h"
#include "xenpv/compiler.h"
#include "xenpv/os.h"
#include "xenpv/ring.h"

#define NR_DATA 24
#define WAIT_NS (5ull * 1000000000ull)

static unsigned int passed, failed;
static domid_t be_domid;
static unsigned int vif_id;
static netif_tx_front_ring_t tx;
static netif_rx_front_ring_t rx;
static evtchn_port_t port;
static grant_ref_t data_ref[NR_DATA];
static uint8_t *data_page[NR_DATA];
static struct xpv_os_waitq *wq;
static char fe_dir[64], be_dir[96];

static void expect(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAIL", what);
	if (ok)
		passed++;
	else
		failed++;
}

static void on_event(evtchn_port_t p, void *arg)
{
	xpv_os_wake(wq);
}

static int put(const char *node, const char *fmt, unsigned int v)
{
	char path[128], val[32];

	snprintf(path, sizeof(path), "%s/%s", fe_dir, node);
	snprintf(val, sizeof(val), fmt, v);
	return xpv_os_xs_write(XPV_XBT_NIL, path, val);
}

static int be_read(const char *node, char *buf, size_t size)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s", be_dir, node);
	return xpv_os_xs_read(XPV_XBT_NIL, path, buf, size);
}

static bool wait_be_state(int want, unsigned int ms)
{
	char buf[16];

	for (; ms > 0; ms -= 10) {
		if (be_read("state", buf, sizeof(buf)) > 0 && atoi(buf) == want)
			return true;
		usleep(10000);
	}
	return false;
}

static grant_ref_t grant_page(void **page, bool ro)
{
	grant_ref_t ref;

	*page = xpv_os_page_alloc();
	if (!*page || xpv_os_gnttab_claim(&ref, 1) != 1)
		exit(2);
	xpv_os_gnttab_grant(ref, be_domid, xpv_os_virt_to_gfn(*page), ro);
	return ref;
}

static int connect_rings(void)
{
	void *txp, *rxp;
	grant_ref_t txr = grant_page(&txp, false),
		    rxr = grant_page(&rxp, false);
	unsigned int i;

	XPV_RING_FRONT_INIT(&tx, (netif_tx_sring_t *)txp, XPV_PAGE_SIZE);
	XPV_RING_FRONT_INIT(&rx, (netif_rx_sring_t *)rxp, XPV_PAGE_SIZE);
	for (i = 0; i < NR_DATA; i++)
		data_ref[i] = grant_page((void **)&data_page[i], true);
	if (xpv_os_evtchn_alloc_unbound(be_domid, &port) ||
	    xpv_os_evtchn_bind_handler(port, on_event, NULL))
		return -1;
	if (!wait_be_state(XenbusStateInitWait, 10000))
		return -1;
	put("tx-ring-ref", "%u", txr);
	put("rx-ring-ref", "%u", rxr);
	put("event-channel", "%u", port);
	put("request-rx-copy", "%u", 1);
	put("feature-rx-notify", "%u", 1);
	put("feature-sg", "%u", 1);
	put("feature-gso-tcpv4", "%u", 1);
	put("state", "%u", XenbusStateInitialised);
	if (!wait_be_state(XenbusStateConnected, 10000))
		return -1;
	return put("state", "%u", XenbusStateConnected);
}

/* A 60-byte frame in data page @i, at @off. */
static void frame_at(unsigned int i, unsigned int off)
{
	uint8_t *f = data_page[i] + off;

	memset(f, 0, 60);
	memcpy(f, "\xff\xff\xff\xff\xff\xff\x00\x16\x3e\x0e\x71\x01", 12);
	f[12] = 0x88; /* a local experimental ethertype: nobody answers */
	f[13] = 0xb5;
}

static void req(grant_ref_t gref, uint16_t off, uint16_t flags, uint16_t id,
		uint16_t size)
{
	netif_tx_request_t *r = XPV_RING_FRONT_NEXT_REQ(&tx);

	if (!r)
		exit(3);
	*r = (netif_tx_request_t){.gref = gref,
				  .offset = off,
				  .flags = flags,
				  .id = id,
				  .size = size};
}

static void extra(uint8_t type, uint8_t flags, uint16_t size, uint8_t gso)
{
	netif_tx_request_t *r = XPV_RING_FRONT_NEXT_REQ(&tx);
	struct netif_extra_info x = {.type = type, .flags = flags};

	if (!r)
		exit(3);
	x.u.gso.size = size;
	x.u.gso.type = gso;
	memset(r, 0, sizeof(*r));
	memcpy(r, &x, sizeof(x));
}

static bool rsp_ready(void *arg)
{
	RING_IDX want = *(RING_IDX *)arg;

	return (RING_IDX)(xpv_ring_read_prod(&tx.sring->rsp_prod) - want) <
	       0x80000000u;
}

/* Push, then take @n responses; their statuses go to @st (NULL id 0). */
static bool push_and_wait(unsigned int n, int16_t *st, uint16_t *ids)
{
	RING_IDX want = tx.rsp_cons + n;
	unsigned int i;

	/* Ask to be notified once the last of them is there. */
	tx.sring->rsp_event = want;
	if (XPV_RING_FRONT_PUSH(&tx))
		xpv_os_evtchn_notify(port);
	if (xpv_os_wait(wq, rsp_ready, &want, WAIT_NS))
		return false;
	for (i = 0; i < n; i++) {
		netif_tx_response_t r;

		XPV_RING_FRONT_TAKE_RSP(&tx, &r);
		st[i] = r.status;
		ids[i] = r.id;
	}
	return true;
}

/* Every status as @want; extra slots (mask bit set) as NULL. */
static void check_all(const char *what, unsigned int n, int16_t want,
		      unsigned int extra_mask)
{
	int16_t st[32];
	uint16_t ids[32];
	unsigned int i;
	bool ok = push_and_wait(n, st, ids);

	for (i = 0; ok && i < n; i++) {
		int16_t w = (extra_mask >> i) & 1 ? NETIF_RSP_NULL : want;

		if (st[i] != w) {
			printf("  slot %u: status %d, want %d\n", i, st[i], w);
			ok = false;
		}
		if (w != NETIF_RSP_NULL && ids[i] != 100 + i) {
			printf("  slot %u: id %u, want %u\n", i, ids[i],
			       100 + i);
			ok = false;
		}
	}
	expect(ok, what);
}

static void case_good(const char *what)
{
	frame_at(0, 0);
	req(data_ref[0], 0, 0, 100, 60);
	check_all(what, 1, NETIF_RSP_OKAY, 0);
}

static void case_sizes(void)
{
	frame_at(0, 0);
	req(data_ref[0], 0, NETTXF_more_data, 100, 100);
	req(data_ref[1], 0, 0, 101, 200);
	check_all("slot sizes that don't add up: error", 2, NETIF_RSP_ERROR, 0);
}

static void case_slots(void)
{
	unsigned int i;

	req(data_ref[0], 0, NETTXF_more_data, 100, 19 * 64);
	for (i = 1; i < 19; i++)
		req(data_ref[i], 0, i == 18 ? 0 : NETTXF_more_data, 100 + i,
		    64);
	check_all("19 slots, beyond the limit: error", 19, NETIF_RSP_ERROR, 0);
}

static void case_page(void)
{
	req(data_ref[0], 4000, 0, 100, 200);
	check_all("offset+size beyond the page: error", 1, NETIF_RSP_ERROR, 0);
}

static void case_grant(void)
{
	/* A ref we never granted, then one granted to another domain. */
	req(1999, 0, 0, 100, 60);
	check_all("bad grant: error", 1, NETIF_RSP_ERROR, 0);
	xpv_os_gnttab_grant(data_ref[5], be_domid + 7,
			    xpv_os_virt_to_gfn(data_page[5]), true);
	frame_at(5, 0);
	req(data_ref[5], 0, 0, 100, 60);
	check_all("grant for another domain: error", 1, NETIF_RSP_ERROR, 0);
}

static void case_gso(void)
{
	req(data_ref[0], 0, NETTXF_extra_info | NETTXF_csum_blank, 100, 40);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 1448, XEN_NETIF_GSO_TYPE_TCPV4);
	check_all("GSO on a tiny packet: error + NULL", 2, NETIF_RSP_ERROR,
		  1u << 1);
	frame_at(0, 0);
	req(data_ref[0], 0, NETTXF_extra_info | NETTXF_csum_blank, 100, 60);
	extra(XEN_NETIF_EXTRA_TYPE_GSO, 0, 0, XEN_NETIF_GSO_TYPE_TCPV4);
	check_all("GSO size zero: error + NULL", 2, NETIF_RSP_ERROR, 1u << 1);
}

static void case_extra(void)
{
	req(data_ref[0], 0, NETTXF_extra_info | NETTXF_more_data, 100, 160);
	extra(9, 0, 0, 0);
	req(data_ref[1], 0, 0, 102, 100);
	check_all("bogus extra info type: error + NULL", 3, NETIF_RSP_ERROR,
		  1u << 1);
	frame_at(0, 0);
	req(data_ref[0], 0, NETTXF_csum_blank, 100, 60);
	check_all("csum_blank on a non-IP frame: error", 1, NETIF_RSP_ERROR, 0);
}

static void case_overflow(void)
{
	char buf[128];

	/* req_prod far past anything a ring can hold. */
	tx.sring->req_prod = tx.req_prod_pvt + 5000;
	xpv_os_evtchn_notify(port);
	expect(wait_be_state(XenbusStateClosing, 10000) ||
		       wait_be_state(XenbusStateClosed, 100),
	       "req_prod overflow: backend closes the vif");
	expect(be_read("error", buf, sizeof(buf)) > 0,
	       "req_prod overflow: error node written");
	put("state", "%u", XenbusStateClosed);
}

static int parse(int argc, char **argv, const char **dir, int *domid)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"domid", required_argument, NULL, 'n'},
		{"vif", required_argument, NULL, 'v'},
		{"backend-domid", required_argument, NULL, 'b'},
		{NULL, 0, NULL, 0},
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'd')
			*dir = optarg;
		else if (c == 'n')
			*domid = atoi(optarg);
		else if (c == 'v')
			vif_id = atoi(optarg);
		else if (c == 'b')
			be_domid = atoi(optarg);
		else
			return -1;
	}
	return *dir && *domid > 0 ? 0 : -1;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	int domid = 0;

	if (parse(argc, argv, &dir, &domid)) {
		fprintf(stderr, "usage: net_evil_front --dir DIR --domid N "
				"[--vif ID] [--backend-domid B]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (xpv_user_init(dir, domid, 256)) {
		fprintf(stderr, "net_evil_front: cannot join %s\n", dir);
		return 1;
	}
	wq = xpv_os_waitq_new();
	snprintf(fe_dir, sizeof(fe_dir), "device/vif/%u", vif_id);
	snprintf(be_dir, sizeof(be_dir), "/local/domain/%u/backend/vif/%d/%u",
		 be_domid, domid, vif_id);
	expect(connect_rings() == 0, "connected");
	if (!failed) {
		case_good("a good frame: okay");
		case_sizes();
		case_slots();
		case_page();
		case_grant();
		case_gso();
		case_extra();
		case_good("a good frame after all that: okay");
		case_overflow();
	}
	printf("%u passed, %u failed\n", passed, failed);
	fflush(stdout);
	_exit(failed ? 1 : 0);
}
