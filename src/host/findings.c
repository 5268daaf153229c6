/* findings: the host's decision table. Each row names a finding, the
 * counters it reads, its threshold (named constants below), the kernel
 * path in one phrase, the fix, and its predicate over two samples.
 * Counter rules fire on increases over the interval; level rules on the
 * state at its end. At the first sample, counters that already grew are
 * reported once as history, never as a rate. */
#include <math.h>
#include <string.h>

#include "host/host.h"
#include "util/util.h"

/* Thresholds, at least as strict as netdata's health alarms (which warn
 * at an average of more than 1 accept-queue overflow or drop per second
 * over a minute, 90 % conntrack fill, 20-25 % orphans, 90 % file-nr). */
#define HOST_EVENTS_MIN 1           /* counter events in one interval */
#define HOST_CONNTRACK_FULL_PCT 90  /* conntrack entries against nf_conntrack_max */
#define HOST_FD_PCT 90              /* a process's fds against RLIMIT_NOFILE */
#define HOST_FILE_NR_PCT 90         /* file-nr allocated against fs.file-max */
#define HOST_ORPHANS_PCT 20         /* orphan sockets against tcp_max_orphans */
#define HOST_LISTEN_FULL_PCT 100    /* a listener's accept queue against its backlog */
#define HOST_CLOSE_WAIT_PILE 16     /* CLOSE_WAIT sockets one process holds */
#define HOST_CLOSE_WAIT_GROWTH 4    /* CLOSE_WAIT sockets one process gained in an interval */

static const struct host_threshold thresholds[] = {
	{ "HOST_EVENTS_MIN", HOST_EVENTS_MIN, "events", "counter increase in one interval that is a finding" },
	{ "HOST_CONNTRACK_FULL_PCT", HOST_CONNTRACK_FULL_PCT, "%", "conntrack entries against nf_conntrack_max" },
	{ "HOST_FD_PCT", HOST_FD_PCT, "%", "a process's open fds against its RLIMIT_NOFILE soft limit" },
	{ "HOST_FILE_NR_PCT", HOST_FILE_NR_PCT, "%", "allocated file handles against fs.file-max" },
	{ "HOST_ORPHANS_PCT", HOST_ORPHANS_PCT, "%", "orphaned TCP sockets against tcp_max_orphans" },
	{ "HOST_LISTEN_FULL_PCT", HOST_LISTEN_FULL_PCT, "%", "a listener's accept queue against its backlog" },
	{ "HOST_CLOSE_WAIT_PILE", HOST_CLOSE_WAIT_PILE, "sockets", "CLOSE_WAIT sockets held by one process" },
	{ "HOST_CLOSE_WAIT_GROWTH", HOST_CLOSE_WAIT_GROWTH, "sockets", "CLOSE_WAIT sockets one process gained in one interval" },
};

/* ---- helpers ---- */

struct emitter {
	const struct host_rule *r;
	const struct host_sample *prev, *cur;
	struct host_finding *out;
	unsigned max, n;
};

static double interval_s(const struct host_sample *prev, const struct host_sample *cur)
{
	double dt = prev ? (double)(cur->ts_ns - prev->ts_ns) / 1e9 : 0;

	return dt > 0 ? dt : 0;
}

static struct host_finding *emit(struct emitter *e, bool netns_scoped, const char *trigger)
{
	struct host_finding *f;

	if (e->n >= e->max)
		return NULL;
	f = &e->out[e->n++];
	memset(f, 0, sizeof(*f));
	f->id = e->r->id;
	f->state = e->prev ? HFS_NEW : HFS_HISTORY;
	f->ts_ns = e->cur->ts_ns;
	f->interval_s = interval_s(e->prev, e->cur);
	f->has_rate = e->prev != NULL;
	f->trigger = trigger;
	f->where.netns = netns_scoped ? e->cur->netns : 0;
	f->where.pid = -1;
	return f;
}

static void set_rate(struct host_finding *f, double per_interval)
{
	if (f->has_rate)
		f->rate_per_s = f->interval_s > 0 ? per_interval / f->interval_s : 0;
}

static void value(struct host_finding *f, const char *name, uint64_t v)
{
	if (f->nvalues >= HF_VALUES_MAX)
		return;
	struct hf_value *x = &f->v[f->nvalues++];
	fmt_buf(x->name, sizeof(x->name), "%s", name);
	x->value = v;
}

static void counter_value(struct host_finding *f, const char *name, uint64_t v, uint64_t d)
{
	value(f, name, v);
	if (f->nvalues && !strcmp(f->v[f->nvalues - 1].name, name)) {
		f->v[f->nvalues - 1].delta = d;
		f->v[f->nvalues - 1].has_delta = true;
	}
}

/* A counter's value now and its increase since prev (NULL: since boot).
 * A counter that went backwards was reset (a new namespace): its value
 * now is the increase. False when the counter is not in cur. */
static bool ctr(const struct host_sample *prev, const struct host_sample *cur,
		const char *name, uint64_t *v, uint64_t *d)
{
	uint64_t p = 0;

	if (!ctrset_get(&cur->ctr, name, v))
		return false;
	if (prev && ctrset_get(&prev->ctr, name, &p) && p <= *v)
		*d = *v - p;
	else
		*d = *v;
	return true;
}

static bool level(const struct host_sample *s, const char *name, uint64_t *v)
{
	return ctrset_get(&s->ctr, name, v);
}

/* The simple shape: the sum of some counters' increases. */
static unsigned counters_rule(struct emitter *e, const char *const *names, unsigned nn,
			      bool netns_scoped)
{
	uint64_t v[4], d[4], sum = 0;
	bool have[4];
	struct host_finding *f;

	for (unsigned i = 0; i < nn && i < 4; i++) {
		have[i] = ctr(e->prev, e->cur, names[i], &v[i], &d[i]);
		if (have[i])
			sum += d[i];
	}
	if (sum < HOST_EVENTS_MIN)
		return 0;
	f = emit(e, netns_scoped, e->prev ? "counter increase" : "counted before the run");
	if (!f)
		return 0;
	for (unsigned i = 0; i < nn && i < 4; i++)
		if (have[i])
			counter_value(f, names[i], v[i], d[i]);
	f->count = sum;
	set_rate(f, (double)sum);
	return 1;
}

static void where_cgroup(struct hf_where *w, const char *path, uint8_t version)
{
	fmt_buf(w->cgroup, sizeof(w->cgroup), "%s", path);
	w->cgroup_version = path[0] ? version : 0;
}

static const struct kmsg_event *kmsg_first(const struct host_sample *s, enum kmsg_kind k)
{
	for (unsigned i = 0; i < s->km.n; i++)
		if (s->km.e[i].kind == k)
			return &s->km.e[i];
	return NULL;
}

static unsigned kmsg_count(const struct host_sample *s, enum kmsg_kind k)
{
	unsigned n = 0;

	for (unsigned i = 0; i < s->km.n; i++)
		n += s->km.e[i].kind == k;
	return n;
}

/* ---- the predicates ---- */

static const char *const c_listen[] = { "TcpExt.ListenOverflows", "TcpExt.ListenDrops" };

static const struct listener *find_listener(const struct socklist *sl, const struct listener *l)
{
	for (unsigned i = 0; i < sl->nl; i++)
		if (sl->l[i].port == l->port && !memcmp(&sl->l[i].addr, &l->addr, sizeof(l->addr)))
			return &sl->l[i];
	return NULL;
}

static void where_listener(struct hf_where *w, const struct listener *l)
{
	listener_name(l, w->listener, sizeof(w->listener));
	w->pid = l->pid;
	fmt_buf(w->comm, sizeof(w->comm), "%s", l->comm);
	where_cgroup(w, l->cgroup, l->cgroup_version);
}

static unsigned eval_listen(const struct host_rule *r, const struct host_sample *prev,
			    const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t vo = 0, vd = 0, dov = 0, ddr = 0;
	bool ho = ctr(prev, cur, c_listen[0], &vo, &dov), hd = ctr(prev, cur, c_listen[1], &vd, &ddr);
	/* every overflow is in ListenDrops too; drops beyond them are the SYN
	 * queue's (syn_side_drops), not the accept queue's */
	uint64_t count = ho ? dov : 0;
	const struct listener *worst = NULL;
	struct host_finding *f;

	/* the listener nearest its backlog now names where it happens */
	for (unsigned i = 0; i < cur->socks.nl; i++) {
		const struct listener *l = &cur->socks.l[i];

		/* by queue against backlog; by queue alone where a backlog is unknown */
		if (l->queue && (!worst ||
		    (uint64_t)l->queue * (worst->backlog ? worst->backlog : 1) >
		    (uint64_t)worst->queue * (l->backlog ? l->backlog : 1)))
			worst = l;
	}
	if (count >= HOST_EVENTS_MIN && (f = emit(&e, true, prev ? "counter increase" : "counted before the run"))) {
		if (ho)
			counter_value(f, c_listen[0], vo, dov);
		if (hd)
			counter_value(f, c_listen[1], vd, ddr);
		f->count = count;
		set_rate(f, (double)count);
		if (worst && prev) {
			where_listener(&f->where, worst);
			value(f, "listener.queue", worst->queue);
			value(f, "listener.backlog", worst->backlog);
		}
	}
	if (!prev)
		return e.n;
	for (unsigned i = 0; i < cur->socks.nl; i++) {
		const struct listener *l = &cur->socks.l[i];
		const struct listener *pl = find_listener(&prev->socks, l);

		if (!l->backlog || (uint64_t)l->queue * 100 < (uint64_t)HOST_LISTEN_FULL_PCT * l->backlog)
			continue;
		if (e.n && l == worst && e.out[0].where.listener[0])
			continue;   /* already named by the counter finding */
		f = emit(&e, true, "accept queue at its backlog");
		if (!f)
			break;
		where_listener(&f->where, l);
		value(f, "listener.queue", l->queue);
		value(f, "listener.backlog", l->backlog);
		set_rate(f, (double)l->queue - (pl ? (double)pl->queue : 0));
	}
	return e.n;
}

static const char *const c_syn[] = { "TcpExt.TCPReqQFullDrop", "TcpExt.TCPReqQFullDoCookies",
				     "TcpExt.SyncookiesSent" };

/* SYNs the listener dropped without a counter of their own: ListenDrops
 * counts each accept-queue overflow (ListenOverflows), each full SYN
 * queue without cookies (TCPReqQFullDrop) and, with syncookies off, the
 * SYNs tcp_conn_request drops once the SYN queue is in the last quarter of
 * tcp_max_syn_backlog (kept for proven peers): those are the rest. */
static uint64_t syn_side_drops(uint64_t d_drops, uint64_t d_overflows, uint64_t d_qfull)
{
	uint64_t known = d_overflows + d_qfull;

	return d_drops > known ? d_drops - known : 0;
}

static unsigned eval_syn(const struct host_rule *r, const struct host_sample *prev,
			 const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t v[3] = { 0 }, d[3] = { 0 }, count;
	bool h[3];
	const struct kmsg_event *k = kmsg_first(cur, KM_SYN_FLOOD);
	struct host_finding *f;

	uint64_t vo = 0, vd = 0, dov = 0, ddr = 0, rest;
	bool ho = ctr(prev, cur, c_listen[0], &vo, &dov), hd = ctr(prev, cur, c_listen[1], &vd, &ddr);

	for (int i = 0; i < 3; i++)
		h[i] = ctr(prev, cur, c_syn[i], &v[i], &d[i]);
	rest = hd ? syn_side_drops(ddr, ho ? dov : 0, h[0] ? d[0] : 0) : 0;
	/* SyncookiesSent counts the cookies TCPReqQFullDoCookies led to */
	count = d[0] + (d[1] > d[2] ? d[1] : d[2]) + rest;
	if (count < HOST_EVENTS_MIN && !(prev && k))
		return 0;
	f = emit(&e, true, !prev ? "counted before the run" : count ? "counter increase" :
		 "kernel log: Possible SYN flooding");
	if (!f)
		return 0;
	for (int i = 0; i < 3; i++)
		if (h[i])
			counter_value(f, c_syn[i], v[i], d[i]);
	if (rest) {   /* the drops that only ListenDrops counted */
		counter_value(f, c_listen[1], vd, ddr);
		if (ho)
			counter_value(f, c_listen[0], vo, dov);
	}
	f->count = count;
	set_rate(f, (double)count);
	if (prev && k) {
		fmt_buf(f->where.listener, sizeof(f->where.listener), "%s", k->port);
		fmt_buf(f->detail, sizeof(f->detail), "kernel log: Possible SYN flooding on port %s (%u times)",
			k->port, kmsg_count(cur, KM_SYN_FLOOD));
	}
	return 1;
}

static const char *const c_ct[] = { "conntrack.stat_drop", "conntrack.stat_early_drop",
				    "conntrack.stat_insert_failed" };

static unsigned eval_conntrack(const struct host_rule *r, const struct host_sample *prev,
			       const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t v[3] = { 0 }, d[3] = { 0 }, sum = 0, ent = 0, lim = 0, pent = 0;
	bool h[3], full;
	const struct kmsg_event *k = kmsg_first(cur, KM_CONNTRACK_FULL);
	struct host_finding *f;

	for (int i = 0; i < 3; i++)
		if ((h[i] = ctr(prev, cur, c_ct[i], &v[i], &d[i])))
			sum += d[i];
	full = prev && level(cur, "conntrack.entries", &ent) &&
	       level(cur, "conntrack.entries_limit", &lim) && lim &&
	       ent * 100 >= (uint64_t)HOST_CONNTRACK_FULL_PCT * lim;
	if (sum < HOST_EVENTS_MIN && !full && !(prev && k))
		return 0;
	f = emit(&e, true, !prev ? "counted before the run" : sum ? "drops or failed inserts" :
		 full ? "entries at 90% of the limit" : "kernel log: table full");
	if (!f)
		return 0;
	for (int i = 0; i < 3; i++)
		if (h[i])
			counter_value(f, c_ct[i], v[i], d[i]);
	if (prev && level(cur, "conntrack.entries", &ent))
		value(f, "conntrack.entries", ent);
	if (prev && level(cur, "conntrack.entries_limit", &lim))
		value(f, "conntrack.entries_limit", lim);
	f->count = sum;
	if (sum || !prev)
		set_rate(f, (double)sum);
	else if (prev && level(prev, "conntrack.entries", &pent))
		set_rate(f, (double)ent - (double)pent);
	if (prev && k)
		fmt_buf(f->detail, sizeof(f->detail), "kernel log: nf_conntrack: table full, dropping packet (%u times)",
			kmsg_count(cur, KM_CONNTRACK_FULL));
	return 1;
}

static const struct cgmem *cg_by_path(const struct cgmem_list *l, const char *path)
{
	const struct cgmem *c = cgmem_find(l, 1, path);

	return c ? c : cgmem_find(l, 2, path);
}

static unsigned eval_oom(const struct host_rule *r, const struct host_sample *prev,
			 const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t vk = 0, dk = 0;
	bool hk = ctr(prev, cur, "vmstat.oom_kill", &vk, &dk);
	struct host_finding *f;

	if (prev) {   /* the kernel log names the process */
		for (unsigned i = 0; i < cur->km.n; i++) {
			const struct kmsg_event *k = &cur->km.e[i];
			const struct cgmem *cg;

			if (k->kind != KM_OOM_KILL || !(f = emit(&e, false, "kernel log: Killed process")))
				continue;
			f->where.pid = k->pid;
			fmt_buf(f->where.comm, sizeof(f->where.comm), "%s", k->comm);
			f->count = 1;
			set_rate(f, 1);
			if (hk)
				counter_value(f, "vmstat.oom_kill", vk, dk);
			if (k->cgroup[0] && (cg = cg_by_path(&cur->cg, k->cgroup))) {
				where_cgroup(&f->where, cg->path, cg->version);
				value(f, "memory.limit_bytes", cg->limit);
			} else if (k->cgroup[0]) {
				where_cgroup(&f->where, k->cgroup, 0);
			}
			fmt_buf(f->detail, sizeof(f->detail), "kernel log: Killed process %d (%s)", k->pid, k->comm);
		}
	}
	/* cgroups whose OOM kills grew, unless the log already named them */
	for (unsigned i = 0; i < cur->cg.n; i++) {
		const struct cgmem *c = &cur->cg.c[i], *p = prev ? cgmem_find(&prev->cg, c->version, c->path) : NULL;
		uint64_t d = p && p->oom_kill <= c->oom_kill ? c->oom_kill - p->oom_kill : c->oom_kill;
		bool named = false;

		if (d < HOST_EVENTS_MIN)
			continue;
		for (unsigned j = 0; j < e.n; j++)
			named |= !strcmp(e.out[j].where.cgroup, c->path);
		if (named || !(f = emit(&e, false, prev ? "cgroup memory.events oom_kill" : "counted before the run")))
			continue;
		where_cgroup(&f->where, c->path, c->version);
		counter_value(f, c->version == 2 ? "memory.events.oom_kill" : "memory.oom_control.oom_kill",
			      c->oom_kill, d);
		value(f, "memory.limit_bytes", c->limit);
		f->count = d;
		set_rate(f, (double)d);
	}
	/* the host's count, when nothing above explains it */
	if (hk && dk >= HOST_EVENTS_MIN && !e.n &&
	    (f = emit(&e, false, prev ? "counter increase" : "counted before the run"))) {
		counter_value(f, "vmstat.oom_kill", vk, dk);
		f->count = dk;
		set_rate(f, (double)dk);
	}
	return e.n;
}

static const struct fdproc *fd_prev(const struct host_sample *prev, int pid)
{
	for (unsigned i = 0; prev && i < prev->fds.n; i++)
		if (prev->fds.top[i].pid == pid)
			return &prev->fds.top[i];
	return NULL;
}

static unsigned eval_fds(const struct host_rule *r, const struct host_sample *prev,
			 const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t alloc = 0, fmax = 0, palloc = 0;
	struct host_finding *f;

	if (!prev)
		return 0;
	for (unsigned i = 0; i < cur->fds.n; i++) {
		const struct fdproc *p = &cur->fds.top[i], *pp = fd_prev(prev, p->pid);

		if (!p->limit || p->fds * 100 < (uint64_t)HOST_FD_PCT * p->limit)
			continue;
		if (!(f = emit(&e, false, "a process at 90% of its fd limit")))
			break;
		f->where.pid = p->pid;
		fmt_buf(f->where.comm, sizeof(f->where.comm), "%s", p->comm);
		where_cgroup(&f->where, p->cgroup, p->cgroup_version);
		value(f, "process.fds", p->fds);
		value(f, "process.fd_limit", p->limit);
		set_rate(f, (double)p->fds - (pp ? (double)pp->fds : (double)p->fds));
	}
	if (level(cur, "filefd.allocated", &alloc) && level(cur, "filefd.maximum", &fmax) && fmax &&
	    alloc * 100 >= (uint64_t)HOST_FILE_NR_PCT * fmax &&
	    (f = emit(&e, false, "file-nr at 90% of fs.file-max"))) {
		value(f, "filefd.allocated", alloc);
		value(f, "filefd.maximum", fmax);
		level(prev, "filefd.allocated", &palloc);
		set_rate(f, (double)alloc - (double)(palloc ? palloc : alloc));
	}
	return e.n;
}

static unsigned eval_orphans(const struct host_rule *r, const struct host_sample *prev,
			     const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t orph = 0, lim = 0, porph = 0;
	bool over, logged;
	struct host_finding *f;

	if (!prev)
		return 0;
	over = level(cur, "sockstat.TCP.orphan", &orph) && level(cur, "sysctl.tcp_max_orphans", &lim) &&
	       lim && orph * 100 >= (uint64_t)HOST_ORPHANS_PCT * lim;
	logged = kmsg_first(cur, KM_ORPHANS) != NULL;
	if (!over && !logged)
		return 0;
	if (!(f = emit(&e, false, over ? "orphans at 20% of tcp_max_orphans" : "kernel log: too many orphaned sockets")))
		return 0;
	value(f, "sockstat.TCP.orphan", orph);
	value(f, "sysctl.tcp_max_orphans", lim);
	f->count = kmsg_count(cur, KM_ORPHANS);
	level(prev, "sockstat.TCP.orphan", &porph);
	set_rate(f, (double)orph - (double)porph);
	if (logged)
		fmt_buf(f->detail, sizeof(f->detail), "kernel log: too many orphaned sockets (%u times)", f->count ? (unsigned)f->count : 1u);
	return 1;
}

static const char *const c_mem[] = { "TcpExt.TCPMemoryPressures", "TcpExt.TCPAbortOnMemory" };

static unsigned eval_tcpmem(const struct host_rule *r, const struct host_sample *prev,
			    const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	uint64_t v[2] = { 0 }, d[2] = { 0 }, mem = 0, press = 0;
	bool h[2], over, logged = prev && kmsg_first(cur, KM_TCP_MEM);
	struct host_finding *f;

	for (int i = 0; i < 2; i++)
		h[i] = ctr(prev, cur, c_mem[i], &v[i], &d[i]);
	over = prev && level(cur, "sockstat.TCP.mem", &mem) && level(cur, "sysctl.tcp_mem_pressure", &press) &&
	       press && mem >= press;
	if (d[0] + d[1] < HOST_EVENTS_MIN && !over && !logged)
		return 0;
	if (!(f = emit(&e, true, !prev ? "counted before the run" : d[0] + d[1] ? "memory pressure or aborts" :
			over ? "TCP memory above tcp_mem pressure" : "kernel log: out of memory -- consider tuning tcp_mem")))
		return 0;
	for (int i = 0; i < 2; i++)
		if (h[i])
			counter_value(f, c_mem[i], v[i], d[i]);
	if (prev) {
		value(f, "sockstat.TCP.mem", mem);
		value(f, "sysctl.tcp_mem_pressure", press);
	}
	f->count = d[0] + d[1];
	set_rate(f, (double)f->count);
	if (logged)
		fmt_buf(f->detail, sizeof(f->detail), "kernel log: out of memory -- consider tuning tcp_mem (%u times)",
			kmsg_count(cur, KM_TCP_MEM));
	return 1;
}

static unsigned eval_closewait(const struct host_rule *r, const struct host_sample *prev,
			       const struct host_sample *cur, struct host_finding *out, unsigned max)
{
	struct emitter e = { r, prev, cur, out, max, 0 };
	struct host_finding *f;

	if (!prev)
		return 0;
	for (unsigned i = 0; i < cur->socks.ncwp; i++) {
		const struct cwproc *c = &cur->socks.cw[i];
		unsigned before = 0, growth;

		for (unsigned j = 0; j < prev->socks.ncwp; j++)
			if (prev->socks.cw[j].pid == c->pid)
				before = prev->socks.cw[j].count;
		growth = c->count > before ? c->count - before : 0;
		if (c->count < HOST_CLOSE_WAIT_PILE && growth < HOST_CLOSE_WAIT_GROWTH)
			continue;
		if (!(f = emit(&e, true, c->count >= HOST_CLOSE_WAIT_PILE ? "CLOSE_WAIT sockets pile up" :
			       "CLOSE_WAIT sockets grow")))
			break;
		f->where.pid = c->pid;
		fmt_buf(f->where.comm, sizeof(f->where.comm), "%s", c->comm);
		where_cgroup(&f->where, c->cgroup, c->cgroup_version);
		value(f, "process.close_wait", c->count);
		value(f, "process.close_wait_before", before);
		f->count = growth;
		set_rate(f, (double)c->count - (double)before);
	}
	return e.n;
}

#define SIMPLE(fn, ctrname)                                                           \
	static const char *const c_##fn[] = { ctrname };                              \
	static unsigned eval_##fn(const struct host_rule *r, const struct host_sample *prev, \
				  const struct host_sample *cur, struct host_finding *out, unsigned max) \
	{                                                                             \
		struct emitter e = { r, prev, cur, out, max, 0 };                     \
		return counters_rule(&e, c_##fn, 1, true);                            \
	}
SIMPLE(abort_close, "TcpExt.TCPAbortOnClose")
SIMPLE(abort_data, "TcpExt.TCPAbortOnData")
SIMPLE(abort_linger, "TcpExt.TCPAbortOnLinger")
SIMPLE(abort_timeout, "TcpExt.TCPAbortOnTimeout")
SIMPLE(time_wait, "TcpExt.TCPTimeWaitOverflow")

/* ---- the table ---- */

static const struct host_rule rules[HF__COUNT] = {
	{ HF_LISTEN_OVERFLOW, "listen-overflow", "TcpExt.ListenOverflows (ListenDrops as evidence); sock_diag listeners (queue, backlog)",
	  "HOST_EVENTS_MIN accept-queue overflow in the interval; or a listener's accept queue at HOST_LISTEN_FULL_PCT of its backlog",
	  "tcp_v4_syn_recv_sock: sk_acceptq_is_full, the handshake's last ACK is dropped (an RST with tcp_abort_on_overflow=1)",
	  "accept faster (more workers, no blocking in the accept loop); raise the listen() backlog and net.core.somaxconn",
	  true, eval_listen },
	{ HF_SYN_QUEUE_DROP, "syn-queue-drop", "TcpExt.TCPReqQFullDrop, TcpExt.TCPReqQFullDoCookies, TcpExt.SyncookiesSent, TcpExt.ListenDrops beyond ListenOverflows and TCPReqQFullDrop; kernel log 'Possible SYN flooding'",
	  "HOST_EVENTS_MIN SYN dropped (a full SYN queue, or tcp_max_syn_backlog's last quarter with syncookies off) or answered with a cookie in the interval; or the kernel log's SYN flooding line",
	  "tcp_conn_request: inet_csk_reqsk_queue_is_full, the SYN is dropped or answered with a SYN cookie",
	  "raise net.ipv4.tcp_max_syn_backlog and the listen() backlog; a flood: keep tcp_syncookies=1 and filter upstream",
	  true, eval_syn },
	{ HF_CONNTRACK_FULL, "conntrack-full", "conntrack.stat_drop, stat_early_drop, stat_insert_failed; conntrack.entries, entries_limit; kernel log 'nf_conntrack: table full'",
	  "HOST_EVENTS_MIN drop, early_drop or insert_failed in the interval; or entries at HOST_CONNTRACK_FULL_PCT of nf_conntrack_max; or the kernel log's table full line",
	  "nf_conntrack_alloc / __nf_conntrack_confirm: the table is at nf_conntrack_max or an insert raced, the packet is dropped",
	  "raise net.netfilter.nf_conntrack_max (and the hash size), shorten conntrack timeouts, NOTRACK busy flows; insert_failed alone: the NAT insert race (a newer kernel, fully random NAT ports)",
	  true, eval_conntrack },
	{ HF_OOM_KILL, "oom-kill", "vmstat.oom_kill; cgroup memory.events / memory.oom_control oom_kill, memory.max / memory.limit_in_bytes; kernel log 'Killed process'",
	  "HOST_EVENTS_MIN OOM kill in the interval (per process from the kernel log, per cgroup, else host-wide)",
	  "out_of_memory -> oom_kill_process: the process is killed and its sockets closed, unread data answered with RSTs",
	  "give the process memory headroom (raise the cgroup's memory.max / memory.limit_in_bytes) or fix its leak; drain on SIGTERM",
	  true, eval_oom },
	{ HF_FD_EXHAUSTION, "fd-exhaustion", "/proc/PID/fd against /proc/PID/limits 'Max open files'; filefd.allocated, filefd.maximum",
	  "a process at HOST_FD_PCT of its soft RLIMIT_NOFILE; or file-nr at HOST_FILE_NR_PCT of fs.file-max",
	  "accept / socket: get_unused_fd_flags fails with EMFILE (process) or ENFILE (system), connections wait in the accept queue and overflow it",
	  "raise the limit (LimitNOFILE=, ulimit -n, fs.file-max) or fix the descriptor leak (CLOSE_WAIT piles point to one)",
	  false, eval_fds },
	{ HF_ORPHANS, "orphans", "sockstat.TCP.orphan, sysctl.tcp_max_orphans; kernel log 'too many orphaned sockets'",
	  "orphans at HOST_ORPHANS_PCT of tcp_max_orphans; or the kernel log's line",
	  "tcp_check_oom: tcp_too_many_orphans, sockets closed by their process are reset instead of closed",
	  "raise net.ipv4.tcp_max_orphans, shorten tcp_fin_timeout; find who closes many connections with unsent data",
	  false, eval_orphans },
	{ HF_TCP_MEMORY, "tcp-memory", "TcpExt.TCPMemoryPressures, TcpExt.TCPAbortOnMemory; sockstat.TCP.mem, tcp_mem; kernel log 'out of memory -- consider tuning tcp_mem'",
	  "HOST_EVENTS_MIN pressure entered or abort on memory in the interval; or TCP memory at tcp_mem's pressure value; or the kernel log's line",
	  "tcp_check_oom / tcp_out_of_resources: TCP memory above tcp_mem, sockets are aborted with an RST (TCP_ABORT_ON_MEMORY)",
	  "raise net.ipv4.tcp_mem, lower per-socket buffers (tcp_rmem, tcp_wmem), find the sockets holding memory (ss -tm)",
	  true, eval_tcpmem },
	{ HF_CLOSE_WAIT, "close-wait", "sock_diag CLOSE_WAIT sockets, owners through /proc/PID/fd",
	  "a process with HOST_CLOSE_WAIT_PILE CLOSE_WAIT sockets, or HOST_CLOSE_WAIT_GROWTH more than an interval before",
	  "tcp_fin: the peer's FIN moved the socket to CLOSE_WAIT, and the process never calls close() (a leak that ends in fd exhaustion)",
	  "close the socket when read() returns 0; look for the leak in the connection handling (pools, error paths)",
	  false, eval_closewait },
	{ HF_ABORT_ON_CLOSE, "abort-on-close", "TcpExt.TCPAbortOnClose",
	  "HOST_EVENTS_MIN in the interval",
	  "tcp_close with unread received data: tcp_send_active_reset (TCP_ABORT_ON_CLOSE)",
	  "read (drain) the request before closing; clients read the response and send Expect: 100-continue for large bodies",
	  true, eval_abort_close },
	{ HF_ABORT_ON_DATA, "abort-on-data", "TcpExt.TCPAbortOnData",
	  "HOST_EVENTS_MIN in the interval",
	  "tcp_rcv_state_process: data for a socket its application already closed is answered with an RST (TCP_ABORT_ON_DATA)",
	  "shut down the write side and drain before close; keep clients' idle timeouts below the server's",
	  true, eval_abort_data },
	{ HF_ABORT_ON_LINGER, "abort-on-linger", "TcpExt.TCPAbortOnLinger",
	  "HOST_EVENTS_MIN in the interval",
	  "tcp_close / tcp_fin_wait2 with TCP_LINGER2 < 0: the connection is reset instead of waiting in FIN_WAIT2 (TCP_ABORT_ON_LINGER)",
	  "do not set TCP_LINGER2 to -1 (or SO_LINGER 0) unless resets are intended",
	  true, eval_abort_linger },
	{ HF_ABORT_ON_TIMEOUT, "abort-on-timeout", "TcpExt.TCPAbortOnTimeout",
	  "HOST_EVENTS_MIN in the interval",
	  "tcp_write_timeout / tcp_keepalive_timer: retransmissions or keepalive probes ran out, the connection is dropped (an RST for keepalive: TCP_KEEPALIVE_TIMEOUT)",
	  "find the loss or the dead peer (retransmissions, the path); tune tcp_retries2 or keepalive only for slow, not gone, peers",
	  true, eval_abort_timeout },
	{ HF_TIME_WAIT, "time-wait", "TcpExt.TCPTimeWaitOverflow",
	  "HOST_EVENTS_MIN in the interval",
	  "tcp_time_wait: tcp_max_tw_buckets reached, the socket skips TIME_WAIT (late segments of the old connection then meet no socket: RST)",
	  "raise net.ipv4.tcp_max_tw_buckets; reuse connections (keep-alive) instead of one per request",
	  true, eval_time_wait },
};

static const char *const all_counters[] = {
	"TcpExt.ListenOverflows", "TcpExt.ListenDrops", "TcpExt.TCPReqQFullDrop",
	"TcpExt.TCPReqQFullDoCookies", "TcpExt.SyncookiesSent", "TcpExt.TCPMemoryPressures",
	"TcpExt.TCPAbortOnMemory", "TcpExt.TCPAbortOnClose", "TcpExt.TCPAbortOnData",
	"TcpExt.TCPAbortOnLinger", "TcpExt.TCPAbortOnTimeout", "TcpExt.TCPTimeWaitOverflow",
	"Tcp.OutRsts", "Tcp.EstabResets", "Tcp.AttemptFails",
	"conntrack.entries", "conntrack.entries_limit", "conntrack.stat_drop",
	"conntrack.stat_early_drop", "conntrack.stat_insert_failed", "vmstat.oom_kill",
	"sockstat.TCP.orphan", "sockstat.TCP.tw", "sockstat.TCP.mem", "sysctl.tcp_max_orphans",
	"sysctl.tcp_mem_pressure", "filefd.allocated", "filefd.maximum",
};

const struct host_rule *host_rules(unsigned *n)
{
	*n = HF__COUNT;
	return rules;
}

const struct host_rule *host_rule(enum host_finding_id id)
{
	return (unsigned)id < HF__COUNT ? &rules[id] : NULL;
}

const struct host_threshold *host_thresholds(unsigned *n)
{
	*n = sizeof(thresholds) / sizeof(thresholds[0]);
	return thresholds;
}

const char *const *host_rule_counters(unsigned *n)
{
	*n = sizeof(all_counters) / sizeof(all_counters[0]);
	return all_counters;
}

const char *host_finding_name(enum host_finding_id id)
{
	return (unsigned)id < HF__COUNT ? rules[id].name : NULL;
}

const char *host_finding_state_name(enum host_finding_state s)
{
	return s == HFS_NEW ? "new" : s == HFS_ONGOING ? "ongoing" : "history";
}

unsigned host_findings_eval(const struct host_sample *prev, const struct host_sample *cur,
			    struct host_finding *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < HF__COUNT && n < max; i++)
		if (prev || rules[i].has_history)
			n += rules[i].eval(&rules[i], prev, cur, out + n, max - n);
	return n;
}
