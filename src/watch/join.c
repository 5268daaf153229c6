/* join: kernel reset events matched to wire RSTs by 4-tuple and time. */
#include "watch/join.h"

#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

#define MAX_LOCAL 256
#define MAX_LOSSES 64

const char *const join_result_name[JOIN__COUNT] = {
	"not-local", "sent", "not-sent", "unsure", "received", "not-received",
};

struct join {
	int64_t window_ns;
	unsigned cap, head, count;       /* ring of events */
	struct join_event *ev;
	struct ipaddr local[MAX_LOCAL];
	size_t nlocal;
	int64_t loss[MAX_LOSSES];        /* times events were lost (ring) */
	unsigned nloss;
	struct join_stats st;
};

struct join *join_new(const struct join_opts *o)
{
	struct join *j = calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->window_ns = (int64_t)((o->window_s > 0 ? o->window_s : 1.0) * 1e9);
	j->cap = o->cap ? o->cap : 4096;
	j->ev = calloc(j->cap, sizeof(*j->ev));
	if (!j->ev) {
		free(j);
		return NULL;
	}
	return j;
}

void join_free(struct join *j)
{
	if (!j)
		return;
	free(j->ev);
	free(j);
}

void join_stats(const struct join *j, struct join_stats *s)
{
	*s = j->st;
}

int join_set_local(struct join *j, const struct ipaddr *a, size_t n)
{
	j->nlocal = n < MAX_LOCAL ? n : MAX_LOCAL;
	memcpy(j->local, a, j->nlocal * sizeof(*a));
	return 0;
}

int join_load_local(struct join *j)
{
	struct ifaddrs *ifa, *i;
	struct ipaddr a[MAX_LOCAL];
	size_t n = 0;

	if (getifaddrs(&ifa))
		return -1;
	for (i = ifa; i && n < MAX_LOCAL; i = i->ifa_next) {
		if (!i->ifa_addr)
			continue;
		memset(&a[n], 0, sizeof(a[n]));
		if (i->ifa_addr->sa_family == AF_INET) {
			a[n].b[10] = a[n].b[11] = 0xff;
			memcpy(a[n].b + 12, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
			n++;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			memcpy(a[n].b, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
			n++;
		}
	}
	freeifaddrs(ifa);
	return join_set_local(j, a, n);
}

bool join_is_local(const struct join *j, const struct ipaddr *a)
{
	static const uint8_t lo6[16] = { [15] = 1 };

	if (ipaddr_is_v4(a) && a->b[12] == 127)
		return true;
	if (!memcmp(a->b, lo6, 16))
		return true;
	for (size_t i = 0; i < j->nlocal; i++)
		if (!memcmp(&j->local[i], a, sizeof(*a)))
			return true;
	return false;
}

bool join_closer_reason(const char *reason)
{
	static const char *const closers[] = {
		"TCP_ABORT_ON_CLOSE", "TCP_STATE", "TCP_ABORT_ON_LINGER",
		"TCP_DISCONNECT_WITH_DATA", "TCP_ABORT_ON_MEMORY",
	};

	for (size_t i = 0; i < sizeof(closers) / sizeof(closers[0]); i++)
		if (!strcmp(reason, closers[i]))
			return true;
	return false;
}

static void make_key(struct sock_key *k, const struct ipaddr *l, uint16_t lp,
		     const struct ipaddr *r, uint16_t rp)
{
	memset(k, 0, sizeof(*k));
	k->laddr = *l, k->lport = lp, k->raddr = *r, k->rport = rp;
}

/* tracefs names a task by the comm saved at its last context switch, which
 * can predate a rename; the live process's own name wins when it is there. */
static void fresh_comm(const struct sockowner *so, int pid, char *comm, size_t size)
{
	if (so)
		sockowner_comm(so, pid, comm, size);
}

void join_event_from_trace(const struct tfs_event *ev, int64_t wall_ns,
			   struct sockowner *so, struct join_event *out)
{
	struct sock_key k;
	struct sock_owner own;

	memset(out, 0, sizeof(*out));
	out->kind = ev->kind;
	out->wall_ns = wall_ns;
	out->src = ev->src, out->dst = ev->dst;
	out->sport = ev->sport, out->dport = ev->dport;
	fmt_buf(out->reason, sizeof(out->reason), "%s", ev->reason);
	out->pid = -1;
	make_key(&k, &ev->src, ev->sport, &ev->dst, ev->dport);
	/* sent from the close() path: the task on the CPU is the closer; a
	 * kernel without reasons: any send in task context is the task's own */
	if (ev->kind == TFS_SEND_RESET && ev->task_context &&
	    (!ev->reason[0] || join_closer_reason(ev->reason))) {
		out->pid = ev->pid;
		out->by_closer = true;
		fmt_buf(out->comm, sizeof(out->comm), "%s", ev->comm);
		fresh_comm(so, ev->pid, out->comm, sizeof(out->comm));
		if (so)
			sockowner_note(so, &k, ev->pid, ev->comm, wall_ns);
		return;
	}
	if (so && (ev->kind == TFS_RECV_RESET || ev->skaddr || ev->dport == 0) &&
	    sockowner_lookup(so, &k, wall_ns, &own)) {
		out->pid = own.pid;
		fmt_buf(out->comm, sizeof(out->comm), "%s", own.comm);
	}
}

bool join_on_state(const struct tfs_event *ev, struct sockowner *so, int64_t now_ns)
{
	struct sock_key k;

	if (ev->kind != TFS_SET_STATE || !so || !ev->sport || !ev->dport)
		return false;
	if (ev->task_context) {
		/* connect(), close(), shutdown(): the task acts on its socket */
		char comm[17];

		fmt_buf(comm, sizeof(comm), "%s", ev->comm);
		fresh_comm(so, ev->pid, comm, sizeof(comm));
		make_key(&k, &ev->src, ev->sport, &ev->dst, ev->dport);
		sockowner_note(so, &k, ev->pid, comm, now_ns);
		return false;
	}
	/* a passive open completed in softirq: the owner accepts it later */
	return !strcmp(ev->state, "TCP_ESTABLISHED") && !strcmp(ev->oldstate, "TCP_SYN_RECV");
}

void join_add(struct join *j, const struct join_event *ev)
{
	unsigned at = (j->head + j->count) % j->cap;

	if (j->count == j->cap) {
		at = j->head;
		j->head = (j->head + 1) % j->cap;
		j->st.evicted++;
	} else {
		j->count++;
	}
	j->ev[at] = *ev;
	j->ev[at].used = false;
	j->st.events++;
}

void join_note_lost(struct join *j, int64_t wall_ns)
{
	j->loss[j->nloss++ % MAX_LOSSES] = wall_ns;
}

static bool lost_near(const struct join *j, int64_t t)
{
	unsigned n = j->nloss < MAX_LOSSES ? j->nloss : MAX_LOSSES;

	for (unsigned i = 0; i < n; i++) {
		int64_t d = j->loss[i] - t;
		/* losses are noticed late (at the next stats read) */
		if (d > -j->window_ns && d < 5 * j->window_ns)
			return true;
	}
	return false;
}

static bool addr_zero(const struct ipaddr *a)
{
	static const uint8_t z[16];

	return !memcmp(a->b, z, 16) || (ipaddr_is_v4(a) && !memcmp(a->b + 12, z, 4));
}

/* The nearest unused event of kind k for the RST a:ap -> b:bp (a is the
 * event's src side). A listener's event (dest port 0) matches on a:ap. */
static struct join_event *find(struct join *j, enum tfs_kind k, int64_t t,
			       const struct ipaddr *a, uint16_t ap,
			       const struct ipaddr *b, uint16_t bp)
{
	struct join_event *best = NULL;
	int64_t bestd = 0;

	for (unsigned i = 0; i < j->count; i++) {
		struct join_event *e = &j->ev[(j->head + i) % j->cap];
		int64_t d = e->wall_ns > t ? e->wall_ns - t : t - e->wall_ns;

		if (e->used || e->kind != k || d > j->window_ns || e->sport != ap)
			continue;
		if (e->dport == 0 && addr_zero(&e->dst)) {
			if (!addr_zero(&e->src) && memcmp(&e->src, a, sizeof(*a)))
				continue;
		} else if (e->dport != bp || memcmp(&e->src, a, sizeof(*a)) ||
			   memcmp(&e->dst, b, sizeof(*b))) {
			continue;
		}
		if (!best || d < bestd)
			best = e, bestd = d;
	}
	return best;
}

static void append(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t size, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + n, size - n, fmt, ap);
	va_end(ap);
}

/* What the kernel's reason says about the cause (reset-causes.md). True
 * when it changed the cause (the evidence then names the reason). */
static bool refine_cause(struct rst_verdict *v, const char *reason)
{
	enum rst_cause c = v->cause;

	if (!strcmp(reason, "TCP_STATE") || !strcmp(reason, "TCP_ABORT_ON_LINGER") ||
	    !strcmp(reason, "TCP_KEEPALIVE_TIMEOUT"))
		c = CAUSE_DELIBERATE_ABORT;
	else if (!strcmp(reason, "TCP_ABORT_ON_CLOSE"))
		c = c == CAUSE_IDLE_REAP || c == CAUSE_PEER_RESTART || c == CAUSE_SIZE_LIMIT ?
		    c : CAUSE_UNREAD_CLOSE;
	else if (!strcmp(reason, "INVALID_SYN") || !strcmp(reason, "TCP_ABORT_ON_MEMORY"))
		c = CAUSE_OVERLOAD;
	else if (!strcmp(reason, "NO_SOCKET") && v->kind == KIND_REFUSED)
		c = CAUSE_REFUSED;
	else if ((!strcmp(reason, "TCP_TIMEWAIT_SOCKET") || !strcmp(reason, "TCP_ABORT_ON_DATA")) &&
		 c != CAUSE_IDLE_REAP && c != CAUSE_PEER_RESTART)
		c = CAUSE_IDLE_REAP;
	if (c != v->cause) {
		v->cause = c;
		fmt_buf(v->cause_evidence, sizeof(v->cause_evidence),
			"the kernel's reason %s", reason);
		return true;
	}
	return false;
}

static void set_owner(struct rst_verdict *v, const struct join_event *e)
{
	v->pid = e->pid;
	fmt_buf(v->comm, sizeof(v->comm), "%s", e->pid >= 0 ? e->comm : "");
}

enum join_result join_verdict(struct join *j, struct rst_verdict *v)
{
	struct join_event *e;
	enum join_result r;
	bool src_local = join_is_local(j, &v->src), dst_local = join_is_local(j, &v->dst);

	if (!src_local && !dst_local) {
		j->st.result[JOIN_NOT_LOCAL]++;
		return JOIN_NOT_LOCAL;
	}
	v->kernel_checked = true;
	v->kernel_reason[0] = '\0';
	v->pid = -1;
	v->comm[0] = '\0';
	if (src_local) {
		e = find(j, TFS_SEND_RESET, v->ts_ns, &v->src, v->sport, &v->dst, v->dport);
		if (e) {
			e->used = true;
			fmt_buf(v->kernel_reason, sizeof(v->kernel_reason), "%s",
				e->reason[0] ? e->reason : JOIN_REASON_NONE);
			set_owner(v, e);
			v->forged = FORGED_GENUINE;
			append(v->forged_evidence, sizeof(v->forged_evidence),
			       "%ssent by this host's kernel", v->forged_evidence[0] ? "; " : "");
			if (!e->reason[0] || !refine_cause(v, e->reason))
				append(v->cause_evidence, sizeof(v->cause_evidence), "; kernel: %s",
				       e->reason[0] ? e->reason : "sent (no reason on this kernel)");
			if (e->pid >= 0)
				append(v->cause_evidence, sizeof(v->cause_evidence), " %s %s[%d]",
				       e->by_closer ? "closed by" : "socket of", e->comm, e->pid);
			j->st.result[JOIN_SENT]++;
			return JOIN_SENT;
		}
		if (lost_near(j, v->ts_ns)) {
			fmt_buf(v->forged_evidence + strlen(v->forged_evidence),
				sizeof(v->forged_evidence) - strlen(v->forged_evidence),
				"%sno tcp_send_reset seen, but kernel events were lost then",
				v->forged_evidence[0] ? "; " : "");
			j->st.result[JOIN_UNSURE]++;
			return JOIN_UNSURE;
		}
		char old[sizeof(v->forged_evidence)];
		memcpy(old, v->forged_evidence, sizeof(old));
		fmt_buf(v->forged_evidence, sizeof(v->forged_evidence),
			"not sent by this host: it claims a local address but this kernel "
			"sent no such reset%s%s", old[0] ? "; " : "", old);
		v->forged = FORGED_FORGED;
		if (v->kind != KIND_REFUSED && v->cause != CAUSE_MIDDLEBOX) {
			v->cause = CAUSE_MIDDLEBOX;
			fmt_buf(v->cause_evidence, sizeof(v->cause_evidence),
				"forged in the path: this host never sent it");
		}
		r = JOIN_NOT_SENT;
		j->st.result[r]++;
		if (!dst_local)
			return r;
		/* the receiving socket, if any (loopback: both ends local) */
		e = find(j, TFS_RECV_RESET, v->ts_ns, &v->dst, v->dport, &v->src, v->sport);
		if (e) {
			e->used = true;
			set_owner(v, e);
		}
		return r;
	}
	e = find(j, TFS_RECV_RESET, v->ts_ns, &v->dst, v->dport, &v->src, v->sport);
	if (e) {
		e->used = true;
		set_owner(v, e);
		append(v->cause_evidence, sizeof(v->cause_evidence), "; reset a local socket%s%s",
		       e->pid >= 0 ? " of " : "", e->pid >= 0 ? e->comm : "");
		r = JOIN_RECEIVED;
	} else {
		r = lost_near(j, v->ts_ns) ? JOIN_UNSURE : JOIN_NOT_RECEIVED;
	}
	j->st.result[r]++;
	return r;
}

void join_expire(struct join *j, int64_t before_ns, join_unmatched_fn fn, void *ctx)
{
	while (j->count) {
		struct join_event *e = &j->ev[j->head];

		if (e->wall_ns >= before_ns)
			break;
		if (!e->used && e->kind == TFS_SEND_RESET) {
			j->st.unmatched_sent++;
			if (fn)
				fn(e, ctx);
		}
		j->head = (j->head + 1) % j->cap;
		j->count--;
	}
}
