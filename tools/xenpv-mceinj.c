// SPDX-License-Identifier: MIT
/*
 * xenpv-mceinj: machine checks on the loopback, as xen-mceinj makes them on
 * Xen.  Joins the loopback as a domain of its own, builds Xen's telemetry
 * for a corrected or uncorrected error on a bank at an address owned by a
 * domain, commits it to the consumer's urgent (#MC) or non-urgent (CMCI)
 * queue and raises its VIRQ_MCA.
 *
 *   xenpv-mceinj [--dir DIR] [--to DOMID] (--ce | --ue) [--bank N]
 *                [--addr PADDR] [--domain DOMID] [--cpu N] [--count N]
 *                [--urgent | --nonurgent] [--wait]
 *
 * --count N injects N records, numbered 0.. in MCi_MISC.  A full queue
 * refuses a record (exit 3) unless --wait retries it until there is room.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loopback/hv.h"
#include "loopback/loopback.h"

struct inj {
	const char *dir;
	unsigned int to, count, which;
	bool which_set, wait;
	struct lb_mce_spec spec;
};

static int usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [--dir DIR] [--to DOMID] (--ce | --ue) [--bank N]\n"
		"       [--addr PADDR] [--domain DOMID] [--cpu N] [--count N]\n"
		"       [--urgent | --nonurgent] [--wait]\n",
		argv0);
	return 2;
}

static bool number(const char *s, unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return !errno && *s && !*end && *v <= max;
}

static void set_queue(struct inj *o, unsigned int which)
{
	o->which = which;
	o->which_set = true;
}

static int parse_flag(struct inj *o, int c)
{
	if (c == 'c')
		o->spec.uncorrected = false;
	else if (c == 'u')
		o->spec.uncorrected = true;
	else if (c == 'U')
		set_queue(o, LB_MCA_URGENT);
	else if (c == 'N')
		set_queue(o, LB_MCA_NONURGENT);
	else if (c == 'w')
		o->wait = true;
	else
		return -1;
	return 0;
}

static int parse_one(struct inj *o, int c, const char *arg)
{
	unsigned long long v = 0;

	if (!arg)
		return parse_flag(o, c);
	if (c == 'd') {
		o->dir = arg;
		return 0;
	}
	if (!number(arg, c == 'a' ? ~0ull : 0xffff, &v))
		return -1;
	if (c == 't')
		o->to = v;
	else if (c == 'b')
		o->spec.bank = v;
	else if (c == 'a')
		o->spec.addr = v;
	else if (c == 'D')
		o->spec.domid = v;
	else if (c == 'p')
		o->spec.cpu = v;
	else if (c == 'n')
		o->count = v;
	else
		return -1;
	return 0;
}

static int parse(struct inj *o, int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"to", required_argument, NULL, 't'},
		{"ce", no_argument, NULL, 'c'},
		{"ue", no_argument, NULL, 'u'},
		{"bank", required_argument, NULL, 'b'},
		{"addr", required_argument, NULL, 'a'},
		{"domain", required_argument, NULL, 'D'},
		{"cpu", required_argument, NULL, 'p'},
		{"count", required_argument, NULL, 'n'},
		{"urgent", no_argument, NULL, 'U'},
		{"nonurgent", no_argument, NULL, 'N'},
		{"wait", no_argument, NULL, 'w'},
		{NULL, 0, NULL, 0},
	};
	int c;

	o->dir = lb_default_dir();
	o->count = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (c == '?' || parse_one(o, c, optarg) < 0)
			return -1;
	/* Xen: #MC telemetry is urgent, CMCI and polled telemetry is not. */
	if (!o->which_set)
		o->which =
			o->spec.uncorrected ? LB_MCA_URGENT : LB_MCA_NONURGENT;
	return optind == argc ? 0 : -1;
}

static int inject_all(struct lb_dom *d, struct inj *o)
{
	struct mc_info mi;
	unsigned int i;
	int err = 0;

	for (i = 0; i < o->count && !err; i++) {
		o->spec.misc = i;
		lb_mca_build(&mi, &o->spec);
		while ((err = lb_mca_inject(d, o->to, o->which, &mi)) ==
			       -ENOSPC &&
		       o->wait)
			usleep(1000);
		if (err)
			fprintf(stderr, "xenpv-mceinj: record %u: %s\n", i,
				strerror(-err));
	}
	return err;
}

int main(int argc, char **argv)
{
	struct inj o = {0};
	struct lb_dom *d;
	int err;

	if (parse(&o, argc, argv) < 0)
		return usage(argv[0]);
	d = lb_dom_join(o.dir, -1, 1);
	if (!d) {
		fprintf(stderr, "xenpv-mceinj: %s: %s\n", o.dir,
			strerror(errno));
		return 1;
	}
	err = inject_all(d, &o);
	lb_dom_leave(d);
	if (err == -ENOSPC)
		return 3;
	return err ? 1 : 0;
}
