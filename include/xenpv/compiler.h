/* SPDX-License-Identifier: MIT */
/*
 * Freestanding helpers for the portable core: it includes no OS header, so
 * string and atomic primitives come from the compiler.  Every host links a
 * memcpy/memset/memcmp/strlen, which the builtins fall back to.
 */
#ifndef XENPV_COMPILER_H
#define XENPV_COMPILER_H

#include "xenpv/xen.h"

#define xpv_memcpy __builtin_memcpy
#define xpv_memset __builtin_memset
#define xpv_memcmp __builtin_memcmp
#define xpv_strlen __builtin_strlen

#define XPV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define XPV_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define XPV_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define xpv_likely(x) __builtin_expect(!!(x), 1)
#define xpv_unlikely(x) __builtin_expect(!!(x), 0)
#define XPV_BUILD_BUG_ON(c) _Static_assert(!(c), #c)

/* Bit operations on xen_ulong_t words shared with another domain. */
static inline void xpv_set_bit(unsigned int nr, xen_ulong_t *words)
{
	__atomic_fetch_or(&words[nr / (sizeof(xen_ulong_t) * 8)],
			  (xen_ulong_t)1 << (nr % (sizeof(xen_ulong_t) * 8)),
			  __ATOMIC_SEQ_CST);
}

static inline void xpv_clear_bit(unsigned int nr, xen_ulong_t *words)
{
	__atomic_fetch_and(&words[nr / (sizeof(xen_ulong_t) * 8)],
			   ~((xen_ulong_t)1 << (nr % (sizeof(xen_ulong_t) * 8))),
			   __ATOMIC_SEQ_CST);
}

static inline bool xpv_test_bit(unsigned int nr, const xen_ulong_t *words)
{
	xen_ulong_t w = __atomic_load_n(&words[nr / (sizeof(xen_ulong_t) * 8)],
					__ATOMIC_ACQUIRE);
	return (w >> (nr % (sizeof(xen_ulong_t) * 8))) & 1;
}

/* Returns the old value of the bit. */
static inline bool xpv_test_and_set_bit(unsigned int nr, xen_ulong_t *words)
{
	xen_ulong_t m = (xen_ulong_t)1 << (nr % (sizeof(xen_ulong_t) * 8));
	return __atomic_fetch_or(&words[nr / (sizeof(xen_ulong_t) * 8)], m,
				 __ATOMIC_SEQ_CST) & m;
}

static inline bool xpv_test_and_clear_bit(unsigned int nr, xen_ulong_t *words)
{
	xen_ulong_t m = (xen_ulong_t)1 << (nr % (sizeof(xen_ulong_t) * 8));
	return __atomic_fetch_and(&words[nr / (sizeof(xen_ulong_t) * 8)], ~m,
				  __ATOMIC_SEQ_CST) & m;
}

#endif
