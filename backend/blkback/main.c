// SPDX-License-Identifier: MIT
/*
 * xenpv-blkback: serves every vbd the toolstack puts under this domain's
 * backend/vbd with libaio, until SIGTERM or SIGINT.
 *
 *   xenpv-blkback [--dir DIR] [--domid 0] [--xenops loopback|xen]
 *                 [--max-queues N] [--max-ring-order N]
 *                 [--max-indirect N | --no-indirect]
 *                 [--max-pgrants N | --no-persistent]
 *                 [--sector-size 512|4096] [--null] [--buffered]
 *                 [--type NAME]   (serve backend/NAME, default vbd: a
 *                                  name of its own beside a kernel blkback)
 *                 [--no-grant-copy]
 *
 * Prints "xenpv-blkback ready" on stdout once it serves.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/blkback/blkback.h"
#include "loopback/loopback.h"
#include "xenpv/ring.h"

static const struct option opts[] = {
	{ "dir", required_argument, NULL, 'd' },
	{ "domid", required_argument, NULL, 'D' },
	{ "xenops", required_argument, NULL, 'x' },
	{ "max-queues", required_argument, NULL, 'q' },
	{ "max-ring-order", required_argument, NULL, 'o' },
	{ "max-indirect", required_argument, NULL, 'i' },
	{ "no-indirect", no_argument, NULL, 'I' },
	{ "max-pgrants", required_argument, NULL, 'p' },
	{ "no-persistent", no_argument, NULL, 'P' },
	{ "sector-size", required_argument, NULL, 's' },
	{ "null", no_argument, NULL, 'n' },
	{ "buffered", no_argument, NULL, 'b' },
	{ "type", required_argument, NULL, 'T' },
	{ "no-grant-copy", no_argument, NULL, 'C' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int usage(const char *prog, int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: %s [--dir DIR] [--domid N] [--xenops loopback|xen]\n"
		"  [--max-queues N] [--max-ring-order N] [--max-indirect N]\n"
		"  [--no-indirect] [--max-pgrants N] [--no-persistent]\n"
		"  [--sector-size 512|4096] [--null] [--buffered]\n"
		"  [--type NAME] [--no-grant-copy]\n",
		prog);
	return rc;
}

static bool num(const char *s, unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || !*s || *end || v > max)
		return false;
	*out = v;
	return true;
}

static int parse_one(struct bb_cfg *c, int opt, const char *arg)
{
	unsigned int v;

	switch (opt) {
	case 'd': c->dir = arg; return 0;
	case 'x': c->provider = arg; return 0;
	case 'I': c->max_indirect = 0; return 0;
	case 'P': c->max_pgrants = 0; return 0;
	case 'n': c->null_target = true; return 0;
	case 'b': c->buffered = true; return 0;
	case 'T':
		if (!*arg || strlen(arg) > 32 || strchr(arg, '/'))
			return -1;
		c->type = arg;
		return 0;
	case 'C': c->no_grant_copy = true; return 0;
	case 'D':
		if (!num(arg, 0x7fef, &v))
			return -1;
		c->domid = v;
		return 0;
	case 'q': return num(arg, BB_MAX_QUEUES, &c->max_queues) &&
			 c->max_queues ? 0 : -1;
	case 'o': return num(arg, XPV_RING_MAX_ORDER, &c->max_ring_order)
			 ? 0 : -1;
	case 'i': return num(arg, XPV_BLKBACK_MAX_INDIRECT, &c->max_indirect)
			 ? 0 : -1;
	case 'p': return num(arg, 1u << 20, &c->max_pgrants) ? 0 : -1;
	case 's': return num(arg, 4096, &c->sector_size) &&
			 (c->sector_size == 512 || c->sector_size == 4096)
			 ? 0 : -1;
	default: return -1;
	}
}

/* A killed predecessor's domain may take a moment to be torn down. */
static struct bb *start(struct bb_cfg *cfg)
{
	struct bb *bb;
	int err, tries;

	for (tries = 0; tries < 100; tries++) {
		bb = bb_new(cfg, &err);
		if (bb || err != -EEXIST)
			break;
		usleep(50 * 1000);
	}
	if (!bb)
		fprintf(stderr, "xenpv-blkback: cannot start: %s\n",
			strerror(-err));
	return bb;
}

int main(int argc, char **argv)
{
	struct bb_cfg cfg = {
		.dir = lb_default_dir(), .domid = 0,
		.max_ring_order = XPV_RING_MAX_ORDER,
		.max_queues = BB_DEF_QUEUES, .max_indirect = BB_DEF_INDIRECT,
		.max_pgrants = BB_DEF_PGRANTS, .sector_size = 512,
	};
	struct bb *bb;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		if (c == 'h')
			return usage(argv[0], 0);
		if (parse_one(&cfg, c, optarg)) {
			fprintf(stderr, "xenpv-blkback: bad option\n");
			return usage(argv[0], 2);
		}
	}
	signal(SIGPIPE, SIG_IGN);
	bb = start(&cfg);
	if (!bb)
		return 1;
	printf("xenpv-blkback ready\n");
	fflush(stdout);
	err = bb_run(bb);
	bb_free(bb);
	return err ? 1 : 0;
}
