/* context: the application around an RST, read from the first bytes of
 * segments only: the HTTP/1.x request that was reset (method, earlier
 * requests on the connection, last status, Expect: 100-continue) and how
 * far a TLS handshake got. */
#include "detect/detect.h"

#include <string.h>
#include <strings.h>

/* the request methods, those of one first letter together (a token ends
 * with its space: at most one matches) */
static const struct {
	const char *tok;
	unsigned len;
} methods[] = {
	{ "CONNECT ", 8 }, { "DELETE ", 7 }, { "GET ", 4 }, { "HEAD ", 5 }, { "OPTIONS ", 8 },
	{ "POST ", 5 }, { "PUT ", 4 }, { "PATCH ", 6 }, { "TRACE ", 6 },
};
#define N_METHODS (sizeof(methods) / sizeof(methods[0]))

/* The first method that starts with c (N_METHODS: none), so a turn of other
 * bytes costs one switch. */
static unsigned first_method(uint8_t c)
{
	switch (c) {
	case 'C': return 0;
	case 'D': return 1;
	case 'G': return 2;
	case 'H': return 3;
	case 'O': return 4;
	case 'P': return 5;
	case 'T': return 8;
	default: return N_METHODS;
	}
}

/* Does [p, p+n) contain the header "Expect: 100-continue" (any case)? */
static bool has_expect_100(const uint8_t *p, size_t n)
{
	static const char hdr[] = "\r\nexpect:";
	const size_t hl = sizeof(hdr) - 1;

	if (n > 4096)
		n = 4096;
	for (size_t i = 0; i + hl + 4 <= n; i++) {
		size_t j;

		if (p[i] != '\r' || strncasecmp((const char *)p + i, hdr, hl))
			continue;
		for (j = i + hl; j < n && p[j] == ' '; j++)
			;
		return j + 4 <= n && !memcmp(p + j, "100-", 4);
	}
	return false;
}

/* v's first bytes (v->head) start a request: the frame's payload is read
 * only then. */
static void http_request(struct flow *f, const struct tcp_view *v, uint64_t before)
{
	const uint8_t *p = v->payload;
	size_t n = v->payload_cap;

	for (size_t i = first_method(v->head[0]); i < N_METHODS && v->head[0] == (uint8_t)methods[i].tok[0];
	     i++) {
		/* every method token fits in the head */
		if (n < methods[i].len || memcmp(v->head, methods[i].tok, methods[i].len))
			continue;
		memcpy(f->app.method, methods[i].tok, methods[i].len - 1);
		f->app.method[methods[i].len - 1] = '\0';
		f->app.requests++;
		f->app.is_http = 1;
		f->app.expect_100 = has_expect_100(p, n);
		f->app.req_body_start = before;
		return;
	}
}

static void http_response(struct flow *f, const uint8_t *p, size_t n, int64_t ts)
{
	unsigned st;

	/* "HTTP/1.x NNN" (RFC 9112 4) */
	if (n < 12 || memcmp(p, "HTTP/1.", 7) || p[8] != ' ')
		return;
	if (p[9] < '1' || p[9] > '5' || p[10] < '0' || p[10] > '9' || p[11] < '0' || p[11] > '9')
		return;
	st = (unsigned)(p[9] - '0') * 100 + (unsigned)(p[10] - '0') * 10 + (unsigned)(p[11] - '0');
	f->app.is_http = 1;
	f->app.last_status = (uint16_t)st;
	if (st >= 200) {  /* 1xx are interim (RFC 9110 15.2) */
		f->app.responses++;
		f->app.last_response_ns = ts;
	}
}

/* TLS record headers (RFC 8446 5.1): type, legacy version 3.x, length. */
static void tls_record(struct flow *f, bool from_client, const uint8_t *p, size_t n)
{
	if (n < 6 || p[1] != 0x03)
		return;
	if (p[0] == 0x16 && p[5] == 1 && from_client && f->app.tls_stage == TLS_NONE) {
		f->app.is_tls = 1;
		f->app.tls_stage = TLS_CLIENT_HELLO;
	} else if (p[0] == 0x16 && p[5] == 2 && !from_client && f->app.tls_stage == TLS_CLIENT_HELLO) {
		f->app.tls_stage = TLS_SERVER_HELLO;
	} else if (p[0] == 0x17 && from_client && f->app.tls_stage == TLS_SERVER_HELLO) {
		/* the client's first encrypted record follows its Finished */
		f->app.tls_stage = TLS_ESTABLISHED;
	}
}

static void context_on_packet(const struct detect_env *env, struct flow *f, int dir,
			      const struct tcp_view *v, int64_t ts)
{
	bool from_client = f->role_known ? dir == f->client : false;
	const uint8_t *p = v->head;   /* tls_record and http_response read 12 bytes at most */
	size_t n = v->payload_cap < TCP_VIEW_HEAD ? v->payload_cap : TCP_VIEW_HEAD;

	(void)env;
	if (n < 4 || !f->role_known)
		return;
	if (f->app.tls_stage != TLS_ESTABLISHED && !f->app.is_http && p[0] >= 0x14 && p[0] <= 0x17) {
		tls_record(f, from_client, p, n);
		return;
	}
	if (f->app.is_tls)
		return;
	if (from_client)
		http_request(f, v, f->d[dir].bytes - v->payload_len);
	else
		http_response(f, p, n, ts);
}

static void context_on_rst(const struct detect_env *env, struct pending_rst *p, struct flow *f,
			   const struct tcp_view *v)
{
	const struct flow_app *a = &f->app;
	size_t i, n = v->payload_cap < sizeof(p->v.payload_text) - 1 ? v->payload_cap
								      : sizeof(p->v.payload_text) - 1;

	(void)env;
	/* an RST may carry text (RFC 9293 3.5.3 allows diagnostic data) */
	for (i = 0; i < n; i++) {
		uint8_t c = v->payload[i];

		p->v.payload_text[i] = (char)(c >= 0x20 && c < 0x7f ? c : '.');
	}
	p->v.payload_text[i] = '\0';
	p->v.tls = (enum tls_stage)a->tls_stage;
	if (!a->requests)
		return;
	memcpy(p->v.http_method, a->method, sizeof(p->v.http_method));
	p->v.http_request_unanswered = a->requests > a->responses;
	p->v.http_prior_requests = a->requests - 1;   /* before the last one */
	p->v.http_last_status = a->last_status;
	p->v.http_expect_100 = a->expect_100;
	if (f->role_known)
		p->peer_body_bytes = f->d[f->client].bytes - a->req_body_start;
}

const struct detector detect_context = { "context", context_on_packet, context_on_rst, NULL };
