// SPDX-License-Identifier: MIT
/*
 * xenpv-devmodel: the device model of one HVM-style guest on the loopback
 * (qemu's place in dom0).  It joins as domain 0, maps the guest's ioreq
 * page and serves an emulated ATA disk and, with --tap, an NE2000.
 *
 *   xenpv-devmodel --guest DOMID --ioreq-gfn GFN [--disk FILE] [--buffered]
 *                  [--tap IFNAME] [--dir DIR] [--stats FILE]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "devmodel/dm.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xenpv-devmodel --guest DOMID --ioreq-gfn GFN "
		"[--disk FILE] [--buffered]\n"
		"                      [--tap IFNAME] [--dir DIR] "
		"[--stats FILE]\n");
	exit(2);
}

static void write_stats(const char *path, const struct dm_counters *c)
{
	FILE *f = fopen(path, "a");

	if (!f) {
		perror(path);
		return;
	}
	fprintf(f, "{\"ioreqs\":%llu,\"events\":%llu,\"notify_sent\":%llu,"
		"\"irqs\":%llu,\"bad_ioreqs\":%llu,\"ide_cmds\":%llu,"
		"\"ide_errors\":%llu,\"prd_errors\":%llu,\"nic_tx\":%llu,"
		"\"nic_rx\":%llu,\"nic_drops\":%llu,\"cpu_user_s\":%.3f,"
		"\"cpu_sys_s\":%.3f}\n",
		(unsigned long long)c->ioreq.ioreqs,
		(unsigned long long)c->ioreq.events,
		(unsigned long long)c->ioreq.notify_sent,
		(unsigned long long)c->ioreq.irqs,
		(unsigned long long)c->ioreq.errors,
		(unsigned long long)c->ide_cmds,
		(unsigned long long)c->ide_errors,
		(unsigned long long)c->prd_errors,
		(unsigned long long)c->nic_tx, (unsigned long long)c->nic_rx,
		(unsigned long long)c->nic_drops, c->cpu_user_s, c->cpu_sys_s);
	fclose(f);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "guest", required_argument, NULL, 'g' },
		{ "ioreq-gfn", required_argument, NULL, 'p' },
		{ "disk", required_argument, NULL, 'd' },
		{ "buffered", no_argument, NULL, 'b' },
		{ "tap", required_argument, NULL, 't' },
		{ "dir", required_argument, NULL, 'D' },
		{ "stats", required_argument, NULL, 's' },
		{ 0 }
	};
	struct dm_cfg cfg = { .guest = -1 };
	struct dm_counters c;
	bool have_gfn = false;
	int o, err;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'g': cfg.guest = atoi(optarg); break;
		case 'p': cfg.ioreq_gfn = strtoull(optarg, NULL, 0);
			  have_gfn = true; break;
		case 'd': cfg.disk = optarg; break;
		case 'b': cfg.buffered = true; break;
		case 't': cfg.tap = optarg; break;
		case 'D': cfg.dir = optarg; break;
		case 's': cfg.stats = optarg; break;
		default: usage();
		}
	}
	if (cfg.guest <= 0 || !have_gfn)
		usage();
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = dm_run(&cfg, &stop, &c);
	if (err) {
		fprintf(stderr, "xenpv-devmodel: %s\n", strerror(-err));
		return 1;
	}
	if (cfg.stats)
		write_stats(cfg.stats, &c);
	return 0;
}
