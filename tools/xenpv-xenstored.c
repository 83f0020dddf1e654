// SPDX-License-Identifier: MIT
/*
 * xenpv-xenstored --socket PATH [--pidfile F] [--foreground]
 * The loopback xenstored on its own: every socket peer is dom0.  Prints the
 * socket path once it listens; runs until SIGTERM/SIGINT.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopback/xenstored/xenstored.h"

static volatile int xsd_tool_stop;

static void xsd_tool_signal(int sig)
{
	xsd_tool_stop = 1;
}

static void xsd_tool_usage(FILE *f)
{
	fprintf(f, "usage: xenpv-xenstored --socket PATH [--pidfile FILE] "
		   "[--foreground]\n");
}

static int xsd_tool_pidfile(const char *path)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -errno;
	fprintf(f, "%ld\n", (long)getpid());
	return fclose(f) ? -errno : 0;
}

static int xsd_tool_serve(const char *sock, const char *pidfile, bool fg)
{
	struct sigaction sa = { .sa_handler = xsd_tool_signal };
	struct xsd *x = xsd_new(NULL, NULL);
	int err;

	if (!x)
		return -ENOMEM;
	err = xsd_listen(x, sock);
	if (err) {
		fprintf(stderr, "xenpv-xenstored: %s: %s\n", sock,
			strerror(-err));
		xsd_free(x);
		return err;
	}
	if (!fg && daemon(0, 1)) {
		err = -errno;
		xsd_free(x);
		return err;
	}
	if (pidfile && (err = xsd_tool_pidfile(pidfile)))
		fprintf(stderr, "xenpv-xenstored: %s: %s\n", pidfile,
			strerror(-err));
	printf("%s\n", sock);
	fflush(stdout);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	err = xsd_run(x, &xsd_tool_stop);
	xsd_free(x);
	if (pidfile)
		unlink(pidfile);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *sock = NULL, *pidfile = NULL;
	bool fg = false;
	int c;

	while ((c = getopt_long(argc, argv, "s:p:fh", opts, NULL)) != -1) {
		switch (c) {
		case 's': sock = optarg; break;
		case 'p': pidfile = optarg; break;
		case 'f': fg = true; break;
		case 'h': xsd_tool_usage(stdout); return 0;
		default: xsd_tool_usage(stderr); return 2;
		}
	}
	if (!sock || optind != argc) {
		xsd_tool_usage(stderr);
		return 2;
	}
	return xsd_tool_serve(sock, pidfile, fg) ? 1 : 0;
}
