/* httpd: one document over HTTP/1.0 to many slow clients, without threads. */
#include "report/httpd.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "report/httpreq.h"
#include "util/util.h"

#define LISTENER UINT32_MAX   /* epoll data of the listening socket */
#define BACKLOG 128
#define EVENTS (HTTPD_CLIENTS + 1)
/* accepts per httpd_serve: few, so that the requests of the young clients
 * are read before a flood of new ones can make them the oldest */
#define ACCEPTS 16
#define HEAD_MAX 256          /* the status line and header fields of an answer */

enum client_state { C_FREE, C_READ, C_WRITE, C_LINGER };

struct client {
	int fd;
	enum client_state st;
	uint64_t seq;                /* accept order: the age that sheds */
	int64_t since_ns, deadline_ns;
	size_t in_len;
	char in[HTTPREQ_HEAD_MAX];
	char *out;
	size_t out_len, out_off;
};

struct httpd {
	httpd_body_fn body;
	void *ctx;
	int lfd, ep, port;
	uint64_t accepts;
	char *scratch;               /* HTTPD_OUT_MAX: the body, then copied out */
	struct httpd_stats st;
	struct client c[HTTPD_CLIENTS];
};

struct httpd *httpd_new(httpd_body_fn body, void *ctx)
{
	struct httpd *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->scratch = malloc(HTTPD_OUT_MAX);
	if (!h->scratch) {
		free(h);
		return NULL;
	}
	h->body = body;
	h->ctx = ctx;
	h->lfd = h->ep = -1;
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		h->c[i].fd = -1;
	return h;
}

static void drop(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);   /* also leaves the epoll set */
	free(c->out);
	c->fd = -1;
	c->st = C_FREE;
	c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
}

void httpd_free(struct httpd *h)
{
	if (!h)
		return;
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		drop(&h->c[i]);
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->ep >= 0)
		close(h->ep);
	free(h->scratch);
	free(h);
}

static int watch_fd(struct httpd *h, int op, int fd, uint32_t events, uint32_t id)
{
	struct epoll_event ev = { .events = events, .data.u32 = id };

	return epoll_ctl(h->ep, op, fd, &ev);
}

/* "ADDR:PORT" or "[V6]:PORT", port 0 allowed (an ephemeral port) */
static int split_hostport(const char *spec, char *host, size_t hostsz, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	const char *hs = spec, *he = colon;

	if (!colon || parse_u16_range(colon + 1, 0, 65535, port))
		return -1;
	if (*spec == '[') {
		hs = spec + 1;
		if (colon == spec || colon[-1] != ']')
			return -1;
		he = colon - 1;
	}
	if (he <= hs || (size_t)(he - hs) >= hostsz)
		return -1;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	return 0;
}

int httpd_listen(struct httpd *h, const char *spec, char *err, size_t errsz)
{
	char host[64] = "127.0.0.1";
	uint16_t port;
	struct sockaddr_storage ss;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
	socklen_t sl;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (parse_u16_range(spec, 0, 65535, &port) && split_hostport(spec, host, sizeof(host), &port)) {
		fmt_buf(err, errsz, "bad metrics address '%s' (want PORT or ADDR:PORT)", spec);
		return -1;
	}
	if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		sl = sizeof(*s4);
	} else if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		sl = sizeof(*s6);
	} else {
		fmt_buf(err, errsz, "bad metrics address '%s': not a numeric address", spec);
		return -1;
	}
	h->ep = epoll_create1(EPOLL_CLOEXEC);
	if (h->ep < 0)
		goto fail;
	h->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (h->lfd < 0)
		goto fail;
	setsockopt(h->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(h->lfd, (struct sockaddr *)&ss, sl) || listen(h->lfd, BACKLOG) ||
	    watch_fd(h, EPOLL_CTL_ADD, h->lfd, EPOLLIN, LISTENER))
		goto fail;
	sl = sizeof(ss);
	if (getsockname(h->lfd, (struct sockaddr *)&ss, &sl) == 0)
		h->port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return 0;
fail:
	fmt_buf(err, errsz, "cannot listen on '%s': %s", spec, strerror(errno));
	if (h->lfd >= 0)
		close(h->lfd);
	if (h->ep >= 0)
		close(h->ep);
	h->lfd = h->ep = -1;
	return -1;
}

int httpd_port(const struct httpd *h)
{
	return h->port;
}

int httpd_fd(const struct httpd *h)
{
	return h->ep;
}

void httpd_get_stats(const struct httpd *h, struct httpd_stats *s)
{
	*s = h->st;
}

/* The answer, whole: status line, fields, and the body unless HEAD or an
 * error's short text. */
static int answer(struct httpd *h, struct client *c, const struct httpreq *r)
{
	char head[HEAD_MAX];
	const char *body = h->scratch;
	size_t bl, hl;

	if (r->status == 200) {
		bl = h->body(h->ctx, h->scratch, HTTPD_OUT_MAX);
		if (bl > HTTPD_OUT_MAX)
			bl = HTTPD_OUT_MAX;
	} else {
		bl = fmt_buf(h->scratch, HTTPD_OUT_MAX, "%d %s%s\n", r->status,
			     httpreq_reason(r->status), r->status == 404 ? ": try /metrics" : "");
	}
	hl = fmt_buf(head, sizeof(head),
		     "HTTP/1.0 %d %s\r\nContent-Type: text/plain%s\r\nContent-Length: %zu\r\n%s"
		     "Connection: close\r\n\r\n", r->status, httpreq_reason(r->status),
		     r->status == 200 ? "; version=0.0.4; charset=utf-8" : "", bl,
		     r->status == 405 ? "Allow: GET, HEAD\r\n" : "");
	if (r->head)
		bl = 0;
	c->out = malloc(hl + bl);
	if (!c->out)
		return -1;
	memcpy(c->out, head, hl);
	memcpy(c->out + hl, body, bl);
	c->out_len = hl + bl;
	c->out_off = 0;
	h->st.answered++;
	return 0;
}

/* Everything sent: close our side, and read what the client still sends
 * until it closes too, so that unread bytes never turn the close into a
 * reset that could destroy the answer in flight. */
static void linger(struct httpd *h, struct client *c, int64_t now)
{
	free(c->out);
	c->out = NULL;
	shutdown(c->fd, SHUT_WR);
	c->st = C_LINGER;
	c->deadline_ns = now + HTTPD_LINGER_NS;
	if (watch_fd(h, EPOLL_CTL_MOD, c->fd, EPOLLIN, (uint32_t)(c - h->c)))
		drop(c);
}

static void write_out(struct httpd *h, struct client *c, int64_t now)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (c->st != C_WRITE) {
				c->st = C_WRITE;
				c->deadline_ns = now + HTTPD_WRITE_NS;
				if (watch_fd(h, EPOLL_CTL_MOD, c->fd, EPOLLOUT, (uint32_t)(c - h->c)))
					drop(c);
			}
			return;
		}
		if (n <= 0) {
			drop(c);
			return;
		}
		c->out_off += (size_t)n;
	}
	linger(h, c, now);
}

static void read_in(struct httpd *h, struct client *c, int64_t now)
{
	struct httpreq r;
	ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - c->in_len, 0);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return;
	if (n <= 0) {
		drop(c);   /* closed, or reset, before a whole request */
		return;
	}
	c->in_len += (size_t)n;
	if (!httpreq_parse(c->in, c->in_len, &r))
		return;
	if (answer(h, c, &r)) {
		drop(c);
		return;
	}
	write_out(h, c, now);
}

static void discard_in(struct client *c)
{
	char sink[2048];
	ssize_t n = recv(c->fd, sink, sizeof(sink), 0);

	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
		drop(c);
}

/* How much a client is worth keeping when a new one needs its slot: one
 * lingering after its answer least, then one sending its request (slowly,
 * or not at all for HTTPD_GRACE_NS), then one just accepted whose request
 * has not come yet, as a scrape's comes a moment after its connect: a
 * flood of new connections must not shed it before it had that moment. */
static int worth(const struct client *c, int64_t now)
{
	if (c->st == C_LINGER)
		return 0;
	return c->in_len || now - c->since_ns >= HTTPD_GRACE_NS ? 1 : 2;
}

/* A slot for a new client: a free one, else the least worth keeping, the
 * oldest first. Clients being answered keep theirs. NULL: none. */
static struct client *slot_for_new(struct httpd *h, int64_t now)
{
	struct client *victim = NULL;
	int vw = 0;

	for (int i = 0; i < HTTPD_CLIENTS; i++) {
		struct client *c = &h->c[i];
		int w;

		if (c->st == C_FREE)
			return c;
		if (c->st == C_WRITE)
			continue;
		w = worth(c, now);
		if (!victim || w < vw || (w == vw && c->seq < victim->seq)) {
			victim = c;
			vw = w;
		}
	}
	if (victim) {
		drop(victim);
		h->st.shed++;
	}
	return victim;
}

static void accept_new(struct httpd *h, int64_t now)
{
	for (int k = 0; k < ACCEPTS; k++) {
		int fd = accept4(h->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct client *c;

		if (fd < 0)
			return;
		h->st.accepted++;
		c = slot_for_new(h, now);
		if (!c || watch_fd(h, EPOLL_CTL_ADD, fd, EPOLLIN, (uint32_t)(c - h->c))) {
			close(fd);
			h->st.refused++;
			continue;
		}
		c->fd = fd;
		c->st = C_READ;
		c->seq = ++h->accepts;
		c->since_ns = now;
		c->deadline_ns = now + HTTPD_READ_NS;
		read_in(h, c, now);   /* a scrape's request is often already here */
	}
}

void httpd_serve(struct httpd *h, int64_t now)
{
	struct epoll_event ev[EVENTS];
	bool listener = false;
	int n;

	if (h->ep < 0)
		return;
	n = epoll_wait(h->ep, ev, EVENTS, 0);
	/* the clients first, the new connections after them */
	for (int i = 0; i < n; i++) {
		uint32_t id = ev[i].data.u32;
		struct client *c = id < HTTPD_CLIENTS ? &h->c[id] : NULL;

		listener |= id == LISTENER;
		if (!c || c->st == C_FREE)
			continue;
		if (c->st == C_READ)
			read_in(h, c, now);
		else if (c->st == C_WRITE)
			write_out(h, c, now);
		else
			discard_in(c);
	}
	if (listener)
		accept_new(h, now);
	for (int i = 0; i < HTTPD_CLIENTS; i++)
		if (h->c[i].st != C_FREE && now - h->c[i].deadline_ns > 0) {
			drop(&h->c[i]);
			h->st.expired++;
		}
}
