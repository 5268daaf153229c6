/* metrics: counters rendered as Prometheus text, served over HTTP. */
#include "report/metrics.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/util.h"

#define MAX_SERIES 512
#define MAX_CLIENTS 8
#define OUT_MAX (256 * 1024)

struct series {
	char kind[16], sender[16], cause[24], reason[32], container[48];
	uint64_t n;
};

struct client {
	int fd;
	int64_t since_ns;
	char in[2048];
	size_t in_len;
	char *out;
	size_t out_len, out_off;
};

struct metrics {
	uint64_t v[M__COUNT];
	struct series s[MAX_SERIES];
	unsigned ns;
	int lfd, port;
	struct client c[MAX_CLIENTS];
	char *body;              /* metrics_set_body: served instead */
	size_t body_len;
	char containers[METRICS_CONTAINERS][48]; /* the labelled ones, first seen */
	unsigned ncontainers;
};

static const struct { const char *name, *type, *help; } meta[M__COUNT] = {
	{ "rstscope_capture_frames_total", "counter", "Frames read from the capture." },
	{ "rstscope_capture_drops_total", "counter", "Frames libpcap dropped: its buffer was full." },
	{ "rstscope_capture_ifdrops_total", "counter", "Frames the interface dropped." },
	{ "rstscope_kernel_events_total{event=\"tcp_send_reset\"}", "counter", NULL },
	{ "rstscope_kernel_events_total{event=\"tcp_receive_reset\"}", "counter", NULL },
	{ "rstscope_kernel_events_total{event=\"inet_sock_set_state\"}", "counter", NULL },
	{ "rstscope_kernel_events_lost_total{why=\"overrun\"}", "counter", NULL },
	{ "rstscope_kernel_events_lost_total{why=\"dropped\"}", "counter", NULL },
	{ "rstscope_kernel_resets_unmatched_total", "counter",
	  "Resets this kernel sent that the capture never showed." },
	{ "rstscope_resets_not_sent_total", "counter",
	  "RSTs claiming a local sender that this kernel never sent (forged in the path)." },
	{ "rstscope_source_up{source=\"capture\"}", "gauge", NULL },
	{ "rstscope_source_up{source=\"kernel\"}", "gauge", NULL },
};

struct metrics *metrics_new(void)
{
	struct metrics *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->lfd = -1;
	for (int i = 0; i < MAX_CLIENTS; i++)
		m->c[i].fd = -1;
	return m;
}

static void drop_client(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		drop_client(&m->c[i]);
	if (m->lfd >= 0)
		close(m->lfd);
	free(m->body);
	free(m);
}

int metrics_set_body(struct metrics *m, const char *text, size_t len)
{
	char *b = NULL;

	if (text) {
		if (len > OUT_MAX / 2 || !(b = malloc(len ? len : 1)))
			return -1;
		memcpy(b, text, len);
	}
	free(m->body);
	m->body = b;
	m->body_len = text ? len : 0;
	return 0;
}

/* "ADDR:PORT" or "[V6]:PORT", port 0 allowed (an ephemeral port) */
static int split_hostport(const char *spec, char *host, size_t hostsz, uint16_t *port)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec, *he = colon;

	if (!colon || parse_u16_range(colon + 1, 0, 65535, port))
		return -1;
	if (*spec == '[') {
		h = spec + 1;
		if (colon == spec || colon[-1] != ']')
			return -1;
		he = colon - 1;
	}
	if (he <= h || (size_t)(he - h) >= hostsz)
		return -1;
	memcpy(host, h, (size_t)(he - h));
	host[he - h] = '\0';
	return 0;
}

int metrics_listen(struct metrics *m, const char *spec, char *err, size_t errsz)
{
	char host[64] = "127.0.0.1";
	uint16_t port;
	struct sockaddr_storage ss;
	socklen_t sl;
	int one = 1;

	memset(&ss, 0, sizeof(ss));
	if (parse_u16_range(spec, 0, 65535, &port) && split_hostport(spec, host, sizeof(host), &port)) {
		fmt_buf(err, errsz, "bad metrics address '%s' (want PORT or ADDR:PORT)", spec);
		return -1;
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
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
	m->lfd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (m->lfd < 0)
		goto fail;
	setsockopt(m->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(m->lfd, (struct sockaddr *)&ss, sl) || listen(m->lfd, 16))
		goto fail;
	sl = sizeof(ss);
	if (getsockname(m->lfd, (struct sockaddr *)&ss, &sl) == 0)
		m->port = ntohs(ss.ss_family == AF_INET ? s4->sin_port : s6->sin6_port);
	return 0;
fail:
	fmt_buf(err, errsz, "cannot listen on '%s': %s", spec, strerror(errno));
	if (m->lfd >= 0)
		close(m->lfd);
	m->lfd = -1;
	return -1;
}

int metrics_port(const struct metrics *m)
{
	return m->port;
}

int metrics_pollfds(const struct metrics *m, struct pollfd *p, int max)
{
	int n = 0;

	if (m->lfd >= 0 && n < max)
		p[n++] = (struct pollfd){ .fd = m->lfd, .events = POLLIN };
	for (int i = 0; i < MAX_CLIENTS && n < max; i++)
		if (m->c[i].fd >= 0)
			p[n++] = (struct pollfd){ .fd = m->c[i].fd,
				.events = m->c[i].out ? POLLOUT : POLLIN };
	return n;
}

void metrics_set(struct metrics *m, enum metric_id id, uint64_t v)
{
	m->v[id] = v;
}

/* The container label: "none", one of the first METRICS_CONTAINERS seen,
 * else "other". */
static void container_label(struct metrics *m, const char *c, char *out, size_t size)
{
	unsigned i;

	if (!c || !*c) {
		fmt_buf(out, size, "none");
		return;
	}
	for (i = 0; i < m->ncontainers && strcmp(m->containers[i], c); i++)
		;
	if (i == m->ncontainers && m->ncontainers < METRICS_CONTAINERS)
		fmt_buf(m->containers[m->ncontainers++], sizeof(m->containers[0]), "%s", c);
	fmt_buf(out, size, "%s", i < m->ncontainers ? c : "other");
}

void metrics_rst(struct metrics *m, const char *kind, const char *sender,
		 const char *cause, const char *kernel_reason, const char *container)
{
	struct series k;

	memset(&k, 0, sizeof(k));
	container_label(m, container, k.container, sizeof(k.container));
	fmt_buf(k.kind, sizeof(k.kind), "%s", kind);
	fmt_buf(k.sender, sizeof(k.sender), "%s", sender);
	fmt_buf(k.cause, sizeof(k.cause), "%s", cause);
	fmt_buf(k.reason, sizeof(k.reason), "%s", kernel_reason);
	for (unsigned i = 0; i < m->ns; i++) {
		struct series *s = &m->s[i];
		if (!strcmp(s->kind, k.kind) && !strcmp(s->sender, k.sender) &&
		    !strcmp(s->cause, k.cause) && !strcmp(s->reason, k.reason) &&
		    !strcmp(s->container, k.container)) {
			s->n++;
			return;
		}
	}
	if (m->ns == MAX_SERIES - 1) {   /* the last slot collects the rest */
		fmt_buf(k.kind, sizeof(k.kind), "other");
		fmt_buf(k.sender, sizeof(k.sender), "other");
		fmt_buf(k.cause, sizeof(k.cause), "other");
		fmt_buf(k.reason, sizeof(k.reason), "other");
		fmt_buf(k.container, sizeof(k.container), "other");
		m->s[m->ns++] = k;
	}
	if (m->ns >= MAX_SERIES) {
		m->s[MAX_SERIES - 1].n++;
		return;
	}
	k.n = 1;
	m->s[m->ns++] = k;
}

/* Label values come from name tables: still, never let a quote or a
 * backslash through (Prometheus text format escaping). */
static const char *clean(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 1 < size; s++)
		buf[o++] = (*s == '"' || *s == '\\' || *s == '\n') ? '_' : *s;
	buf[o] = '\0';
	return buf;
}

#define PUT(...) do { if (len < size) len += fmt_buf(buf + len, size - len, __VA_ARGS__); } while (0)

size_t metrics_render(const struct metrics *m, char *buf, size_t size)
{
	size_t len = 0;
	char last_base[96] = "";

	if (!size)
		return 0;
	buf[0] = '\0';
	PUT("# HELP rstscope_resets_total TCP resets seen on the wire, by verdict.\n"
	    "# TYPE rstscope_resets_total counter\n");
	for (unsigned i = 0; i < m->ns; i++) {
		char a[32], b[32], c[32], d[40], e[56];
		const struct series *s = &m->s[i];
		PUT("rstscope_resets_total{kind=\"%s\",sender=\"%s\",cause=\"%s\",kernel_reason=\"%s\","
		    "container=\"%s\"} %llu\n",
		    clean(s->kind, a, sizeof(a)), clean(s->sender, b, sizeof(b)),
		    clean(s->cause, c, sizeof(c)), clean(s->reason, d, sizeof(d)),
		    clean(s->container, e, sizeof(e)), (unsigned long long)s->n);
	}
	for (int id = 0; id < M__COUNT; id++) {
		char base[96];
		size_t bl = strcspn(meta[id].name, "{");

		fmt_buf(base, sizeof(base), "%.*s", (int)bl, meta[id].name);
		if (strcmp(base, last_base)) {
			if (meta[id].help)
				PUT("# HELP %s %s\n", base, meta[id].help);
			PUT("# TYPE %s %s\n", base, meta[id].type);
		}
		memcpy(last_base, base, sizeof(base));
		PUT("%s %llu\n", meta[id].name, (unsigned long long)m->v[id]);
	}
	return len < size ? len : size - 1;
}

static void answer(struct metrics *m, struct client *c)
{
	static const char ok[] = "HTTP/1.0 200 OK\r\nContent-Type: text/plain; version=0.0.4\r\n"
				 "Connection: close\r\n\r\n";
	static const char nf[] = "HTTP/1.0 404 Not Found\r\nContent-Type: text/plain\r\n"
				 "Connection: close\r\n\r\nnot found: try /metrics\n";
	bool get = !strncmp(c->in, "GET /metrics ", 13) || !strncmp(c->in, "GET / ", 6);

	c->out = malloc(OUT_MAX);
	if (!c->out) {
		drop_client(c);
		return;
	}
	if (get) {
		memcpy(c->out, ok, sizeof(ok) - 1);
		if (m->body) {
			memcpy(c->out + sizeof(ok) - 1, m->body, m->body_len);
			c->out_len = sizeof(ok) - 1 + m->body_len;
		} else {
			c->out_len = sizeof(ok) - 1 +
				     metrics_render(m, c->out + sizeof(ok) - 1, OUT_MAX - sizeof(ok));
		}
	} else {
		memcpy(c->out, nf, sizeof(nf) - 1);
		c->out_len = sizeof(nf) - 1;
	}
}

static void serve_client(struct metrics *m, struct client *c, int64_t now)
{
	if (now - c->since_ns > 2000000000LL) {
		drop_client(c);
		return;
	}
	if (!c->out) {
		ssize_t n = recv(c->fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len, 0);

		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			drop_client(c);
			return;
		}
		if (n > 0)
			c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		if (strstr(c->in, "\r\n\r\n") || strstr(c->in, "\n\n") ||
		    c->in_len == sizeof(c->in) - 1)
			answer(m, c);
		if (!c->out)
			return;
	}
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0)
			break;
		c->out_off += (size_t)n;
	}
	drop_client(c);
}

void metrics_serve(struct metrics *m, int64_t now_ns)
{
	if (m->lfd >= 0) {
		for (int k = 0; k < MAX_CLIENTS; k++) {
			int i, fd;

			for (i = 0; i < MAX_CLIENTS && m->c[i].fd >= 0; i++)
				;
			if (i == MAX_CLIENTS)
				break;
			fd = accept4(m->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
			if (fd < 0)
				break;
			m->c[i].fd = fd;
			m->c[i].since_ns = now_ns;
		}
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (m->c[i].fd >= 0)
			serve_client(m, &m->c[i], now_ns);
}
