/* cursor: bounds-checked text reading; see cursor.h. */
#include "util/cursor.h"

#include <string.h>

void cur_skip_blank(struct cur *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t'))
		c->p++;
}

bool cur_line(struct cur *c, struct cur *line)
{
	const char *nl;

	if (c->p >= c->end)
		return false;
	nl = memchr(c->p, '\n', (size_t)(c->end - c->p));
	line->p = c->p;
	line->end = nl ? nl : c->end;
	c->p = nl ? nl + 1 : c->end;
	return true;
}

bool cur_token(struct cur *c, struct cur *tok)
{
	cur_skip_blank(c);
	if (c->p >= c->end || *c->p == '\n')
		return false;
	tok->p = c->p;
	while (c->p < c->end && *c->p != ' ' && *c->p != '\t' && *c->p != '\n')
		c->p++;
	tok->end = c->p;
	return true;
}

int cur_u64(struct cur *c, uint64_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;

	if (p >= c->end || *p < '0' || *p > '9')
		return -1;
	for (; p < c->end && *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	c->p = p;
	*out = v;
	return 0;
}

int cur_i64(struct cur *c, int64_t *out)
{
	struct cur t = *c;
	bool neg = cur_char(&t, '-');
	uint64_t v;

	if (cur_u64(&t, &v) || v > (uint64_t)INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)v : (int64_t)v;
	*c = t;
	return 0;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int cur_hex(struct cur *c, uint64_t *out)
{
	const char *p = c->p;
	uint64_t v = 0;

	if (p >= c->end || hexval(*p) < 0)
		return -1;
	for (; p < c->end && hexval(*p) >= 0; p++) {
		if (v >> 60)
			return -1;
		v = v << 4 | (uint64_t)hexval(*p);
	}
	c->p = p;
	*out = v;
	return 0;
}

bool cur_lit(struct cur *c, const char *lit)
{
	size_t n = strlen(lit);

	if (cur_left(c) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

bool cur_char(struct cur *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

bool cur_skip_past(struct cur *c, const char *needle)
{
	size_t n = strlen(needle), left = cur_left(c);

	if (!n)
		return true;
	for (size_t i = 0; i + n <= left; i++)
		if (c->p[i] == needle[0] && !memcmp(c->p + i, needle, n)) {
			c->p += i + n;
			return true;
		}
	return false;
}

struct cur cur_until(struct cur *c, const char *set)
{
	struct cur t = { c->p, c->p };

	/* strchr would find a NUL byte in set (its terminator): callers that
	 * loop "until ',' then skip ','" would never advance past one */
	while (c->p < c->end && (*c->p == '\0' || !strchr(set, *c->p)))
		c->p++;
	t.end = c->p;
	return t;
}

int cur_whole_u64(struct cur t, uint64_t min, uint64_t max, uint64_t *out)
{
	uint64_t v;

	if (cur_u64(&t, &v) || !cur_eof(&t) || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

bool cur_eq(struct cur t, const char *s)
{
	size_t n = strlen(s);

	return cur_left(&t) == n && !memcmp(t.p, s, n);
}

size_t cur_copy(struct cur t, char *buf, size_t size)
{
	size_t n = cur_left(&t);

	if (!size)
		return 0;
	if (n > size - 1)
		n = size - 1;
	memcpy(buf, t.p, n);
	buf[n] = '\0';
	return n;
}
