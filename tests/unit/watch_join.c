/* watch_join: kernel events recorded on 6.18 joined with the RSTs of the
 * same run's capture (wire.pcap); forged, lost, listener and old-kernel
 * cases. */
#include <string.h>

#include "decode/decode.h"
#include "sources/live.h"
#include "sources/tracefs.h"
#include "unit.h"
#include "watch/join.h"
#include "watch_fixture.h"

static struct join *J;
static struct tracefs *T;
static struct sockowner *SO;

static void add_event(const struct tfs_event *ev, void *ctx)
{
	struct join_event je;

	(void)ctx;
	if (ev->kind == TFS_SET_STATE) {  /* tasks seen acting on their sockets */
		join_on_state(ev, SO, tracefs_to_wall(T, ev->ts_ns));
		return;
	}
	join_event_from_trace(ev, tracefs_to_wall(T, ev->ts_ns), SO, &je);
	join_add(J, &je);
}

static int load(const char *sub)
{
	char dir[512], err[256];
	struct tracefs_opts o = { 0 };
	struct join_opts jo = { 0 };
	bool nr;

	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/%s", fx_root(), sub);
	o.replay_dir = dir;
	T = tracefs_open(&o, &nr, err, sizeof(err));
	CHECK(T != NULL);
	J = join_new(&jo);
	/* a saved /proc with no processes: owners only from the events */
	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/%s/proc", fx_root(), sub);
	struct sockowner_opts so = { .proc_root = dir };
	SO = sockowner_new(&so);
	for (int i = 0; T && i < 100 && !tracefs_eof(T); i++)
		tracefs_read(T, add_event, NULL);
	return T ? 0 : -1;
}

static void unload(void)
{
	tracefs_close(T);
	join_free(J);
	sockowner_free(SO);
	T = NULL;
	J = NULL;
	SO = NULL;
}

struct rsts {
	struct rst_verdict v[32];
	int n;
};

static void on_frame(void *ctx, int link, const uint8_t *data, size_t caplen, int64_t ts)
{
	struct rsts *r = ctx;
	struct tcp_view tv;

	if (decode_frame(link, data, caplen, &tv) != DECODE_OK || !(tv.flags & TH_RST) || r->n >= 32)
		return;
	struct rst_verdict *v = &r->v[r->n++];
	memset(v, 0, sizeof(*v));
	v->src = tv.src, v->dst = tv.dst, v->sport = tv.sport, v->dport = tv.dport;
	v->ts_ns = ts;
	v->kind = KIND_ESTABLISHED;
	v->cause = CAUSE_UNKNOWN;
	v->forged = FORGED_UNKNOWN;
	v->pid = -1;
}

static void test_recorded(void)
{
	char dir[512], path[600], err[256];
	struct fx_case c[16];
	struct rsts r = { .n = 0 };
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
	while (l && live_dispatch(l, 100, on_frame, &r) > 0)
		;
	live_close(l);
	CHECK_EQ_INT(r.n, n);
	for (int i = 0; i < r.n; i++) {
		struct rst_verdict *v = &r.v[i];
		const struct fx_case *x = NULL;

		for (int k = 0; k < n; k++)
			if (v->sport == c[k].sport && v->dport == c[k].dport)
				x = &c[k];
		CHECK(x != NULL);
		if (!x)
			continue;
		if (!strcmp(x->name, "noport"))
			v->kind = KIND_REFUSED;
		CHECK_EQ_INT(join_verdict(J, v), JOIN_SENT);
		CHECK(v->kernel_checked);
		CHECK_EQ_STR(v->kernel_reason, fx_reason(x->name));
		CHECK_EQ_INT(v->pid, x->pid);
		CHECK_EQ_STR(v->comm, x->comm);
		CHECK_EQ_INT(v->forged, FORGED_GENUINE);
		if (!strcmp(x->name, "noport"))
			CHECK_EQ_INT(v->cause, CAUSE_REFUSED);
		if (!strcmp(x->name, "unread"))
			CHECK_EQ_INT(v->cause, CAUSE_UNREAD_CLOSE);
		if (!strcmp(x->name, "linger0") || !strcmp(x->name, "linger2"))
			CHECK_EQ_INT(v->cause, CAUSE_DELIBERATE_ABORT);
		CHECK(strstr(v->cause_evidence, v->kernel_reason) != NULL);
		matched++;
	}
	CHECK(matched >= 6);

	/* the same 4-tuple again, 5 s later: this kernel never sent it */
	struct rst_verdict f = r.v[1];
	f.ts_ns += 5000000000LL;
	f.kind = KIND_ESTABLISHED;
	f.cause = CAUSE_UNKNOWN;
	f.forged_evidence[0] = '\0';
	CHECK_EQ_INT(join_verdict(J, &f), JOIN_NOT_SENT);
	CHECK_EQ_INT(f.forged, FORGED_FORGED);
	CHECK_EQ_INT(f.cause, CAUSE_MIDDLEBOX);
	CHECK(strstr(f.forged_evidence, "not sent by this host") != NULL);
	CHECK(f.kernel_checked && f.kernel_reason[0] == '\0');
	/* an event is used once: replaying an RST at its own time finds nothing */
	struct rst_verdict again = r.v[2];
	CHECK_EQ_INT(join_verdict(J, &again), JOIN_NOT_SENT);
	/* ... unless events were lost then */
	join_note_lost(J, again.ts_ns);
	CHECK_EQ_INT(join_verdict(J, &again), JOIN_UNSURE);
	/* neither end local */
	struct rst_verdict far = r.v[0];
	uint8_t ver;
	tfs_parse_addr("192.0.2.1", 9, &far.src, &ver);
	tfs_parse_addr("198.51.100.7", 12, &far.dst, &ver);
	far.kernel_checked = false;
	CHECK_EQ_INT(join_verdict(J, &far), JOIN_NOT_LOCAL);
	CHECK(!far.kernel_checked);
	struct join_stats st;
	join_stats(J, &st);
	CHECK_EQ_INT(st.result[JOIN_SENT], matched);
	unload();
}

static void test_old_kernel(void)
{
	struct rst_verdict v;
	uint8_t ver;

	if (load("old"))
		return;
	memset(&v, 0, sizeof(v));
	tfs_parse_addr("127.0.0.1", 9, &v.src, &ver);
	v.dst = v.src;
	v.sport = 44333, v.dport = 46658;
	v.ts_ns = tracefs_to_wall(T, 308748259000LL) - 3000;
	v.cause = CAUSE_UNKNOWN;
	CHECK_EQ_INT(join_verdict(J, &v), JOIN_SENT);
	CHECK_EQ_STR(v.kernel_reason, JOIN_REASON_NONE);
	CHECK_EQ_INT(v.pid, 6175);
	CHECK_EQ_STR(v.comm, "rs-unread");
	CHECK_EQ_INT(v.cause, CAUSE_UNKNOWN);   /* no reason: nothing to refine */
	/* a softirq send on an old kernel: the pid on the CPU is not the owner */
	struct ipaddr local;
	tfs_parse_addr("10.1.2.3", 8, &local, &ver);
	join_set_local(J, &local, 1);
	memset(&v, 0, sizeof(v));
	v.src = local;
	tfs_parse_addr("10.9.8.7", 8, &v.dst, &ver);
	v.sport = 8080, v.dport = 40000;
	v.ts_ns = tracefs_to_wall(T, 309100000000LL) + 1000;
	CHECK_EQ_INT(join_verdict(J, &v), JOIN_SENT);
	CHECK_EQ_INT(v.pid, -1);
	unload();
}

static void test_listener(void)
{
	struct join_opts jo = { .window_s = 0.5 };
	struct join *j = join_new(&jo);
	struct join_event e;
	struct rst_verdict v;
	uint8_t ver;

	/* INVALID_SYN is printed with the listener's address, not the peer's */
	memset(&e, 0, sizeof(e));
	e.kind = TFS_SEND_RESET;
	e.wall_ns = 1000000000;
	tfs_parse_addr("10.0.0.1", 8, &e.src, &ver);
	tfs_parse_addr("0.0.0.0", 7, &e.dst, &ver);
	e.sport = 80;
	e.pid = 42;
	strcpy(e.comm, "nginx");
	strcpy(e.reason, "INVALID_SYN");
	join_add(j, &e);
	join_set_local(j, &e.src, 1);
	memset(&v, 0, sizeof(v));
	v.src = e.src;
	tfs_parse_addr("10.0.0.2", 8, &v.dst, &ver);
	v.sport = 80, v.dport = 5555;
	v.ts_ns = 1000000000 + 400000000;   /* inside the window */
	v.cause = CAUSE_UNKNOWN;
	CHECK_EQ_INT(join_verdict(j, &v), JOIN_SENT);
	CHECK_EQ_STR(v.kernel_reason, "INVALID_SYN");
	CHECK_EQ_INT(v.cause, CAUSE_OVERLOAD);
	CHECK_EQ_INT(v.pid, 42);
	/* outside the window */
	e.wall_ns = 5000000000;
	join_add(j, &e);
	v.ts_ns = 5000000000 + 600000000;
	CHECK_EQ_INT(join_verdict(j, &v), JOIN_NOT_SENT);
	/* expiry hands over the sent resets nobody matched */
	int unmatched = 0;
	join_expire(j, 6000000000, NULL, NULL);
	struct join_stats st;
	join_stats(j, &st);
	unmatched = (int)st.unmatched_sent;
	CHECK_EQ_INT(unmatched, 1);
	join_free(j);
}

int main(void)
{
	test_recorded();
	test_old_kernel();
	test_listener();
	return unit_done("watch_join");
}
