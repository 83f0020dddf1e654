// SPDX-License-Identifier: MIT
/*
 * xenpv-emunic: an HVM-style guest's emulated NIC as a process.  It joins
 * the loopback as a domain with an ioreq page, runs the NE2000 driver
 * against the device model (xenpv-devmodel --guest N --ioreq-gfn 1 --tap)
 * and bridges the card to a TAP device.  It prints "domain N" once the
 * model may be started, and its counters (exits included) on exit.
 *
 *   xenpv-emunic --tap NAME [--dir DIR] [--domid N] [--wait-ms MS]
 *                [--stats FILE] [--verbose]
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/emunic/emunic_user.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xenpv-emunic --tap NAME [--dir DIR] [--domid N] "
		"[--wait-ms MS]\n"
		"                    [--stats FILE] [--verbose]\n");
	exit(2);
}

static int num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (!*s || *end || v < lo || v > hi)
		usage();
	return (int)v;
}

static void ready(int domid)
{
	printf("domain %d\n", domid);
	fflush(stdout);
}

static void write_stats(const char *path,
			const struct xpv_emunic_user_stats *s)
{
	FILE *f = fopen(path, "a");

	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "{\"ioreqs\":%llu,\"reps\":%llu,\"notify_sent\":%llu,"
		"\"events\":%llu,\"irqs\":%llu,\"blocks\":%llu,"
		"\"tx_packets\":%llu,\"tx_bytes\":%llu,\"tx_errors\":%llu,"
		"\"rx_packets\":%llu,\"rx_bytes\":%llu,\"rx_errors\":%llu,"
		"\"rx_bad_hdr\":%llu,\"nic_irqs\":%llu,\"resets\":%llu,"
		"\"tap_drops\":%llu,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f}\n",
		(unsigned long long)s->io.ioreqs,
		(unsigned long long)s->io.reps,
		(unsigned long long)s->io.notify_sent,
		(unsigned long long)s->io.events,
		(unsigned long long)s->io.irqs,
		(unsigned long long)s->io.blocks, s->nic.tx_packets,
		s->nic.tx_bytes, s->nic.tx_errors, s->nic.rx_packets,
		s->nic.rx_bytes, s->nic.rx_errors, s->nic.rx_bad_hdr,
		s->nic.irqs, s->nic.resets, s->tap_drops, s->cpu_user_s,
		s->cpu_sys_s);
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dir", 1, NULL, 'd' },     { "domid", 1, NULL, 'n' },
		{ "tap", 1, NULL, 't' },     { "wait-ms", 1, NULL, 'w' },
		{ "stats", 1, NULL, 's' },   { "verbose", 0, NULL, 'v' },
		{ NULL, 0, NULL, 0 },
	};
	struct xpv_emunic_user_opts o = { .domid = -1, .dm_wait_ms = 30000 };
	struct xpv_emunic_user_stats st;
	const char *stats = NULL;
	struct sigaction sa;
	int c, err;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd': o.dir = optarg; break;
		case 'n': o.domid = num(optarg, 1, 0x7fef); break;
		case 't': o.tap = optarg; break;
		case 'w': o.dm_wait_ms = num(optarg, -1, 3600000); break;
		case 's': stats = optarg; break;
		case 'v': o.verbose = true; break;
		default: usage();
		}
	}
	if (!o.tap || optind != argc)
		usage();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	memset(&st, 0, sizeof(st));
	err = xpv_emunic_user_run(&o, &stop, ready, &st);
	if (err)
		fprintf(stderr, "xenpv-emunic: %s\n", strerror(-err));
	printf("emunic: tx %llu packets %llu bytes (%llu errors), rx %llu "
	       "packets %llu bytes (%llu errors, %llu bad headers), tap drops "
	       "%llu, resets %llu\n", st.nic.tx_packets, st.nic.tx_bytes,
	       st.nic.tx_errors, st.nic.rx_packets, st.nic.rx_bytes,
	       st.nic.rx_errors, st.nic.rx_bad_hdr, st.tap_drops,
	       st.nic.resets);
	printf("emunic: %llu ioreqs (%llu elements), %llu notifications sent, "
	       "%llu events, %llu interrupts, %.3f s cpu\n",
	       (unsigned long long)st.io.ioreqs, (unsigned long long)st.io.reps,
	       (unsigned long long)st.io.notify_sent,
	       (unsigned long long)st.io.events,
	       (unsigned long long)st.io.irqs, st.cpu_user_s + st.cpu_sys_s);
	if (stats)
		write_stats(stats, &st);
	return err ? 1 : 0;
}
