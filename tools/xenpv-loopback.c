// SPDX-License-Identifier: MIT
/*
 * xenpv-loopback: the loopback Xen on one Linux host.  Runs the hypervisor
 * daemon (domains, grant tables, event channels) and xenstored side by side,
 * and tells xenstored which process is which domain.
 *
 *   xenpv-loopback [--dir DIR]
 *
 * Prints XENPV_LOOPBACK_DIR=... and XENSTORED_PATH=... once both listen.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loopback/daemon.h"
#include "loopback/loopback.h"
#include "loopback/xenstored/xenstored.h"

static struct lb_daemon *the_daemon;

static void on_signal(int sig)
{
	if (the_daemon)
		lb_daemon_stop(the_daemon);
}

static int hook_domid_of_pid(void *arg, int pid)
{
	return lb_daemon_domid_of_pid(arg, pid);
}

static bool hook_domain_exists(void *arg, unsigned int domid)
{
	return lb_daemon_domain_exists(arg, domid);
}

static void domain_gone(void *arg, unsigned int domid)
{
	xsd_domain_released(arg, domid);
}

static void *xenstored_thread(void *arg)
{
	xsd_run(arg, NULL);
	return NULL;
}

static int serve(const char *dir)
{
	struct xsd_hooks hooks = { .domid_of_pid = hook_domid_of_pid,
				   .domain_exists = hook_domain_exists };
	char sock[4096];
	pthread_t tid;
	struct xsd *xsd;
	int err;

	the_daemon = lb_daemon_new(dir, &err);
	if (!the_daemon) {
		fprintf(stderr, "xenpv-loopback: %s: %s\n", dir, strerror(-err));
		return 1;
	}
	hooks.arg = the_daemon;
	snprintf(sock, sizeof(sock), "%s/xenstored.sock", dir);
	xsd = xsd_new(NULL, &hooks);
	if (!xsd || (err = xsd_listen(xsd, sock)) < 0) {
		fprintf(stderr, "xenpv-loopback: xenstored on %s failed\n", sock);
		return 1;
	}
	lb_daemon_on_domain_gone(the_daemon, domain_gone, xsd);
	pthread_create(&tid, NULL, xenstored_thread, xsd);
	printf("XENPV_LOOPBACK_DIR=%s\nXENSTORED_PATH=%s\n", dir, sock);
	fflush(stdout);
	err = lb_daemon_run(the_daemon);
	xsd_stop(xsd);
	pthread_join(tid, NULL);
	lb_daemon_free(the_daemon);
	xsd_free(xsd);
	return err ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = lb_default_dir();
	int c;

	while ((c = getopt_long(argc, argv, "d:h", opts, NULL)) != -1) {
		if (c == 'd') {
			dir = optarg;
		} else {
			fprintf(stderr, "usage: %s [--dir DIR]\n", argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGPIPE, SIG_IGN);
	return serve(dir);
}
