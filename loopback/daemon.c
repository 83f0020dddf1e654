// SPDX-License-Identifier: MIT
/*
 * The hypervisor side of the loopback: owns the shared region, creates a
 * domain when a process joins and destroys it when the process's control
 * socket closes (exit, crash or SIGKILL alike), and hands one domain's
 * memory and kick to another.  Everything a domain sends here is checked:
 * a domain is just another process and may lie.
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
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "loopback/daemon.h"
#include "loopback/internal.h"

#define LB_MAX_CONNS 128
/* 1 GiB of guest memory at most per domain. */
#define LB_MAX_PAGES (1u << 18)
/* Free host pages for XENMEM_populate_physmap beyond boot memory: 4 GiB. */
#define LB_MEM_POOL_DEFAULT (1u << 20)
_Static_assert(LB_MAX_PAGES <= LB_PHYSMAP_MAX, "physmap bitmap too small");

struct lb_conn {
	int fd;
	int domid;	/* -1 until JOIN */
};

struct lb_daemon {
	char sock_path[108];
	int listen_fd, hv_fd, stop_fd;
	struct lb_hv *hv;
	struct lb_conn conns[LB_MAX_CONNS];
	int dom_mem_fd[LB_MAX_DOMS], dom_event_fd[LB_MAX_DOMS];
	lb_domain_gone_fn on_gone;
	void *on_gone_arg;
};

static void init_domain_lock(struct lb_domain *dom)
{
	pthread_mutexattr_t a;

	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&dom->lock, &a);
	pthread_mutexattr_destroy(&a);
}

int lb_hv_init(struct lb_hv *hv)
{
	unsigned int i;

	hv->magic = LB_HV_MAGIC;
	hv->version = LB_HV_VERSION;
	hv->max_doms = LB_MAX_DOMS;
	hv->page_size = XPV_PAGE_SIZE;
	for (i = 0; i < LB_MAX_DOMS; i++)
		init_domain_lock(&hv->doms[i]);
	lb_mem_pool_set(hv, LB_MEM_POOL_DEFAULT);
	return 0;
}

/* Everything but the lock goes back to zero, as a fresh domain's state. */
static void reset_domain(struct lb_domain *dom)
{
	size_t upto = offsetof(struct lb_domain, lock);

	memset(dom, 0, upto);
	dom->maptrack_used = 0;
	dom->maptrack_next = 0;
	dom->pid = 0;
	dom->nr_pages = 0;
	memset(&dom->stats, 0, sizeof(dom->stats));
}

int lb_hv_domain_create(struct lb_hv *hv, int want, unsigned int nr_pages,
			int pid)
{
	int id = want;
	struct lb_domain *dom;

	if (want < 0) {
		for (id = 1; id < LB_MAX_DOMS; id++)
			if (hv->doms[id].state == LB_DOM_FREE)
				break;
		if (id == LB_MAX_DOMS)
			return -ENOSPC;
	} else if (want >= LB_MAX_DOMS) {
		return -EINVAL;
	} else if (hv->doms[want].state != LB_DOM_FREE) {
		return -EEXIST;
	}
	dom = &hv->doms[id];
	lb_lock(dom);
	reset_domain(dom);
	dom->nr_pages = nr_pages;
	dom->pid = pid;
	lb_mem_domain_reset(dom, nr_pages);
	lb_virq_reset(dom);
	lb_mca_domain_reset(dom);
	dom->generation++;
	__atomic_store_n(&dom->state, LB_DOM_ALIVE, __ATOMIC_RELEASE);
	lb_unlock(dom);
	return id;
}

void lb_hv_domain_destroy(struct lb_hv *hv, unsigned int domid)
{
	struct lb_domain *dom = &hv->doms[domid];

	/* First make it unreachable, then undo what others see of it. */
	__atomic_store_n(&dom->state, LB_DOM_FREE, __ATOMIC_RELEASE);
	lb_evtchn_close_all(hv, domid);
	lb_gnttab_release_maptrack(hv, domid);
	lb_lock(dom);
	dom->generation++;
	dom->pid = 0;
	lb_unlock(dom);
}

static int peer_pid(int fd)
{
	struct ucred uc;
	socklen_t len = sizeof(uc);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len) < 0)
		return -1;
	return uc.pid;
}

/*
 * A memfd at least as big as the domain claims to be, whose size can no
 * longer change: others map all of it, and a domain that shrank its memory
 * under them would make their accesses fault.
 */
static bool memory_fd_ok(int fd, unsigned int nr_pages)
{
	struct stat st;
	int seals = fcntl(fd, F_GET_SEALS);

	return seals >= 0 && (seals & LB_MEM_SEALS) == LB_MEM_SEALS &&
	       fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_size >= (uint64_t)nr_pages * XPV_PAGE_SIZE;
}

static int handle_join(struct lb_daemon *dm, struct lb_conn *c,
		       struct lb_ctl_msg *m, int *fds, int nfds)
{
	int id;

	if (c->domid >= 0)
		return -EISCONN;
	if (nfds != 2 || m->nr_pages == 0 || m->nr_pages > LB_MAX_PAGES ||
	    !memory_fd_ok(fds[0], m->nr_pages))
		return -EINVAL;
	id = lb_hv_domain_create(dm->hv, m->domid, m->nr_pages,
				 peer_pid(c->fd));
	if (id < 0)
		return id;
	c->domid = id;
	dm->dom_mem_fd[id] = fds[0];
	dm->dom_event_fd[id] = fds[1];
	fds[0] = fds[1] = -1;
	m->domid = id;
	m->generation = dm->hv->doms[id].generation;
	m->hv_size = sizeof(struct lb_hv);
	return lb_ctl_send(c->fd, m, &dm->hv_fd, 1);
}

static int handle_get(struct lb_daemon *dm, struct lb_conn *c,
		      struct lb_ctl_msg *m)
{
	struct lb_domain *dom;
	int fds[2];

	if (c->domid < 0)
		return -EPERM;
	dom = m->domid >= 0 ? lb_domain_get(dm->hv, m->domid) : NULL;
	if (!dom)
		return -ESRCH;
	fds[0] = dm->dom_mem_fd[m->domid];
	fds[1] = dm->dom_event_fd[m->domid];
	m->nr_pages = dom->nr_pages;
	m->generation = dom->generation;
	return lb_ctl_send(c->fd, m, fds, 2);
}

static void conn_close(struct lb_daemon *dm, struct lb_conn *c)
{
	int id = c->domid;

	close(c->fd);
	c->fd = -1;
	c->domid = -1;
	if (id < 0)
		return;
	lb_hv_domain_destroy(dm->hv, id);
	close(dm->dom_mem_fd[id]);
	close(dm->dom_event_fd[id]);
	dm->dom_mem_fd[id] = dm->dom_event_fd[id] = -1;
	if (dm->on_gone)
		dm->on_gone(dm->on_gone_arg, id);
}

static void conn_readable(struct lb_daemon *dm, struct lb_conn *c)
{
	struct lb_ctl_msg m;
	int fds[4], n, err, i;

	n = lb_ctl_recv(c->fd, &m, fds, 4);
	if (n < 0) {
		conn_close(dm, c);
		return;
	}
	m.status = 0;
	if (m.op == LB_CTL_JOIN)
		err = handle_join(dm, c, &m, fds, n);
	else if (m.op == LB_CTL_GET_DOMAIN)
		err = handle_get(dm, c, &m);
	else
		err = -EINVAL;
	for (i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	if (err) {
		m.status = err;
		if (lb_ctl_send(c->fd, &m, NULL, 0) < 0)
			conn_close(dm, c);
	}
}

static void accept_one(struct lb_daemon *dm)
{
	int fd = accept4(dm->listen_fd, NULL, NULL, SOCK_CLOEXEC), i;

	if (fd < 0)
		return;
	for (i = 0; i < LB_MAX_CONNS; i++) {
		if (dm->conns[i].fd < 0) {
			dm->conns[i].fd = fd;
			dm->conns[i].domid = -1;
			return;
		}
	}
	close(fd);
}

static int listen_on(struct lb_daemon *dm, const char *dir)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", dir,
		     LB_CTL_SOCKET) >= (int)sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(dm->sock_path, sa.sun_path);
	unlink(sa.sun_path);
	dm->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (dm->listen_fd < 0)
		return -errno;
	if (bind(dm->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(dm->listen_fd, 64) < 0)
		return -errno;
	return 0;
}

static int make_region(struct lb_daemon *dm)
{
	dm->hv_fd = memfd_create("xenpv-hypervisor", MFD_CLOEXEC);
	if (dm->hv_fd < 0 || ftruncate(dm->hv_fd, sizeof(struct lb_hv)) < 0)
		return -errno;
	dm->hv = mmap(NULL, sizeof(struct lb_hv), PROT_READ | PROT_WRITE,
		      MAP_SHARED, dm->hv_fd, 0);
	if (dm->hv == MAP_FAILED) {
		dm->hv = NULL;
		return -errno;
	}
	return lb_hv_init(dm->hv);
}

struct lb_daemon *lb_daemon_new(const char *dir, int *err)
{
	struct lb_daemon *dm = calloc(1, sizeof(*dm));
	int i;

	*err = -ENOMEM;
	if (!dm)
		return NULL;
	dm->listen_fd = dm->hv_fd = -1;
	for (i = 0; i < LB_MAX_CONNS; i++)
		dm->conns[i].fd = -1;
	for (i = 0; i < LB_MAX_DOMS; i++)
		dm->dom_mem_fd[i] = dm->dom_event_fd[i] = -1;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		*err = -errno;
	else if (!(*err = make_region(dm)) && !(*err = listen_on(dm, dir))) {
		dm->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (dm->stop_fd >= 0)
			return dm;
		*err = -errno;
	}
	lb_daemon_free(dm);
	return NULL;
}

void lb_daemon_on_domain_gone(struct lb_daemon *dm, lb_domain_gone_fn fn,
			      void *arg)
{
	dm->on_gone = fn;
	dm->on_gone_arg = arg;
}

int lb_daemon_run(struct lb_daemon *dm)
{
	struct pollfd pfd[LB_MAX_CONNS + 2];
	int map[LB_MAX_CONNS + 2], n, i;

	for (;;) {
		pfd[0] = (struct pollfd){ .fd = dm->stop_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = dm->listen_fd, .events = POLLIN };
		n = 2;
		for (i = 0; i < LB_MAX_CONNS; i++) {
			if (dm->conns[i].fd < 0)
				continue;
			map[n] = i;
			pfd[n++] = (struct pollfd){ .fd = dm->conns[i].fd,
						    .events = POLLIN };
		}
		if (poll(pfd, n, -1) < 0 && errno != EINTR)
			return -errno;
		if (pfd[0].revents)
			return 0;
		if (pfd[1].revents & POLLIN)
			accept_one(dm);
		for (i = 2; i < n; i++) {
			if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
				conn_readable(dm, &dm->conns[map[i]]);
		}
	}
}

void lb_daemon_stop(struct lb_daemon *dm)
{
	uint64_t one = 1;

	if (write(dm->stop_fd, &one, sizeof(one)) < 0)
		perror("xenpv-loopback: stop");
}

int lb_daemon_domid_of_pid(struct lb_daemon *dm, int pid)
{
	int i;

	for (i = 0; i < LB_MAX_DOMS; i++) {
		if (__atomic_load_n(&dm->hv->doms[i].state, __ATOMIC_ACQUIRE) ==
			    LB_DOM_ALIVE &&
		    __atomic_load_n(&dm->hv->doms[i].pid, __ATOMIC_ACQUIRE) ==
			    pid)
			return i;
	}
	return -1;
}

bool lb_daemon_domain_exists(struct lb_daemon *dm, unsigned int domid)
{
	return lb_domain_get(dm->hv, domid) != NULL;
}

struct lb_hv *lb_daemon_hv(struct lb_daemon *dm)
{
	return dm->hv;
}

void lb_daemon_free(struct lb_daemon *dm)
{
	int i;

	if (!dm)
		return;
	for (i = 0; i < LB_MAX_CONNS; i++)
		if (dm->conns[i].fd >= 0)
			conn_close(dm, &dm->conns[i]);
	if (dm->listen_fd >= 0) {
		close(dm->listen_fd);
		unlink(dm->sock_path);
	}
	if (dm->hv)
		munmap(dm->hv, sizeof(struct lb_hv));
	if (dm->hv_fd >= 0)
		close(dm->hv_fd);
	if (dm->stop_fd > 0)
		close(dm->stop_fd);
	free(dm);
}
