/* SPDX-License-Identifier: MIT */
/* What the loopback's own files share: the domain handle and the control protocol. */
#ifndef XENPV_LOOPBACK_INTERNAL_H
#define XENPV_LOOPBACK_INTERNAL_H

#include <fcntl.h>
#include <pthread.h>

#include "loopback/hv.h"
#include "loopback/loopback.h"

#define LB_CTL_SOCKET "hv.sock"
/* Seals a domain's memfd carries before the daemon accepts it. */
#define LB_MEM_SEALS (F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL)

enum lb_ctl_op { LB_CTL_JOIN = 1, LB_CTL_GET_DOMAIN = 2 };

/* One message each way on a SOCK_SEQPACKET socket; fds ride as SCM_RIGHTS. */
struct lb_ctl_msg {
	uint32_t op;
	int32_t status;		/* reply: 0 or -errno */
	int32_t domid;		/* JOIN: wanted domid or -1 */
	uint32_t nr_pages;
	uint32_t generation;
	uint32_t hv_size;
};

/* What a domain caches about another: its memory and its kick. */
struct lb_peer {
	uint32_t generation;	/* 0: not fetched */
	int mem_fd, event_fd;
	uint32_t nr_pages;
	uint8_t *mem;		/* the whole memory, for grant copy */
};

struct lb_dom {
	struct lb_hv *hv;
	size_t hv_size;
	struct lb_domain *self;
	domid_t id;
	uint32_t generation;
	int ctl_fd, mem_fd, event_fd;
	uint8_t *mem;
	unsigned int nr_pages;
	pthread_mutex_t peer_lock;	/* the ctl socket and the peer cache */
	struct lb_peer peers[LB_MAX_DOMS];
};

/* Robust, process-shared: a domain may die holding it. */
void lb_lock(struct lb_domain *dom);
void lb_unlock(struct lb_domain *dom);
void lb_lock_two(struct lb_domain *a, struct lb_domain *b);
void lb_unlock_two(struct lb_domain *a, struct lb_domain *b);

/* The live domain @domid, or NULL (not alive / out of range). */
struct lb_domain *lb_domain_get(struct lb_hv *hv, unsigned int domid);
/* Peer cache entry for @domid, fetched from the daemon if stale; NULL if gone. */
struct lb_peer *lb_peer_get(struct lb_dom *d, unsigned int domid);
void lb_kick(struct lb_dom *d, unsigned int domid);

int lb_ctl_send(int fd, const struct lb_ctl_msg *m, const int *fds, int nfds);
/* Receives one message and up to @maxfds fds; returns fds received or -errno. */
int lb_ctl_recv(int fd, struct lb_ctl_msg *m, int *fds, int maxfds);

/* Hypervisor side (the daemon): set up the region, tear a dead domain down. */
int lb_hv_init(struct lb_hv *hv);
int lb_hv_domain_create(struct lb_hv *hv, int want, unsigned int nr_pages,
			int pid);
void lb_hv_domain_destroy(struct lb_hv *hv, unsigned int domid);
/* Releases pins @dom holds on other domains' grants (it died or left). */
void lb_gnttab_release_maptrack(struct lb_hv *hv, unsigned int domid);
void lb_evtchn_close_all(struct lb_hv *hv, unsigned int domid);

/* A fresh domain's reservation, VIRQs and telemetry queues. */
void lb_mem_domain_reset(struct lb_domain *dom, unsigned int nr_pages);
void lb_virq_reset(struct lb_domain *dom);
void lb_mca_domain_reset(struct lb_domain *dom);

#endif
