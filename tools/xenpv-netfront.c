// SPDX-License-Identifier: MIT
/*
 * xenpv-netfront: a guest's network frontend as a process.  It joins the
 * loopback as domain N, connects vif <id> and bridges it to a TAP device,
 * reconnecting whenever the backend restarts.  On exit it prints its
 * counters, grant leaks included.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/netfront/netfront_user.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xenpv-netfront --dir DIR --domid N --tap NAME "
		"[--vif ID]\n"
		"       [--queues K] [--bufs N] [--no-sg] [--no-gso] "
		"[--no-csum]\n"
		"       [--no-split] [--verbose]\n");
	exit(2);
}

static unsigned int num(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (!*s || *end || v > 65535)
		usage();
	return (unsigned int)v;
}

static void parse(int argc, char **argv, struct xpv_nfu_opts *o)
{
	static const struct option opts[] = {
		{ "dir", 1, NULL, 'd' },     { "domid", 1, NULL, 'n' },
		{ "vif", 1, NULL, 'i' },     { "tap", 1, NULL, 't' },
		{ "queues", 1, NULL, 'q' },  { "bufs", 1, NULL, 'b' },
		{ "no-sg", 0, NULL, 'S' },   { "no-gso", 0, NULL, 'G' },
		{ "no-csum", 0, NULL, 'C' }, { "no-split", 0, NULL, 'E' },
		{ "verbose", 0, NULL, 'v' }, { NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o->dir = optarg; break;
		case 'n': o->domid = (int)num(optarg); break;
		case 'i': o->devid = num(optarg); break;
		case 't': o->tap = optarg; break;
		case 'q': o->queues = num(optarg); break;
		case 'b': o->bufs = num(optarg); break;
		case 'S': o->features &= ~(XPV_NETFRONT_F_SG |
					   XPV_NETFRONT_F_GSO_TCPV4 |
					   XPV_NETFRONT_F_GSO_TCPV6); break;
		case 'G': o->features &= ~(XPV_NETFRONT_F_GSO_TCPV4 |
					   XPV_NETFRONT_F_GSO_TCPV6); break;
		case 'C': o->features &= ~(XPV_NETFRONT_F_CSUM |
					   XPV_NETFRONT_F_IPV6_CSUM |
					   XPV_NETFRONT_F_GSO_TCPV4 |
					   XPV_NETFRONT_F_GSO_TCPV6); break;
		case 'E': o->features &= ~XPV_NETFRONT_F_SPLIT_EVTCHN; break;
		case 'v': o->verbose = true; break;
		default: usage();
		}
	}
	if (!o->dir || o->domid <= 0 || !o->tap || optind != argc)
		usage();
}

int main(int argc, char **argv)
{
	struct xpv_nfu_opts o = { .domid = -1, .queues = 0,
				  .features = XPV_NETFRONT_F_ALL };
	struct xpv_nfu_stats st;
	struct sigaction sa;
	int err;

	parse(argc, argv, &o);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	memset(&st, 0, sizeof(st));
	err = xpv_nfu_run(&o, &stop, &st);
	if (err)
		fprintf(stderr, "xenpv-netfront: %s\n", strerror(-err));
	printf("netfront: tx %llu packets %llu bytes, rx %llu packets "
	       "%llu bytes, rx dropped %llu, tap drops %llu, "
	       "protocol errors %llu, connects %llu\n",
	       st.nf.tx_packets, st.nf.tx_bytes, st.nf.rx_packets,
	       st.nf.rx_bytes, st.nf.rx_dropped, st.tap_drops,
	       st.nf.protocol_errors, st.nf.connects);
	printf("netfront: after close: grants outstanding %u, leaked %u, "
	       "pages %u\n",
	       st.nf.gnt_outstanding, st.nf.gnt_leaked, st.nf.pages);
	return err ? 1 : 0;
}
