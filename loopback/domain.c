// SPDX-License-Identifier: MIT
/*
 * A domain's side of the loopback hypervisor: joining (memfd memory and a
 * kick eventfd handed to xenpv-loopback), the shared hypervisor region, and
 * the cache of other domains' memory and kicks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "loopback/internal.h"

const char *lb_default_dir(void)
{
	const char *dir = getenv("XENPV_LOOPBACK_DIR");

	return dir && *dir ? dir : "/run/xenpv-loopback";
}

void lb_lock(struct lb_domain *dom)
{
	/* The last holder died mid-update: the state it guards is per-field
	 * atomic or rebuilt by the daemon's teardown, so carry on. */
	if (pthread_mutex_lock(&dom->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&dom->lock);
}

void lb_unlock(struct lb_domain *dom)
{
	pthread_mutex_unlock(&dom->lock);
}

/* Always in address order, so two domains binding to each other can't deadlock. */
void lb_lock_two(struct lb_domain *a, struct lb_domain *b)
{
	if (a == b) {
		lb_lock(a);
	} else if (a < b) {
		lb_lock(a);
		lb_lock(b);
	} else {
		lb_lock(b);
		lb_lock(a);
	}
}

void lb_unlock_two(struct lb_domain *a, struct lb_domain *b)
{
	lb_unlock(a);
	if (a != b)
		lb_unlock(b);
}

struct lb_domain *lb_domain_get(struct lb_hv *hv, unsigned int domid)
{
	if (domid >= LB_MAX_DOMS)
		return NULL;
	if (__atomic_load_n(&hv->doms[domid].state, __ATOMIC_ACQUIRE) !=
	    LB_DOM_ALIVE)
		return NULL;
	return &hv->doms[domid];
}

int lb_ctl_send(int fd, const struct lb_ctl_msg *m, const int *fds, int nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)] = { 0 };
	struct iovec iov = { .iov_base = (void *)m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (nfds > 0) {
		struct cmsghdr *c;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	if (sendmsg(fd, &mh, MSG_NOSIGNAL) != (ssize_t)sizeof(*m))
		return -errno ? -errno : -EIO;
	return 0;
}

int lb_ctl_recv(int fd, struct lb_ctl_msg *m, int *fds, int maxfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * 4)];
	struct iovec iov = { .iov_base = m, .iov_len = sizeof(*m) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int n = 0;
	ssize_t r;

	do
		r = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return -errno;
	if (r != (ssize_t)sizeof(*m))
		return r == 0 ? -ECONNRESET : -EPROTO;
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		int *in = (int *)CMSG_DATA(c);
		int k, cnt;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		cnt = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (k = 0; k < cnt; k++) {
			if (n < maxfds)
				fds[n++] = in[k];
			else
				close(in[k]);
		}
	}
	return n;
}

static int ctl_connect(const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
		     LB_CTL_SOCKET) >= (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int make_memory(struct lb_dom *d, unsigned int nr_pages)
{
	d->mem_fd = memfd_create("xenpv-domain", MFD_CLOEXEC |
						 MFD_ALLOW_SEALING);
	if (d->mem_fd < 0)
		return -errno;
	if (ftruncate(d->mem_fd, (off_t)nr_pages * XPV_PAGE_SIZE) < 0)
		return -errno;
	/* Peers map all of it: a size change would SIGBUS them.  Holes stay. */
	if (fcntl(d->mem_fd, F_ADD_SEALS, LB_MEM_SEALS) < 0)
		return -errno;
	d->mem = mmap(NULL, (size_t)nr_pages * XPV_PAGE_SIZE,
		      PROT_READ | PROT_WRITE, MAP_SHARED, d->mem_fd, 0);
	if (d->mem == MAP_FAILED) {
		d->mem = NULL;
		return -errno;
	}
	d->nr_pages = nr_pages;
	d->event_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return d->event_fd < 0 ? -errno : 0;
}

/* JOIN: hand over memory and kick, get the domid and the hypervisor region. */
static int join_daemon(struct lb_dom *d, int domid)
{
	struct lb_ctl_msg m = { .op = LB_CTL_JOIN, .domid = domid,
				.nr_pages = d->nr_pages };
	int fds[2] = { d->mem_fd, d->event_fd }, hv_fd = -1, n, err;

	err = lb_ctl_send(d->ctl_fd, &m, fds, 2);
	if (err)
		return err;
	n = lb_ctl_recv(d->ctl_fd, &m, &hv_fd, 1);
	if (n < 0)
		return n;
	if (m.status || n != 1 || m.hv_size != sizeof(struct lb_hv)) {
		if (n == 1)
			close(hv_fd);
		return m.status ? m.status : -EPROTO;
	}
	d->hv = mmap(NULL, m.hv_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		     hv_fd, 0);
	close(hv_fd);
	if (d->hv == MAP_FAILED) {
		d->hv = NULL;
		return -errno;
	}
	d->hv_size = m.hv_size;
	d->id = m.domid;
	d->generation = m.generation;
	d->self = &d->hv->doms[d->id];
	return 0;
}

struct lb_dom *lb_dom_join(const char *dir, int domid, unsigned int nr_pages)
{
	struct lb_dom *d = calloc(1, sizeof(*d));
	int err, i;

	if (!d)
		return NULL;
	d->ctl_fd = d->mem_fd = d->event_fd = -1;
	for (i = 0; i < LB_MAX_DOMS; i++)
		d->peers[i].mem_fd = d->peers[i].event_fd = -1;
	pthread_mutex_init(&d->peer_lock, NULL);
	err = nr_pages ? make_memory(d, nr_pages) : -EINVAL;
	if (!err) {
		d->ctl_fd = ctl_connect(dir);
		err = d->ctl_fd < 0 ? d->ctl_fd : join_daemon(d, domid);
	}
	if (err) {
		lb_dom_leave(d);
		errno = -err;
		return NULL;
	}
	return d;
}

static void peer_drop(struct lb_peer *p)
{
	if (p->mem)
		munmap(p->mem, (size_t)p->nr_pages * XPV_PAGE_SIZE);
	if (p->mem_fd >= 0)
		close(p->mem_fd);
	if (p->event_fd >= 0)
		close(p->event_fd);
	memset(p, 0, sizeof(*p));
	p->mem_fd = p->event_fd = -1;
}

void lb_dom_leave(struct lb_dom *d)
{
	int i;

	if (!d)
		return;
	/* Closing the control socket is what tells the daemon we are gone. */
	if (d->ctl_fd >= 0)
		close(d->ctl_fd);
	for (i = 0; i < LB_MAX_DOMS; i++)
		peer_drop(&d->peers[i]);
	if (d->hv)
		munmap(d->hv, d->hv_size);
	if (d->mem)
		munmap(d->mem, (size_t)d->nr_pages * XPV_PAGE_SIZE);
	if (d->mem_fd >= 0)
		close(d->mem_fd);
	if (d->event_fd >= 0)
		close(d->event_fd);
	pthread_mutex_destroy(&d->peer_lock);
	free(d);
}

static int peer_fetch(struct lb_dom *d, unsigned int domid, struct lb_peer *p)
{
	struct lb_ctl_msg m = { .op = LB_CTL_GET_DOMAIN, .domid = domid };
	int fds[2], n, err;

	err = lb_ctl_send(d->ctl_fd, &m, NULL, 0);
	if (err)
		return err;
	n = lb_ctl_recv(d->ctl_fd, &m, fds, 2);
	if (n < 0)
		return n;
	if (m.status || n != 2) {
		while (n-- > 0)
			close(fds[n]);
		return m.status ? m.status : -EPROTO;
	}
	p->mem_fd = fds[0];
	p->event_fd = fds[1];
	p->nr_pages = m.nr_pages;
	p->mem = mmap(NULL, (size_t)m.nr_pages * XPV_PAGE_SIZE,
		      PROT_READ | PROT_WRITE, MAP_SHARED, p->mem_fd, 0);
	if (p->mem == MAP_FAILED) {
		p->mem = NULL;
		return -errno;
	}
	__atomic_store_n(&p->generation, m.generation, __ATOMIC_RELEASE);
	return 0;
}

struct lb_peer *lb_peer_get(struct lb_dom *d, unsigned int domid)
{
	struct lb_domain *dom = lb_domain_get(d->hv, domid);
	struct lb_peer *p;
	uint32_t gen;

	if (!dom)
		return NULL;
	p = &d->peers[domid];
	gen = __atomic_load_n(&dom->generation, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&p->generation, __ATOMIC_ACQUIRE) == gen)
		return p;
	pthread_mutex_lock(&d->peer_lock);
	if (p->generation != gen) {
		peer_drop(p);
		if (peer_fetch(d, domid, p) < 0)
			peer_drop(p);
	}
	pthread_mutex_unlock(&d->peer_lock);
	return p->generation == gen ? p : NULL;
}

void lb_kick(struct lb_dom *d, unsigned int domid)
{
	uint64_t one = 1;
	int fd;

	if (domid == d->id) {
		fd = d->event_fd;
	} else {
		struct lb_peer *p = lb_peer_get(d, domid);

		if (!p)
			return;
		fd = p->event_fd;
	}
	__atomic_fetch_add(&d->hv->doms[domid].stats.kicks, 1,
			   __ATOMIC_RELAXED);
	if (write(fd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("loopback: kick");
}

int lb_dom_wait_kick(struct lb_dom *d, int timeout_ms)
{
	struct pollfd pfd = { .fd = d->event_fd, .events = POLLIN };
	uint64_t v;
	int r;

	do
		r = poll(&pfd, 1, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r <= 0)
		return r < 0 ? -errno : 0;
	if (read(d->event_fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		return -errno;
	return 1;
}

domid_t lb_dom_id(const struct lb_dom *d) { return d->id; }
void *lb_dom_mem(const struct lb_dom *d) { return d->mem; }
unsigned int lb_dom_nr_pages(const struct lb_dom *d) { return d->nr_pages; }
struct lb_hv *lb_dom_hv(const struct lb_dom *d) { return d->hv; }
int lb_dom_event_fd(const struct lb_dom *d) { return d->event_fd; }

struct shared_info *lb_dom_shared_info(const struct lb_dom *d)
{
	return &d->self->shared_info;
}

grant_entry_v1_t *lb_dom_gnttab(const struct lb_dom *d)
{
	return d->self->gnttab;
}

unsigned int lb_dom_gnttab_size(const struct lb_dom *d)
{
	return LB_NR_GRANTS;
}

unsigned int lb_dom_nr_ports(const struct lb_dom *d)
{
	return LB_NR_PORTS;
}
