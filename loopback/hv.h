/* SPDX-License-Identifier: MIT */
/*
 * The loopback hypervisor's state: one shared memory region (a memfd owned
 * by xenpv-loopback, mapped by every domain process).  It holds, per domain,
 * what Xen keeps in its own memory: the shared_info page, the grant table
 * frames with their pin counts, the event channel ports and the maptrack.
 * The "hypercalls" in the loopback sources run in the calling process against this
 * region, the way Xen's code runs on the calling vCPU.
 */
#ifndef XENPV_LOOPBACK_HV_H
#define XENPV_LOOPBACK_HV_H

#include <pthread.h>
#include <stdint.h>

#include "xenpv/xen.h"

#define LB_HV_MAGIC 0x78706c62u /* "xplb" */
#define LB_HV_VERSION 1
#define LB_MAX_DOMS 64
/* Ports per domain; the 2-level ABI names up to 4096 on 64-bit. */
#define LB_NR_PORTS 1024
#define LB_GNT_FRAMES 4
#define LB_NR_GRANTS (LB_GNT_FRAMES * XPV_PAGE_SIZE / sizeof(grant_entry_v1_t))
#define LB_MAPTRACK 4096

enum lb_dom_state { LB_DOM_FREE, LB_DOM_ALIVE };

enum lb_port_state {
	LB_PORT_FREE,
	LB_PORT_UNBOUND,
	LB_PORT_INTERDOMAIN,
	LB_PORT_VIRQ,		/* dom field: the virq; port field: vCPU */
};

/*
 * A port is one 64-bit word so that send can read state and peer without
 * taking a lock: state in bits 0-7, remote domid 16-31, remote port 32-63.
 */
typedef uint64_t lb_port_word_t;

static inline lb_port_word_t lb_port_pack(unsigned int state, unsigned int dom,
					  unsigned int port)
{
	return (uint64_t)state | ((uint64_t)dom << 16) | ((uint64_t)port << 32);
}

static inline unsigned int lb_port_state(lb_port_word_t w) { return w & 0xff; }
static inline unsigned int lb_port_dom(lb_port_word_t w)
{
	return (w >> 16) & 0xffff;
}
static inline unsigned int lb_port_remote(lb_port_word_t w) { return w >> 32; }

/* Pins on one grant entry: read-only maps in the low half, writable high. */
#define LB_PIN_RO 1u
#define LB_PIN_RW (1u << 16)

struct lb_maptrack {
	uint32_t in_use;
	uint16_t dom;		/* granting domain */
	uint16_t readonly;
	uint32_t ref;
	uint32_t dom_gen;	/* granting domain's generation when mapped */
	uint64_t host_addr;	/* where the mapper has it (its own address) */
};

/* A domain's physmap: gfns 0 .. nr_pages-1, at most this many. */
#define LB_PHYSMAP_MAX (1u << 18)

/* Xen's mctelem sizes: MC_URGENT_NENT and MC_NONURGENT_NENT. */
#define LB_MCA_URGENT 0
#define LB_MCA_NONURGENT 1
#define LB_MCA_NR_QUEUES 2
#define LB_MCA_NENT_MAX 20
#define LB_MCA_OFFLINE_MAX 64

struct lb_mca_slot {
	uint64_t fetch_id;
	struct mc_info mi;
};

/* Committed telemetry, oldest at head; fetch reads head, ACK frees it. */
struct lb_mca_queue {
	uint32_t head, count, size;
	uint32_t overflow;	/* sticky: an injection found it full */
	uint64_t next_id;
	uint64_t committed, acked, refused;
	struct lb_mca_slot slot[LB_MCA_NENT_MAX];
};

struct lb_stats {
	uint64_t maps, unmaps, copies, sends, kicks, map_errors;
};

struct lb_domain {
	struct shared_info shared_info;
	uint8_t shared_info_pad[XPV_PAGE_SIZE - sizeof(struct shared_info)];
	grant_entry_v1_t gnttab[LB_NR_GRANTS];
	uint32_t pins[LB_NR_GRANTS];
	lb_port_word_t ports[LB_NR_PORTS];
	struct lb_maptrack maptrack[LB_MAPTRACK];
	/* Serialises pin counts, port binding and maptrack of this domain. */
	pthread_mutex_t lock;
	uint32_t state;		/* enum lb_dom_state */
	uint32_t generation;	/* bumped on every create and destroy */
	int32_t pid;
	uint32_t nr_pages;
	uint32_t maptrack_used;
	uint32_t maptrack_next;	/* where the search for a free handle starts */
	struct lb_stats stats;
	/* Reservation (loopback/memory.c): pages backed now and the cap. */
	uint32_t tot_pages, max_pages;
	uint64_t mem_released, mem_populated;
	/* A set bit: the gfn's page went back to the host (a hole). */
	uint64_t unpopulated[LB_PHYSMAP_MAX / 64];
	/* VIRQ bindings (EVTCHNOP_bind_virq); 0: not bound. */
	uint32_t virq_port[NR_VIRQS];
	/* Machine-check telemetry for this domain (loopback/mca.c). */
	struct lb_mca_queue mca_queue[LB_MCA_NR_QUEUES];
	uint32_t nr_offlined;
	uint64_t offlined[LB_MCA_OFFLINE_MAX];
} __attribute__((aligned(4096)));

struct lb_hv {
	uint32_t magic, version;
	uint32_t max_doms, page_size;
	/* The host's free pool that populate draws on (atomic). */
	uint64_t mem_pool_free;
	uint8_t pad[4096 - 24];
	struct lb_domain doms[LB_MAX_DOMS];
};

_Static_assert(sizeof(struct shared_info) <= XPV_PAGE_SIZE, "shared_info");
_Static_assert(sizeof(grant_entry_v1_t) == 8, "grant v1 entry layout");
_Static_assert(LB_NR_PORTS <= XPV_EVTCHN_2L_NR_PORTS, "2-level port limit");

#endif
