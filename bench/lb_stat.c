// SPDX-License-Identifier: MIT
/*
 * xenpv-lb-stat: the loopback hypervisor's own counters of some domains,
 * read from its shared region (what Xen would report through a sysctl):
 * event channel sends, kicks (wakeups of a sleeping domain), grant maps
 * and copies.  The benchmarks read them before and after a run.
 *
 *   xenpv-lb-stat --dir DIR DOMID...     one JSON object on stdout
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "loopback/hv.h"
#include "loopback/loopback.h"

static void usage(void)
{
	fprintf(stderr, "usage: xenpv-lb-stat --dir DIR DOMID...\n");
	exit(2);
}

static unsigned long long rd(const uint64_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = { { "dir", 1, NULL, 'd' },
					      { NULL, 0, NULL, 0 } };
	const char *dir = NULL;
	struct lb_dom *d;
	struct lb_hv *hv;
	int c, i;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd')
			usage();
		dir = optarg;
	}
	if (!dir || optind == argc)
		usage();
	d = lb_dom_join(dir, -1, 1);
	if (!d) {
		perror("xenpv-lb-stat: join");
		return 1;
	}
	hv = lb_dom_hv(d);
	printf("{");
	for (i = optind; i < argc; i++) {
		char *end;
		long id = strtol(argv[i], &end, 10);
		const struct lb_stats *s;

		if (*end || id < 0 || id >= LB_MAX_DOMS)
			usage();
		s = &hv->doms[id].stats;
		printf("%s\"%ld\":{\"sends\":%llu,\"kicks\":%llu,\"maps\":%llu,"
		       "\"copies\":%llu}", i > optind ? "," : "", id,
		       rd(&s->sends), rd(&s->kicks), rd(&s->maps),
		       rd(&s->copies));
	}
	printf("}\n");
	lb_dom_leave(d);
	return 0;
}
