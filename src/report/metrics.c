/* metrics: counters rendered as Prometheus text, served over HTTP. */
#include "report/metrics.h"

#include <stdlib.h>
#include <string.h>

#include "report/httpd.h"
#include "util/util.h"

#define MAX_SERIES 1024   /* about 150 KiB rendered: within HTTPD_OUT_MAX */
#define MAX_CONTAINERS_SEEN 256  /* containers counted apart; later ones are "other" */

struct series {
	char kind[16], sender[16], cause[24], reason[32], container[48];
	uint64_t n;
};

struct metrics {
	uint64_t v[M__COUNT];
	struct series s[MAX_SERIES];
	unsigned ns;
	struct httpd *http;      /* after metrics_listen */
	char *body;              /* metrics_set_body: served instead */
	size_t body_len;
	/* the containers seen, first seen first, and their resets */
	struct { char name[48]; uint64_t n; } c[MAX_CONTAINERS_SEEN];
	unsigned nc;
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
	return calloc(1, sizeof(struct metrics));
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	httpd_free(m->http);
	free(m->body);
	free(m);
}

int metrics_set_body(struct metrics *m, const char *text, size_t len)
{
	char *b = NULL;

	if (text) {
		if (len > HTTPD_OUT_MAX / 2 || !(b = malloc(len ? len : 1)))
			return -1;
		memcpy(b, text, len);
	}
	free(m->body);
	m->body = b;
	m->body_len = text ? len : 0;
	return 0;
}

/* The document served: the counters, or the text set in their place. */
static size_t metrics_body(void *ctx, char *buf, size_t size)
{
	const struct metrics *m = ctx;

	if (!m->body)
		return metrics_render(m, buf, size);
	if (m->body_len > size)
		return 0;
	memcpy(buf, m->body, m->body_len);
	return m->body_len;
}

int metrics_listen(struct metrics *m, const char *spec, char *err, size_t errsz)
{
	httpd_free(m->http);
	m->http = httpd_new(metrics_body, m);
	if (!m->http) {
		fmt_buf(err, errsz, "out of memory");
		return -1;
	}
	if (httpd_listen(m->http, spec, err, errsz)) {
		httpd_free(m->http);
		m->http = NULL;
		return -1;
	}
	return 0;
}

int metrics_port(const struct metrics *m)
{
	return m->http ? httpd_port(m->http) : 0;
}

int metrics_pollfds(const struct metrics *m, struct pollfd *p, int max)
{
	if (!m->http || max < 1)
		return 0;
	p[0] = (struct pollfd){ .fd = httpd_fd(m->http), .events = POLLIN };
	return 1;
}

void metrics_serve(struct metrics *m, int64_t now_ns)
{
	if (m->http)
		httpd_serve(m->http, now_ns);
}

void metrics_set(struct metrics *m, enum metric_id id, uint64_t v)
{
	m->v[id] = v;
}

/* The container a reset is kept under: "none", its own name while fewer
 * than MAX_CONTAINERS_SEEN are known, else "other"; its count goes up. */
static void container_label(struct metrics *m, const char *c, char *out, size_t size)
{
	unsigned i;

	if (!c || !*c) {
		fmt_buf(out, size, "none");
		return;
	}
	for (i = 0; i < m->nc && strcmp(m->c[i].name, c); i++)
		;
	if (i == m->nc && m->nc < MAX_CONTAINERS_SEEN)
		fmt_buf(m->c[m->nc++].name, sizeof(m->c[0].name), "%s", c);
	if (i < m->nc)
		m->c[i].n++;
	fmt_buf(out, size, "%s", i < m->nc ? c : "other");
}

/* Is container c one of the METRICS_CONTAINERS with most resets now (ties:
 * the first seen)? "none" and "other" always are labels. */
static bool top_container(const struct metrics *m, const char *c)
{
	unsigned i, above = 0;

	if (!strcmp(c, "none") || !strcmp(c, "other"))
		return true;
	for (i = 0; i < m->nc && strcmp(m->c[i].name, c); i++)
		;
	if (i == m->nc)
		return false;
	for (unsigned j = 0; j < m->nc; j++)
		if (m->c[j].n > m->c[i].n || (m->c[j].n == m->c[i].n && j < i))
			above++;
	return above < METRICS_CONTAINERS;
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
	/* the top containers by their own label, the rest summed as "other"
	 * (a container that enters the top moves its count out of "other":
	 * a counter reset of that series, which rate() takes in its stride) */
	struct series *out = malloc((size_t)(m->ns ? m->ns : 1) * sizeof(*out));
	unsigned no = 0;

	for (unsigned i = 0; out && i < m->ns; i++) {
		struct series k = m->s[i];
		unsigned j;

		if (!top_container(m, k.container))
			fmt_buf(k.container, sizeof(k.container), "other");
		for (j = 0; j < no; j++)
			if (!strcmp(out[j].kind, k.kind) && !strcmp(out[j].sender, k.sender) &&
			    !strcmp(out[j].cause, k.cause) && !strcmp(out[j].reason, k.reason) &&
			    !strcmp(out[j].container, k.container))
				break;
		if (j < no)
			out[j].n += k.n;
		else
			out[no++] = k;
	}
	for (unsigned i = 0; i < no; i++) {
		char a[32], b[32], c[32], d[40], e[56];
		const struct series *s = &out[i];
		PUT("rstscope_resets_total{kind=\"%s\",sender=\"%s\",cause=\"%s\",kernel_reason=\"%s\","
		    "container=\"%s\"} %llu\n",
		    clean(s->kind, a, sizeof(a)), clean(s->sender, b, sizeof(b)),
		    clean(s->cause, c, sizeof(c)), clean(s->reason, d, sizeof(d)),
		    clean(s->container, e, sizeof(e)), (unsigned long long)s->n);
	}
	free(out);
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

