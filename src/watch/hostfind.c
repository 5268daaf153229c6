/* hostfind: host findings sampled inside watch, as the engine's evidence. */
#include "watch/hostfind.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "host/host.h"
#include "kernel/kernel.h"
#include "util/util.h"

#define FINDINGS_MAX 256

struct hostfind {
	struct host_sampler *smp;
	struct host_sample *prev, *cur;
	bool have_prev;
	struct host_finding f[FINDINGS_MAX];
	int64_t interval_ns, next_ns, last_ns;
};

enum rst_cause hostfind_cause(enum host_finding_id id)
{
	switch (id) {
	case HF_LISTEN_OVERFLOW: case HF_SYN_QUEUE_DROP: case HF_FD_EXHAUSTION:
	case HF_ORPHANS: case HF_TCP_MEMORY:
		return CAUSE_OVERLOAD;
	case HF_CONNTRACK_FULL:
		return CAUSE_MIDDLEBOX;
	case HF_OOM_KILL:
		return CAUSE_PEER_RESTART;
	case HF_ABORT_ON_CLOSE: case HF_ABORT_ON_DATA:
		return CAUSE_UNREAD_CLOSE;
	case HF_ABORT_ON_LINGER:
		return CAUSE_DELIBERATE_ABORT;
	case HF_ABORT_ON_TIMEOUT:
		return CAUSE_LOSS_MTU;
	default:
		return CAUSE__COUNT;
	}
}

/* "10.0.0.2:80" or "[2001:db8::1]:80" into a, port. 0 or -1. */
static int parse_listener(const char *s, struct ipaddr *a, uint16_t *port)
{
	char buf[64];
	const char *colon = strrchr(s, ':');
	unsigned long p;
	char *end;
	size_t n;

	if (!colon || colon == s)
		return -1;
	p = strtoul(colon + 1, &end, 10);
	if (*end || !p || p > 65535)
		return -1;
	n = (size_t)(colon - s);
	if (s[0] == '[') {
		if (n < 3 || s[n - 1] != ']')
			return -1;
		s++, n -= 2;
	}
	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->b + 12) == 1)
		a->b[10] = a->b[11] = 0xff;
	else if (inet_pton(AF_INET6, buf, a->b) != 1)
		return -1;
	*port = (uint16_t)p;
	return 0;
}

static void where_str(const struct hf_where *w, char *buf, size_t size)
{
	if (w->listener[0])
		fmt_buf(buf, size, "listener %s", w->listener);
	else if (w->pid > 0)
		fmt_buf(buf, size, "pid %d (%s)", w->pid, w->comm);
	else if (w->cgroup[0])
		fmt_buf(buf, size, "cgroup %s", w->cgroup);
	else
		buf[0] = '\0';
}

void hostfind_give(struct engine *e, const struct host_finding *f)
{
	char where[96];

	if (f->state == HFS_HISTORY)
		return;
	where_str(&f->where, where, sizeof(where));
	engine_host_finding(e, host_finding_name(f->id), hostfind_cause(f->id), where,
			    f->where.netns, f->count, f->has_rate ? f->rate_per_s : 0, f->ts_ns);
	/* a listener still full but with no new drops is no overflow in this
	 * interval: nothing for the resets sent in it */
	if ((f->id == HF_LISTEN_OVERFLOW || f->id == HF_SYN_QUEUE_DROP) && f->where.listener[0] &&
	    f->count) {
		struct khost_event h;

		memset(&h, 0, sizeof(h));
		if (parse_listener(f->where.listener, &h.laddr, &h.lport))
			return;
		h.kind = KHOST_LISTEN_OVERFLOW;
		h.wall_ns = f->ts_ns;
		h.pid = f->where.pid;
		fmt_buf(h.comm, sizeof(h.comm), "%s", f->where.comm);
		fmt_buf(h.cgroup, sizeof(h.cgroup), "%s", f->where.cgroup);
		h.netns = f->where.netns;
		h.drops = f->count;
		h.interval_s = f->interval_s;
		h.rate = f->has_rate ? f->rate_per_s : 0;
		engine_host_event(e, &h);
	}
}

struct hostfind *hostfind_open(double interval_s, char *err, size_t errsz)
{
	struct hostfind *h = calloc(1, sizeof(*h));
	struct host_sampler_opts so = { .max_procs = 0 };

	if (!h || !(h->prev = calloc(1, sizeof(*h->prev))) || !(h->cur = calloc(1, sizeof(*h->cur)))) {
		fmt_buf(err, errsz, "out of memory");
		hostfind_close(h);
		return NULL;
	}
	h->smp = host_sampler_new(&so, err, errsz);
	if (!h->smp) {
		hostfind_close(h);
		return NULL;
	}
	h->interval_ns = (int64_t)(interval_s * 1e9);
	return h;
}

void hostfind_close(struct hostfind *h)
{
	if (!h)
		return;
	host_sampler_free(h->smp);
	free(h->prev);
	free(h->cur);
	free(h);
}

unsigned hostfind_poll(struct hostfind *h, struct engine *e, int64_t now_ns, bool soon)
{
	struct host_sample *t;
	unsigned n, given = 0;

	if (!h || (now_ns < h->next_ns &&
		   (!soon || now_ns - h->last_ns < (int64_t)(HOSTFIND_SOON_S * 1e9))))
		return 0;
	h->next_ns = now_ns + h->interval_ns;
	h->last_ns = now_ns;
	if (host_sampler_take(h->smp, h->cur))
		return 0;
	if (h->have_prev) {
		n = host_findings_eval(h->prev, h->cur, h->f, FINDINGS_MAX);
		for (unsigned i = 0; i < n; i++)
			if (h->f[i].state != HFS_HISTORY) {
				hostfind_give(e, &h->f[i]);
				given++;
			}
	}
	t = h->prev, h->prev = h->cur, h->cur = t;
	h->have_prev = true;
	return given;
}
