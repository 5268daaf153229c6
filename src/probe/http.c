/* probe/http: the keep-alive request and the end of its response (RFC 9112
 * 6.3: Content-Length, chunked, or no body for 1xx/204/304). */
#include "probe/internal.h"

#include <string.h>
#include <strings.h>

#include "util/util.h"

size_t probe_http_request(char *buf, size_t size, const char *host)
{
	/* an IPv6 literal goes in brackets (RFC 9110 7.2) */
	const char *l = strchr(host, ':') ? "[" : "", *r = strchr(host, ':') ? "]" : "";

	return fmt_buf(buf, size, "GET / HTTP/1.1\r\nHost: %s%s%s\r\nUser-Agent: rstscope-probe\r\n"
		       "Connection: keep-alive\r\n\r\n", l, host, r);
}

void probe_http_reset(struct probe_http *h)
{
	memset(h, 0, sizeof(*h));
}

/* The value of header `name` in the head, or NULL; its length in *len. */
static const char *header(const char *head, size_t hlen, const char *name, size_t *len)
{
	size_t nl = strlen(name);
	const char *p = head, *end = head + hlen;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) > nl && !strncasecmp(p, name, nl) && p[nl] == ':') {
			const char *v = p + nl + 1;

			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*len = (size_t)(eol - v);
			while (*len && (v[*len - 1] == '\r' || v[*len - 1] == ' '))
				(*len)--;
			return v;
		}
		p = eol + 1;
	}
	return NULL;
}

static int head_done(struct probe_http *h, size_t head_end)
{
	const char *v;
	size_t len;
	uint64_t n = 0;

	if (h->hlen < 12 || memcmp(h->head, "HTTP/1.", 7) || h->head[8] != ' ')
		return -1;
	if (h->head[9] < '1' || h->head[9] > '5' || h->head[10] < '0' || h->head[10] > '9' ||
	    h->head[11] < '0' || h->head[11] > '9')
		return -1;
	h->status = (h->head[9] - '0') * 100 + (h->head[10] - '0') * 10 + (h->head[11] - '0');
	if (h->status < 200) {
		/* an interim answer: the real one follows */
		h->hlen = 0;
		return 0;
	}
	h->in_body = true;
	if (h->status == 204 || h->status == 304)
		return 1;
	v = header(h->head, head_end, "transfer-encoding", &len);
	if (v && len >= 7 && !strncasecmp(v + len - 7, "chunked", 7)) {
		h->chunked = true;
		return 0;
	}
	v = header(h->head, head_end, "content-length", &len);
	if (!v || !len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9' || n > UINT64_MAX / 10 - 10)
			return -1;
		n = n * 10 + (uint64_t)(v[i] - '0');
	}
	h->body_left = n;
	return n == 0;
}

int probe_http_feed(struct probe_http *h, const char *p, size_t n)
{
	while (n) {
		if (!h->in_body) {
			char *end;
			size_t room = sizeof(h->head) - 1 - h->hlen, take = n < room ? n : room;
			int rc;

			if (!take)
				return -1;  /* a head this long is not an answer to us */
			memcpy(h->head + h->hlen, p, take);
			h->hlen += take;
			h->head[h->hlen] = '\0';
			end = strstr(h->head, "\r\n\r\n");
			if (!end) {
				p += take, n -= take;
				continue;
			}
			/* give back what follows the head */
			size_t used = (size_t)(end + 4 - h->head), back = h->hlen - used;
			p += take - back, n -= take - back;
			rc = head_done(h, used);
			if (rc)
				return rc;
			continue;
		}
		if (h->chunked) {
			/* the last chunk and an empty trailer end it (RFC 9112 7.1) */
			for (size_t i = 0; i < n; i++) {
				memmove(h->tail, h->tail + 1, 4);
				h->tail[4] = p[i];
				if (!memcmp(h->tail, "0\r\n\r\n", 5))
					return 1;
			}
			return 0;
		}
		if (n >= h->body_left)
			return 1;
		h->body_left -= n;
		return 0;
	}
	return 0;
}
