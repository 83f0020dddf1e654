// SPDX-License-Identifier: MIT
/*
 * The xenbus state machine, the state-node parser and device paths.
 *
 * Transition tables: row = our state, column = the other end's state,
 * entry = next state / action; "-" = stay, no action.  Actions: C connect,
 * Y ready, D disconnect, R reset for reconnect.  States: Unk Unknown,
 * Ing Initialising, Wait InitWait, Ied Initialised, Con Connected,
 * Cng Closing, Cld Closed, Rcf Reconfiguring/Reconfigured (ignored).
 *
 *   front\back  Unk    Ing    Wait   Ied    Con    Cng    Cld    Rcf
 *   Ing         -      -      Ied/C  -      -      Cld/-  -      -
 *   Ied         Cld/D  Ing/R  -      -      Con/Y  Cld/D  Ing/R  -
 *   Con         Cld/D  Ing/R  Ing/R  -      -      Cld/D  Ing/R  -
 *   Cng         Cld/-  -      -      -      -      Cld/-  Cld/-  -
 *   Cld         -      -      Ing/R  -      -      -      -      -
 *
 *   back\front  Unk    Ing    Wait   Ied    Con    Cng    Cld    Rcf
 *   Ing         Wait/- Wait/- Wait/- Wait/- Wait/- Cng/-  Wait/- Wait/-
 *   Wait        -      -      -      Con/C  Con/C  Cng/-  -      -
 *   Con         Cld/D  Wait/R -      -      -      Cng/D  Cld/D  -
 *   Cng         Cld/-  -      -      -      -      -      Cld/-  -
 *   Cld         -      Wait/R -      -      -      -      -      -
 *
 * The other end leaving Connected for Initialising/InitWait/Closed means it
 * restarted: tear down and connect again.  Closing on either side ends with
 * both Closed, which only a restart of the other end (a frontend back to
 * Initialising, a backend back to InitWait) leaves.  Frontends never use
 * InitWait and backends never use Initialised.  Every pair of states
 * settles at Connected/Connected or Closed/Closed, whatever the order in
 * which the two ends move (tests/unit/xenbus checks all interleavings).
 */
#include "xenpv/xenbus.h"
#include "xenpv/compiler.h"

#define S(n, a) { XenbusState##n, XPV_XENBUS_##a }
#define NR_XB_STATES (XenbusStateReconfigured + 1)

/* A zero entry (XenbusStateUnknown) means stay, no action. */
static const struct xpv_xenbus_step xpv_xb_front[NR_XB_STATES][NR_XB_STATES] = {
	[XenbusStateInitialising] = {
		[XenbusStateInitWait] = S(Initialised, CONNECT),
		[XenbusStateClosing] = S(Closed, NONE),
	},
	[XenbusStateInitialised] = {
		[XenbusStateUnknown] = S(Closed, DISCONNECT),
		[XenbusStateInitialising] = S(Initialising, RESET),
		[XenbusStateConnected] = S(Connected, READY),
		[XenbusStateClosing] = S(Closed, DISCONNECT),
		[XenbusStateClosed] = S(Initialising, RESET),
	},
	[XenbusStateConnected] = {
		[XenbusStateUnknown] = S(Closed, DISCONNECT),
		[XenbusStateInitialising] = S(Initialising, RESET),
		[XenbusStateInitWait] = S(Initialising, RESET),
		[XenbusStateClosing] = S(Closed, DISCONNECT),
		[XenbusStateClosed] = S(Initialising, RESET),
	},
	[XenbusStateClosing] = {
		[XenbusStateUnknown] = S(Closed, NONE),
		[XenbusStateClosing] = S(Closed, NONE),
		[XenbusStateClosed] = S(Closed, NONE),
	},
	[XenbusStateClosed] = {
		[XenbusStateInitWait] = S(Initialising, RESET),
	},
};

static const struct xpv_xenbus_step xpv_xb_back[NR_XB_STATES][NR_XB_STATES] = {
	[XenbusStateInitialising] = {
		[XenbusStateUnknown] = S(InitWait, NONE),
		[XenbusStateInitialising] = S(InitWait, NONE),
		[XenbusStateInitWait] = S(InitWait, NONE),
		[XenbusStateInitialised] = S(InitWait, NONE),
		[XenbusStateConnected] = S(InitWait, NONE),
		[XenbusStateClosing] = S(Closing, NONE),
		[XenbusStateClosed] = S(InitWait, NONE),
		[XenbusStateReconfiguring] = S(InitWait, NONE),
		[XenbusStateReconfigured] = S(InitWait, NONE),
	},
	[XenbusStateInitWait] = {
		[XenbusStateInitialised] = S(Connected, CONNECT),
		[XenbusStateConnected] = S(Connected, CONNECT),
		[XenbusStateClosing] = S(Closing, NONE),
	},
	[XenbusStateConnected] = {
		[XenbusStateUnknown] = S(Closed, DISCONNECT),
		[XenbusStateInitialising] = S(InitWait, RESET),
		[XenbusStateClosing] = S(Closing, DISCONNECT),
		[XenbusStateClosed] = S(Closed, DISCONNECT),
	},
	[XenbusStateClosing] = {
		[XenbusStateUnknown] = S(Closed, NONE),
		[XenbusStateClosed] = S(Closed, NONE),
	},
	[XenbusStateClosed] = {
		[XenbusStateInitialising] = S(InitWait, RESET),
	},
};

#undef S

bool xpv_xenbus_state_valid(enum xpv_xenbus_role role, enum xenbus_state s)
{
	switch ((unsigned int)s) {
	case XenbusStateInitialising:
	case XenbusStateConnected:
	case XenbusStateClosing:
	case XenbusStateClosed:
		return true;
	case XenbusStateInitWait:
		return role == XPV_XENBUS_BACKEND;
	case XenbusStateInitialised:
		return role == XPV_XENBUS_FRONTEND;
	default:
		return false;
	}
}

static bool xpv_xenbus_closing(enum xenbus_state s)
{
	return s == XenbusStateClosing || s == XenbusStateClosed;
}

struct xpv_xenbus_step xpv_xenbus_fail(enum xenbus_state local)
{
	struct xpv_xenbus_step st = { XenbusStateClosing, XPV_XENBUS_FAIL };

	if (xpv_xenbus_closing(local))
		st = (struct xpv_xenbus_step){ local, XPV_XENBUS_NONE };
	return st;
}

struct xpv_xenbus_step xpv_xenbus_close(enum xenbus_state local)
{
	struct xpv_xenbus_step st = { XenbusStateClosing,
				      XPV_XENBUS_DISCONNECT };

	if (xpv_xenbus_closing(local))
		st = (struct xpv_xenbus_step){ local, XPV_XENBUS_NONE };
	return st;
}

struct xpv_xenbus_step xpv_xenbus_step(enum xpv_xenbus_role role,
				       enum xenbus_state local,
				       enum xenbus_state other)
{
	const struct xpv_xenbus_step *e;
	struct xpv_xenbus_step stay = { local, XPV_XENBUS_NONE };

	if (role != XPV_XENBUS_FRONTEND && role != XPV_XENBUS_BACKEND)
		return xpv_xenbus_fail(XenbusStateUnknown);
	if (!xpv_xenbus_state_valid(role, local))
		return xpv_xenbus_fail(XenbusStateUnknown);
	/* The other end's state is whatever it wrote: check its range. */
	if ((unsigned int)other >= NR_XB_STATES)
		return xpv_xenbus_fail(local);
	if (role == XPV_XENBUS_FRONTEND)
		e = &xpv_xb_front[local][other];
	else
		e = &xpv_xb_back[local][other];
	return e->next == XenbusStateUnknown ? stay : *e;
}

const char *xpv_xenbus_state_name(enum xenbus_state s)
{
	static const char *const names[NR_XB_STATES] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	if ((unsigned int)s >= NR_XB_STATES)
		return "invalid";
	return names[s];
}

const char *xpv_xenbus_action_name(enum xpv_xenbus_action a)
{
	static const char *const names[] = {
		"none", "connect", "ready", "disconnect", "reset", "fail",
	};

	if ((unsigned int)a >= XPV_ARRAY_SIZE(names))
		return "invalid";
	return names[a];
}

int xpv_xenbus_parse_state(const char *s, size_t len, enum xenbus_state *out)
{
	if (!s || len != 1 || s[0] < '0' ||
	    s[0] > '0' + XenbusStateReconfigured)
		return -XPV_EINVAL;
	*out = (enum xenbus_state)(s[0] - '0');
	return 0;
}

int xpv_xenbus_read_state(const char *path, enum xenbus_state *out)
{
	char buf[8];
	int n = xpv_os_xs_read(XPV_XBT_NIL, path, buf, sizeof(buf));

	*out = XenbusStateUnknown;
	if (n == -XPV_ENOENT)
		return 0;
	if (n == -XPV_E2BIG)
		return -XPV_EINVAL;
	if (n < 0)
		return n;
	return xpv_xenbus_parse_state(buf, (size_t)n, out);
}

static bool xpv_xenbus_type_ok(const char *type)
{
	size_t i;

	if (!type || !type[0])
		return false;
	for (i = 0; type[i]; i++) {
		char c = type[i];

		if (i >= XPV_XENBUS_TYPE_MAX)
			return false;
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-'))
			return false;
	}
	return true;
}

/* snprintf's result to ours: the length, or -XPV_E2BIG on truncation. */
static int xpv_xenbus_fmt_result(int n, size_t size)
{
	if (n < 0)
		return -XPV_EINVAL;
	if ((size_t)n >= size)
		return -XPV_E2BIG;
	return n;
}

int xpv_xenbus_frontend_path(char *buf, size_t size, const char *type,
			     unsigned int devid)
{
	if (!xpv_xenbus_type_ok(type))
		return -XPV_EINVAL;
	return xpv_xenbus_fmt_result(
		xpv_os_snprintf(buf, size, "device/%s/%u", type, devid), size);
}

int xpv_xenbus_frontend_abs_path(char *buf, size_t size, domid_t domid,
				 const char *type, unsigned int devid)
{
	if (!xpv_xenbus_type_ok(type))
		return -XPV_EINVAL;
	return xpv_xenbus_fmt_result(
		xpv_os_snprintf(buf, size, "/local/domain/%u/device/%s/%u",
				(unsigned int)domid, type, devid),
		size);
}

int xpv_xenbus_backend_path(char *buf, size_t size, domid_t backend,
			    const char *type, domid_t frontend,
			    unsigned int devid)
{
	if (!xpv_xenbus_type_ok(type))
		return -XPV_EINVAL;
	return xpv_xenbus_fmt_result(
		xpv_os_snprintf(buf, size, "/local/domain/%u/backend/%s/%u/%u",
				(unsigned int)backend, type,
				(unsigned int)frontend, devid),
		size);
}

int xpv_xenbus_join(char *buf, size_t size, const char *dir, const char *node)
{
	size_t dl, i;

	if (!dir || !node || !dir[0] || !node[0])
		return -XPV_EINVAL;
	dl = xpv_strlen(dir);
	if (dir[dl - 1] == '/')
		return -XPV_EINVAL;
	for (i = 0; node[i]; i++)
		if (node[i] == '/')
			return -XPV_EINVAL;
	return xpv_xenbus_fmt_result(
		xpv_os_snprintf(buf, size, "%s/%s", dir, node), size);
}
