// SPDX-License-Identifier: MIT
/* The command line of xenpv-attach's vif subcommand. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend/netback/vif_attach.h"

bool xpv_vif_wants(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--dir")) {
			i++;
			continue;
		}
		if (argv[i][0] == '-')
			continue;
		if (!strcmp(argv[i], "detach"))
			return i + 1 < argc && !strcmp(argv[i + 1], "vif");
		return !strcmp(argv[i], "vif");
	}
	return false;
}

static int vif_usage(int rc)
{
	fprintf(rc ? stderr : stdout,
		"usage: xenpv-attach [--dir DIR] vif --domid N --id I --mac M\n"
		"           [--mtu U] [--queues K] [--backend-domid B]\n"
		"           [--backend-type T]\n"
		"       xenpv-attach [--dir DIR] detach vif --domid N --id I\n"
		"           [--backend-domid B] [--backend-type T] "
		"[--timeout S]\n");
	return rc;
}

/* A xenstore path element a kernel's xenbus takes as a device type. */
bool xpv_vif_type_ok(const char *s)
{
	size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_");

	return n > 0 && n <= 16 && s[n] == '\0';
}

static bool vif_num(const char *s, unsigned long max, unsigned int *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end || *s == '-' || v > max)
		return false;
	*out = v;
	return true;
}

static int vif_opt(struct xpv_vif_cfg *c, int opt, const char *arg,
		   unsigned int *have)
{
	char sock[4200];

	switch (opt) {
	case 'd':
		snprintf(sock, sizeof(sock), "%s/xenstored.sock", arg);
		setenv("XENSTORED_PATH", sock, 1);
		return 0;
	case 'n':
		*have |= 1;
		return vif_num(arg, 0x7fef, &c->domid) ? 0 : -1;
	case 'i':
		*have |= 2;
		return vif_num(arg, 0xffff, &c->devid) ? 0 : -1;
	case 'm':
		*have |= 4;
		return xpv_vif_parse_mac(arg, c->mac) ? -1 : 0;
	case 'u':
		return vif_num(arg, 65535, &c->mtu) && c->mtu >= 68 ? 0 : -1;
	case 'q':
		return vif_num(arg, 64, &c->queues) && c->queues ? 0 : -1;
	case 'b':
		return vif_num(arg, 0x7fef, &c->be_domid) ? 0 : -1;
	case 'T':
		return vif_num(arg, 3600, &c->timeout_s) ? 0 : -1;
	case 't':
		c->be_type = arg;
		return xpv_vif_type_ok(arg) ? 0 : -1;
	default:
		return -1;
	}
}

int xpv_vif_main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"dir", required_argument, NULL, 'd'},
		{"domid", required_argument, NULL, 'n'},
		{"id", required_argument, NULL, 'i'},
		{"mac", required_argument, NULL, 'm'},
		{"mtu", required_argument, NULL, 'u'},
		{"queues", required_argument, NULL, 'q'},
		{"backend-domid", required_argument, NULL, 'b'},
		{"timeout", required_argument, NULL, 'T'},
		{"backend-type", required_argument, NULL, 't'},
		{NULL, 0, NULL, 0},
	};
	struct xpv_vif_cfg c = {.timeout_s = 10};
	unsigned int have = 0;
	struct xs_handle *xs;
	bool detach = false;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1)
		if (vif_opt(&c, opt, optarg, &have))
			return vif_usage(2);
	if (optind < argc && !strcmp(argv[optind], "detach")) {
		detach = true;
		optind++;
	}
	if (optind + 1 != argc || strcmp(argv[optind], "vif") ||
	    (have & 3) != 3 || (!detach && !(have & 4)))
		return vif_usage(2);
	xs = xs_open(0);
	if (!xs) {
		perror("xenpv-attach: xenstore");
		return 1;
	}
	err = detach ? xpv_vif_detach(xs, &c) : xpv_vif_attach(xs, &c);
	xs_close(xs);
	if (err) {
		fprintf(stderr, "xenpv-attach: vif %u/%u: %s\n", c.domid,
			c.devid, strerror(-err));
		return 1;
	}
	return 0;
}
