/* httpreq: the metrics server's request head, judged by a cursor over the
 * bytes received so far (RFC 9112 2-5, RFC 9110 5.6.2, 9.1). */
#include "report/httpreq.h"

#include <string.h>

#define METHOD_MAX 16     /* longer than any method worth a 405 */

/* token characters (RFC 9110 5.6.2) */
static bool tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* visible characters of a request target (RFC 9112 3.2) */
static bool vchar(unsigned char c)
{
	return c > 0x20 && c < 0x7f;
}

/* a field value byte (RFC 9110 5.5): VCHAR, SP, HTAB, obs-text */
static bool field_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

static int decided(struct httpreq *r, int status)
{
	r->status = status;
	return 1;
}

/* Not complete: read on, unless the head is already at its cap. */
static int more(size_t len, struct httpreq *r, int status_at_cap)
{
	return len >= HTTPREQ_HEAD_MAX ? decided(r, status_at_cap) : 0;
}

/* The path of a target: origin-form as is, absolute-form past its
 * authority (RFC 9112 3.2.2); NULL for any other form. */
static const char *target_path(const char *t, size_t tl, size_t *pl)
{
	size_t s = 0;

	if (tl >= 7 && !strncasecmp(t, "http://", 7))
		s = 7;
	else if (tl >= 8 && !strncasecmp(t, "https://", 8))
		s = 8;
	else if (tl && t[0] == '/') {
		*pl = tl;
		return t;
	} else {
		return NULL;
	}
	while (s < tl && t[s] != '/')
		s++;
	if (s == tl) {     /* "http://host": the root */
		*pl = 1;
		return "/";
	}
	*pl = tl - s;
	return t + s;
}

static int judge(const char *m, size_t ml, const char *t, size_t tl, struct httpreq *r)
{
	size_t pl, n;
	const char *p = target_path(t, tl, &pl);

	if (!p)
		return decided(r, 400);
	for (n = 0; n < pl && p[n] != '?' && p[n] != '#'; n++)
		;
	if (!((n == 1 && p[0] == '/') || (n == 8 && !memcmp(p, "/metrics", 8))))
		return decided(r, 404);
	r->head = ml == 4 && !memcmp(m, "HEAD", 4);
	if (!r->head && !(ml == 3 && !memcmp(m, "GET", 3)))
		return decided(r, 405);
	return decided(r, 200);
}

int httpreq_parse(const char *buf, size_t len, struct httpreq *r)
{
	const unsigned char *b = (const unsigned char *)buf;
	size_t p = 0, line0, m0, ml, t0, tl, v0;

	memset(r, 0, sizeof(*r));
	/* empty lines before the request line are ignored (RFC 9112 2.2) */
	while (p < len && p < 4 && (b[p] == '\r' || b[p] == '\n'))
		p++;
	line0 = m0 = p;
	while (p < len && tchar(b[p]) && p - m0 <= METHOD_MAX)
		p++;
	ml = p - m0;
	if (p == len)
		return ml > METHOD_MAX ? decided(r, 400) : more(len, r, 400);
	if (!ml || ml > METHOD_MAX || b[p] != ' ')
		return decided(r, 400);
	t0 = ++p;
	while (p < len && vchar(b[p]) && p - line0 < HTTPREQ_LINE_MAX)
		p++;
	tl = p - t0;
	if (p - line0 >= HTTPREQ_LINE_MAX)
		return decided(r, 414);
	if (p == len)
		return more(len, r, 414);
	if (!tl || b[p] != ' ')
		return decided(r, 400);   /* no target, a control byte, or HTTP/0.9 */
	v0 = ++p;
	/* HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 2.3), then CRLF or a
	 * bare LF. A byte of the line at or past its cap is a 414 whatever it
	 * is, so that what a prefix decided every longer input decides too. */
	for (size_t i = 0; i < 8; i++, p++) {
		static const char v[] = "HTTP/d.d";

		if (p - line0 >= HTTPREQ_LINE_MAX)
			return decided(r, 414);
		if (p == len)
			return more(len, r, 400);
		if (v[i] == 'd' ? !(b[p] >= '0' && b[p] <= '9') : b[p] != (unsigned char)v[i])
			return decided(r, 400);
	}
	for (bool cr = false;; p++) {
		if (p - line0 >= HTTPREQ_LINE_MAX)
			return decided(r, 414);
		if (p == len)
			return more(len, r, 400);
		if (b[p] == '\n')
			break;
		if (cr || b[p] != '\r')
			return decided(r, 400);
		cr = true;
	}
	p++;
	if (b[v0 + 5] != '1')   /* the major version */
		return decided(r, 505);
	/* header fields up to the empty line (RFC 9112 5); a byte of the head
	 * at or past its cap is a 431, as above */
	for (;;) {
		size_t f0 = p;

		if (p >= HTTPREQ_HEAD_MAX)
			return decided(r, 431);
		if (p == len)
			return more(len, r, 431);
		if (b[p] == '\r') {
			if (++p >= HTTPREQ_HEAD_MAX)
				return decided(r, 431);
			if (p == len)
				return more(len, r, 431);
			if (b[p] != '\n')
				return decided(r, 400);   /* a CR alone */
		}
		if (b[p] == '\n')
			return judge(buf + m0, ml, buf + t0, tl, r);
		if (b[p] == ' ' || b[p] == '\t')
			return decided(r, 400);   /* obs-fold (RFC 9112 5.2) */
		while (p < len && p < HTTPREQ_HEAD_MAX && tchar(b[p]))
			p++;
		if (p >= HTTPREQ_HEAD_MAX)
			return decided(r, 431);
		if (p == len)
			return more(len, r, 431);
		if (p == f0 || b[p] != ':')
			return decided(r, 400);   /* no name, or space before the colon */
		while (p < len && p < HTTPREQ_HEAD_MAX && field_char(b[p]))
			p++;
		if (p < len && p < HTTPREQ_HEAD_MAX && b[p] == '\r')
			p++;
		if (p >= HTTPREQ_HEAD_MAX)
			return decided(r, 431);
		if (p == len)
			return more(len, r, 431);
		if (b[p] != '\n')
			return decided(r, 400);   /* a control byte in the field */
		p++;
	}
}

const char *httpreq_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 505: return "HTTP Version Not Supported";
	}
	return "Error";
}
