/* watch_join: kernel events recorded on 6.18 and the capture of the same
 * run, both into one engine: every wire RST carries the kernel's reason and
 * the closing process, and its cause weighs them; the same RST replayed
 * later is not sent by this host (unsure when events were lost then); an
 * old kernel without reasons still names the closer. */
#include <string.h>

#include "decode/decode.h"
#include "engine/engine.h"
#include "sources/live.h"
#include "sources/tracefs.h"
#include "unit.h"
#include "watch/join.h"
#include "watch_fixture.h"

struct got {
	struct rst_verdict v[64];
	int n;
};

static struct tracefs *T;
static struct sockowner *SO;
static struct engine *E;
static struct got G;

static void sink(const struct rst_verdict *v, void *ctx)
{
	struct got *g = ctx;

	if (g->n < 64)
		g->v[g->n++] = *v;
}

static void add_event(const struct tfs_event *ev, void *ctx)
{
	struct kernel_reset r;

	(void)ctx;
	if (ev->kind == TFS_SET_STATE) {  /* tasks seen acting on their sockets */
		join_on_state(ev, SO, NULL, tracefs_to_wall(T, ev->ts_ns));
		return;
	}
	join_reset_from_trace(ev, tracefs_to_wall(T, ev->ts_ns), SO, NULL, &r);
	engine_kernel_reset(E, &r);
}

static void on_frame(void *ctx, int link, const uint8_t *data, size_t caplen, int64_t ts)
{
	static uint64_t frame;

	(void)ctx;
	engine_frame(E, link, data, caplen, ts, "wire.pcap", ++frame);
}

static int load(const char *sub)
{
	char dir[512], err[256];
	struct tracefs_opts o = { 0 };
	struct engine_opts eo;
	bool nr;

	engine_opts_default(&eo);
	eo.kernel = true;
	memset(&G, 0, sizeof(G));
	E = engine_new(&eo, sink, &G);
	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/%s", fx_root(), sub);
	o.replay_dir = dir;
	T = tracefs_open(&o, &nr, err, sizeof(err));
	CHECK(T != NULL && E != NULL);
	/* a saved /proc with no processes: owners only from the events */
	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/%s/proc", fx_root(), sub);
	struct sockowner_opts so = { .proc_root = dir };
	SO = sockowner_new(&so);
	for (int i = 0; T && E && i < 100 && !tracefs_eof(T); i++)
		tracefs_read(T, add_event, NULL);
	return T && E ? 0 : -1;
}

static void unload(void)
{
	tracefs_close(T);
	engine_free(E);
	sockowner_free(SO);
	T = NULL;
	E = NULL;
	SO = NULL;
}

static const struct rst_verdict *find(unsigned sport, unsigned dport, bool kernel_only)
{
	for (int i = 0; i < G.n; i++)
		if (G.v[i].sport == sport && G.v[i].dport == dport && G.v[i].kernel_only == kernel_only)
			return &G.v[i];
	return NULL;
}

static void test_recorded(void)
{
	char dir[512], path[600], err[256];
	struct fx_case c[16];
	struct live_opts lo = { 0 };
	struct live *l;
	bool nr;
	int n, matched = 0;

	if (load("6.18"))
		return;
	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/6.18", fx_root());
	n = fx_load(dir, c, 16);
	snprintf(path, sizeof(path), "%s/wire.pcap", dir);
	lo.file = path;
	l = live_open(&lo, &nr, err, sizeof(err));
	CHECK(l != NULL);
	while (l && live_dispatch(l, 100, on_frame, NULL) > 0)
		;
	live_close(l);
	engine_flush(E);
	for (int k = 0; k < n; k++) {
		const struct fx_case *x = &c[k];
		const struct rst_verdict *v = find(x->sport, x->dport, false);

		CHECK(v != NULL);
		if (!v)
			continue;
		CHECK_EQ_INT(v->kernel, RK_SENT);
		CHECK(v->kernel_checked);
		CHECK_EQ_STR(v->kernel_reason, fx_reason(x->name));
		CHECK_EQ_INT(v->pid, x->pid);
		CHECK_EQ_STR(v->comm, x->comm);
		CHECK_EQ_INT(v->forged, FORGED_GENUINE);
		CHECK(strstr(v->forged_evidence, "sent by this host's kernel") != NULL);
		if (!strcmp(x->name, "noport"))
			CHECK_EQ_INT(v->cause, CAUSE_REFUSED);
		if (!strcmp(x->name, "unread"))
			CHECK_EQ_INT(v->cause, CAUSE_UNREAD_CLOSE);
		if (!strcmp(x->name, "linger0") || !strcmp(x->name, "linger2"))
			CHECK_EQ_INT(v->cause, CAUSE_DELIBERATE_ABORT);
		if (strcmp(x->name, "twdata"))
			CHECK(strstr(v->cause_evidence, v->kernel_reason) != NULL);
		matched++;
	}
	CHECK(matched >= 6);
	CHECK_EQ_INT(engine_stats(E)->kernel[RK_SENT], G.n - (int)engine_stats(E)->kernel_only);
	unload();
}

/* One RST on a flow seen only from it, into engine e at time t. */
static void rst_at(struct engine *e, const char *src, unsigned sport, const char *dst,
		   unsigned dport, int64_t t)
{
	struct tcp_view v;
	uint8_t ver;

	memset(&v, 0, sizeof(v));
	tfs_parse_addr(src, strlen(src), &v.src, &ver);
	tfs_parse_addr(dst, strlen(dst), &v.dst, &ver);
	v.ipver = 4;
	v.sport = (uint16_t)sport, v.dport = (uint16_t)dport;
	v.flags = TH_RST | TH_ACK;
	v.ttl = 64;
	v.seq = 1000;
	engine_segment(e, &v, t, "t", 1);
}

static struct kernel_reset sent_reset(const char *src, unsigned sport, const char *dst,
				      unsigned dport, int64_t t, const char *reason)
{
	struct kernel_reset r;
	uint8_t ver;

	memset(&r, 0, sizeof(r));
	r.dir = KRESET_SENT;
	r.wall_ns = t;
	tfs_parse_addr(src, strlen(src), &r.src, &ver);
	tfs_parse_addr(dst, strlen(dst), &r.dst, &ver);
	r.ipver = 4;
	r.sport = (uint16_t)sport, r.dport = (uint16_t)dport;
	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	snprintf(r.state, sizeof(r.state), "TCP_CLOSE");
	r.pid = -1;
	return r;
}

static void test_not_sent(void)
{
	struct engine_opts eo;
	struct kernel_reset r = sent_reset("127.0.0.1", 80, "127.0.0.1", 5555, 1000000000,
					   "TCP_ABORT_ON_CLOSE");
	const struct rst_verdict *v;

	engine_opts_default(&eo);
	eo.kernel = true;
	memset(&G, 0, sizeof(G));
	E = engine_new(&eo, sink, &G);
	engine_kernel_reset(E, &r);
	rst_at(E, "127.0.0.1", 80, "127.0.0.1", 5555, 1000000000 + 100000);
	/* the same 4-tuple 5 s later: the kernel never sent this one */
	rst_at(E, "127.0.0.1", 80, "127.0.0.1", 5555, 6000000000);
	/* and 10 s later, with events lost then */
	engine_kernel_lost(E, 11000000000);
	rst_at(E, "127.0.0.1", 80, "127.0.0.1", 5555, 11000000000);
	/* neither end local */
	rst_at(E, "192.0.2.1", 80, "198.51.100.7", 5555, 12000000000);
	engine_flush(E);
	CHECK_EQ_INT(G.n, 4);
	CHECK_EQ_INT(G.v[0].kernel, RK_SENT);
	CHECK_EQ_INT(G.v[0].forged, FORGED_GENUINE);
	v = &G.v[1];
	CHECK_EQ_INT(v->kernel, RK_NOT_SENT);
	CHECK_EQ_INT(v->forged, FORGED_FORGED);
	CHECK_EQ_INT(v->cause, CAUSE_MIDDLEBOX);
	CHECK(v->kernel_checked && !v->kernel_reason[0]);
	CHECK(strstr(v->forged_evidence, "not sent by this host") != NULL);
	CHECK_EQ_INT(G.v[2].kernel, RK_UNSURE);
	CHECK(strstr(G.v[2].forged_evidence, "lost") != NULL);
	CHECK_EQ_INT(G.v[3].kernel, RK_NOT_LOCAL);
	CHECK(!G.v[3].kernel_checked);
	CHECK_EQ_INT(engine_stats(E)->kernel[RK_NOT_SENT], 1);
	engine_free(E);
	E = NULL;
}

static void test_old_kernel(void)
{
	const struct rst_verdict *v;
	struct ipaddr local;
	uint8_t ver;

	if (load("old"))
		return;
	/* no capture: every event is a verdict of its own */
	tfs_parse_addr("10.1.2.3", 8, &local, &ver);
	engine_kernel_local(E, &local, 1);
	engine_flush(E);
	CHECK_EQ_INT(G.n, 3);     /* the received twin of 44333's reset is the same reset */
	v = find(44333, 46658, true);
	CHECK(v != NULL);
	if (v) {
		CHECK_EQ_STR(v->kernel_reason, KERNEL_REASON_NONE);
		CHECK_EQ_INT(v->pid, 6175);
		CHECK_EQ_STR(v->comm, "rs-unread");
		CHECK(v->by_closer);
		CHECK_EQ_INT(v->forged, FORGED_GENUINE);
	}
	/* a softirq send on an old kernel: the pid on the CPU is not the owner */
	v = find(8080, 40000, true);
	CHECK(v != NULL && v->pid == -1 && !v->by_closer);
	CHECK_EQ_INT(engine_stats(E)->kernel_only, 3);
	unload();
}

/* trace events name the thread on the CPU; with record-tgid its process
 * owns the reset (an OOM kill, /proc and the owner cache are per process) */
static void test_thread_owner(void)
{
	struct tfs_event ev;
	struct kernel_reset r;
	static const char line[] = "  python3-767  (    756) [001] ..... 5.000000: tcp_send_reset: src=10.99.2.2:80 dest=10.99.1.2:40001 state=TCP_CLOSE reason=TCP_ABORT_ON_CLOSE";

	CHECK_EQ_INT(tfs_parse_line(line, strlen(line), &ev), TFS_LINE_EVENT);
	ev.task_context = true;
	join_reset_from_trace(&ev, 0, NULL, NULL, &r);
	CHECK_EQ_INT(r.pid, 756);
	CHECK(r.by_closer);
	CHECK_EQ_STR(r.comm, "python3");
	ev.tgid = 0;                 /* not printed: the thread, as before */
	join_reset_from_trace(&ev, 0, NULL, NULL, &r);
	CHECK_EQ_INT(r.pid, 767);
}

int main(void)
{
	test_recorded();
	test_not_sent();
	test_old_kernel();
	test_thread_owner();
	return unit_done("watch_join");
}
