// SPDX-License-Identifier: MIT
/* The little libc the PV kernel needs: memory, strings and formatting. */
#include "arch-xen/kernel.h"

void *memset(void *s, int c, size_t n)
{
	unsigned char *p = s;

	while (n--)
		*p++ = (unsigned char)c;
	return s;
}

void *memcpy(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	while (n--)
		*dp++ = *sp++;
	return d;
}

void *memmove(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n)
{
	unsigned char *dp = d;
	const unsigned char *sp = s;

	if (dp <= sp || dp >= sp + n)
		return memcpy(d, s, n);
	while (n--)
		dp[n] = sp[n];
	return d;
}

int memcmp(const void *a, const void *b, size_t n);
int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

/* Output cursor: counts every character, stores what fits. */
struct out {
	char *buf;
	size_t size, len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

struct spec {
	int width;
	int prec; /* %.Ns: at most N characters; -1: no limit */
	bool zero, left;
	int longs;
};

static size_t str_len(const char *s, int max)
{
	size_t n = 0;

	while (s[n] && (max < 0 || n < (size_t)max))
		n++;
	return n;
}

static void put_padded(struct out *o, const char *s, size_t n,
		       const struct spec *sp)
{
	int pad = sp->width > (int)n ? sp->width - (int)n : 0;

	while (!sp->left && pad-- > 0)
		put(o, sp->zero ? '0' : ' ');
	while (n--)
		put(o, *s++);
	while (sp->left && pad-- > 0)
		put(o, ' ');
}

static void put_number(struct out *o, uint64_t v, unsigned int base,
		       bool negative, const struct spec *sp)
{
	char tmp[24];
	int i = sizeof(tmp);

	do {
		tmp[--i] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (negative)
		tmp[--i] = '-';
	put_padded(o, tmp + i, sizeof(tmp) - i, sp);
}

static const char *parse_spec(const char *f, struct spec *sp)
{
	*sp = (struct spec){ .prec = -1 };
	for (; *f == '0' || *f == '-'; f++) {
		if (*f == '0')
			sp->zero = true;
		else
			sp->left = true;
	}
	for (; *f >= '0' && *f <= '9'; f++)
		sp->width = sp->width * 10 + (*f - '0');
	if (*f == '.') {
		for (sp->prec = 0, f++; *f >= '0' && *f <= '9'; f++)
			sp->prec = sp->prec * 10 + (*f - '0');
	}
	for (; *f == 'l' || *f == 'z'; f++)
		sp->longs++;
	return f;
}

static void format_one(struct out *o, char conv, const struct spec *sp,
		       va_list *ap)
{
	uint64_t u;
	int64_t s;
	const char *str;

	switch (conv) {
	case 'd':
	case 'i':
		s = sp->longs ? va_arg(*ap, long) : va_arg(*ap, int);
		put_number(o, s < 0 ? -(uint64_t)s : (uint64_t)s, 10, s < 0,
			   sp);
		break;
	case 'u':
	case 'x':
		u = sp->longs ? va_arg(*ap, unsigned long)
			      : va_arg(*ap, unsigned int);
		put_number(o, u, conv == 'x' ? 16 : 10, false, sp);
		break;
	case 'p':
		put(o, '0');
		put(o, 'x');
		put_number(o, (uintptr_t)va_arg(*ap, void *), 16, false, sp);
		break;
	case 's':
		str = va_arg(*ap, const char *);
		str = str ? str : "(null)";
		put_padded(o, str, str_len(str, sp->prec), sp);
		break;
	case 'c':
		put(o, (char)va_arg(*ap, int));
		break;
	default:
		put(o, '%');
		put(o, conv);
	}
}

int kvsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { .buf = buf, .size = size };
	struct spec sp;
	va_list aq;

	va_copy(aq, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		if (*++fmt == '%') {
			put(&o, '%');
			continue;
		}
		fmt = parse_spec(fmt, &sp);
		if (!*fmt)
			break;
		format_one(&o, *fmt, &sp, &aq);
	}
	va_end(aq);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int ksnprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
