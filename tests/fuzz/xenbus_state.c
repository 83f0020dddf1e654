// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the xenbus state-node parser, the transition
 * function (fed garbage states and driven as a frontend/backend pair with
 * restarts and failures) and the path builders.  Any invalid next state
 * aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xenpv/xenbus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_step(enum xpv_xenbus_role role, struct xpv_xenbus_step st)
{
	if (!xpv_xenbus_state_valid(role, st.next))
		abort();
	if ((unsigned int)st.action > XPV_XENBUS_FAIL)
		abort();
}

static void fuzz_parse(const uint8_t *data, size_t size)
{
	enum xenbus_state st;

	if (xpv_xenbus_parse_state((const char *)data, size, &st) == 0 &&
	    (size != 1 || (unsigned int)st > XenbusStateReconfigured ||
	     data[0] != '0' + st))
		abort();
}

/* Raw triples: any role, any local, any other. */
static void fuzz_raw(const uint8_t *data, size_t size)
{
	struct xpv_xenbus_step st;
	int32_t l, o;

	for (; size >= 9; data += 9, size -= 9) {
		memcpy(&l, data + 1, 4);
		memcpy(&o, data + 5, 4);
		st = xpv_xenbus_step(data[0] & 1, l, o);
		check_step(data[0] & 1, st);
	}
}

/* One byte per event: who moves, or what happens to whom. */
static void fuzz_pair(const uint8_t *data, size_t size)
{
	enum xenbus_state s[2] = { XenbusStateInitialising,
				   XenbusStateInitialising };
	struct xpv_xenbus_step st;
	unsigned int who;
	size_t i;

	for (i = 0; i < size; i++) {
		who = data[i] & 1;
		switch ((data[i] >> 1) % 8) {
		case 0: /* the other end writes garbage */
			st = xpv_xenbus_step(who, s[who], data[i] >> 4);
			break;
		case 1:
			st = xpv_xenbus_fail(s[who]);
			break;
		case 2:
			st = xpv_xenbus_close(s[who]);
			break;
		case 3: /* restart */
			st.next = XenbusStateInitialising;
			st.action = XPV_XENBUS_NONE;
			break;
		default:
			st = xpv_xenbus_step(who, s[who], s[!who]);
			break;
		}
		check_step(who, st);
		s[who] = st.next;
	}
}

static void fuzz_paths(const uint8_t *data, size_t size)
{
	char type[48], buf[64];
	size_t n = size < sizeof(type) - 1 ? size : sizeof(type) - 1;
	size_t bsz = size ? data[0] % sizeof(buf) : 0;
	int r;

	memcpy(type, data, n);
	type[n] = '\0';
	r = xpv_xenbus_backend_path(buf, bsz, 0, type, 1, 51712);
	if (r >= 0 && ((size_t)r >= bsz || strlen(buf) != (size_t)r))
		abort();
	r = xpv_xenbus_frontend_path(buf, bsz, type, 768);
	if (r >= 0 && ((size_t)r >= bsz || strlen(buf) != (size_t)r))
		abort();
	r = xpv_xenbus_join(buf, bsz, "device/vbd/768", type);
	if (r >= 0 && ((size_t)r >= bsz || strlen(buf) != (size_t)r))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_parse(data, size);
	fuzz_raw(data, size);
	fuzz_pair(data, size);
	fuzz_paths(data, size);
	return 0;
}
