// SPDX-License-Identifier: MIT
/* The loopback host on threads of a test process; see lb_host.h. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "loopback/daemon.h"
#include "loopback/xenstored/xenstored.h"
#include "tests/loopback/lb_host.h"

static char dir[64], sock[128];
static struct lb_daemon *dm;
static struct xsd *xsd;
static pthread_t dm_tid, xsd_tid;

static int domid_of_pid(void *arg, int pid)
{
	return lb_daemon_domid_of_pid(arg, pid);
}

static bool domain_exists(void *arg, unsigned int domid)
{
	return lb_daemon_domain_exists(arg, domid);
}

static void domain_gone(void *arg, unsigned int domid)
{
	xsd_domain_released(arg, domid);
}

static void *dm_thread(void *arg)
{
	lb_daemon_run(dm);
	return NULL;
}

static void *xsd_thread(void *arg)
{
	xsd_run(xsd, NULL);
	return NULL;
}

const char *lb_host_dir(const char *name)
{
	snprintf(dir, sizeof(dir), "/tmp/xenpv-%s-%d", name, getpid());
	snprintf(sock, sizeof(sock), "%s/xenstored.sock", dir);
	return dir;
}

int lb_host_start(void)
{
	struct xsd_hooks hooks = {.domid_of_pid = domid_of_pid,
				  .domain_exists = domain_exists};
	int err;

	dm = lb_daemon_new(dir, &err);
	if (!dm)
		return -1;
	hooks.arg = dm;
	xsd = xsd_new(NULL, &hooks);
	if (!xsd || xsd_listen(xsd, sock) < 0)
		return -1;
	lb_daemon_on_domain_gone(dm, domain_gone, xsd);
	if (pthread_create(&dm_tid, NULL, dm_thread, NULL) ||
	    pthread_create(&xsd_tid, NULL, xsd_thread, NULL))
		return -1;
	setenv("XENSTORED_PATH", sock, 1);
	return 0;
}

int lb_guest_prefork(struct lb_guest *g, void (*fn)(int fd))
{
	int sv[2];
	char go;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return -1;
	g->pid = fork();
	if (g->pid < 0)
		return -1;
	if (g->pid == 0) {
		close(sv[0]);
		if (read(sv[1], &go, 1) == 1 && go == 'g')
			fn(sv[1]);
		_exit(0);
	}
	close(sv[1]);
	g->fd = sv[0];
	return 0;
}

void lb_guest_go(struct lb_guest *g)
{
	if (write(g->fd, "g", 1) != 1)
		perror("lb_guest_go");
}

void lb_guest_cancel(struct lb_guest *g)
{
	if (g->pid <= 0)
		return;
	if (write(g->fd, "x", 1) != 1)
		perror("lb_guest_cancel");
	waitpid(g->pid, NULL, 0);
	close(g->fd);
	g->pid = 0;
}

void lb_host_stop(void)
{
	if (!dm)
		return;
	lb_daemon_stop(dm);
	pthread_join(dm_tid, NULL);
	xsd_stop(xsd);
	pthread_join(xsd_tid, NULL);
	lb_daemon_free(dm);
	xsd_free(xsd);
	unlink(sock);
	rmdir(dir);
	dm = NULL;
}

struct lb_hv *lb_host_hv(void)
{
	return lb_daemon_hv(dm);
}
