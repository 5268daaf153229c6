/* watch_tracefs: the tracefs format and trace-line parsers on fixtures
 * recorded on Linux 6.18 and on an old (pre-6.10) format. */
#include <arpa/inet.h>
#include <string.h>

#include "sources/tracefs.h"
#include "unit.h"
#include "watch_fixture.h"

#define MAXEV 256
static struct tfs_event evs[MAXEV];
static int nev;

static void collect(const struct tfs_event *ev, void *ctx)
{
	(void)ctx;
	if (nev < MAXEV)
		evs[nev++] = *ev;
}

static void addr(const char *s, struct ipaddr *a)
{
	uint8_t ver;
	CHECK(tfs_parse_addr(s, strlen(s), a, &ver) == 0);
}

static const struct tfs_event *find(enum tfs_kind k, const char *src, unsigned sport,
				    const char *dst, unsigned dport)
{
	struct ipaddr s, d;

	addr(src, &s);
	addr(dst, &d);
	for (int i = 0; i < nev; i++)
		if (evs[i].kind == k && evs[i].sport == sport && evs[i].dport == dport &&
		    !memcmp(&evs[i].src, &s, sizeof(s)) && !memcmp(&evs[i].dst, &d, sizeof(d)))
			return &evs[i];
	return NULL;
}

static struct tracefs *open_dir(const char *sub)
{
	char dir[512], err[256] = "";
	struct tracefs_opts o = { 0 };
	bool nr;
	struct tracefs *t;

	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/%s", fx_root(), sub);
	o.replay_dir = dir;
	t = tracefs_open(&o, &nr, err, sizeof(err));
	if (!t)
		fprintf(stderr, "open %s: %s\n", dir, err);
	nev = 0;
	for (int i = 0; t && i < 100 && !tracefs_eof(t); i++)
		tracefs_read(t, collect, NULL);
	return t;
}

static void test_recorded(void)
{
	char dir[512];
	struct fx_case c[16];
	struct tracefs *t = open_dir("6.18");
	const struct tfs_format *f;
	int n;

	CHECK(t != NULL);
	if (!t)
		return;
	f = tracefs_format(t, TFS_SEND_RESET);
	CHECK(f->present && f->has_reason);
	CHECK(f->reasons.n >= 17);
	CHECK_EQ_STR(tfs_sym_name(&f->reasons, 1), "NO_SOCKET");
	CHECK_EQ_STR(tfs_sym_name(&f->reasons, 11), "TCP_ABORT_ON_CLOSE");
	CHECK(tfs_sym_has(&f->reasons, "TCP_STATE"));
	CHECK(!tfs_sym_has(&f->reasons, "TCP_CLOSE")); /* a state, not a reason */
	CHECK(tracefs_format(t, TFS_RECV_RESET)->has_cookie);
	CHECK(!tracefs_format(t, TFS_RECV_RESET)->has_reason);

	snprintf(dir, sizeof(dir), "%s/tests/data/tracefs/6.18", fx_root());
	n = fx_load(dir, c, 16);
	CHECK(n >= 6);
	for (int i = 0; i < n; i++) {
		const struct tfs_event *e = find(TFS_SEND_RESET, c[i].src, c[i].sport, c[i].dst, c[i].dport);
		CHECK(e != NULL);
		if (!e) {
			fprintf(stderr, "  no send_reset for case %s %s:%u\n", c[i].name, c[i].src, c[i].sport);
			continue;
		}
		CHECK_EQ_STR(e->reason, fx_reason(c[i].name));
		CHECK(tfs_sym_has(&f->reasons, e->reason));
		CHECK_EQ_INT(e->ipver, strchr(c[i].src, ':') ? 6 : 4);
		if (!strcmp(c[i].name, "twdata")) {  /* softirq: some task, not the owner */
			CHECK(!e->task_context);
			CHECK(e->pid != c[i].pid);
			CHECK_EQ_STR(e->state, "TCP_TIME_WAIT");
		} else if (c[i].pid > 0) {   /* the close() path: the closer is on the CPU */
			CHECK(e->task_context);
			CHECK_EQ_INT(e->pid, c[i].pid);
			CHECK_EQ_STR(e->comm, c[i].comm);
			CHECK_EQ_STR(e->state, "TCP_CLOSE");
			CHECK(e->skaddr != 0);
		} else {              /* sent from packet processing: no socket */
			CHECK(!e->task_context);
			CHECK_EQ_INT(e->skaddr, 0);
		}
		/* trace time mapped to wall time lands just before the case ended */
		int64_t w = tracefs_to_wall(t, e->ts_ns);
		CHECK(w <= c[i].wall_ns && c[i].wall_ns - w < 1000000000);
		/* the peer's socket received it: local side first */
		const struct tfs_event *r = find(TFS_RECV_RESET, c[i].dst, c[i].dport, c[i].src, c[i].sport);
		CHECK(r != NULL);
		CHECK(r && r->has_cookie);
	}
	/* set_state: v6 sockets take the v6 address even with a junk saddr */
	int v6 = 0;
	for (int i = 0; i < nev; i++)
		if (evs[i].kind == TFS_SET_STATE && evs[i].ipver == 6) {
			struct ipaddr lo6;
			addr("::1", &lo6);
			v6++;
			CHECK(!memcmp(&evs[i].src, &lo6, sizeof(lo6)));
		}
	CHECK(v6 > 0);
	struct tracefs_stats st;
	tracefs_stats(t, &st);
	CHECK_EQ_INT(st.bad_lines, 0);
	CHECK(st.events[TFS_SEND_RESET] >= (uint64_t)n);
	tracefs_close(t);
}

static void test_old_kernel(void)
{
	struct tracefs *t = open_dir("old");
	const struct tfs_event *e;

	CHECK(t != NULL);
	if (!t)
		return;
	CHECK(!tracefs_format(t, TFS_SEND_RESET)->has_reason);
	CHECK_EQ_INT(tracefs_format(t, TFS_SEND_RESET)->reasons.n, 0);
	CHECK(!tracefs_format(t, TFS_RECV_RESET)->has_cookie);
	e = find(TFS_SEND_RESET, "127.0.0.1", 44333, "127.0.0.1", 46658);
	CHECK(e && e->reason[0] == '\0' && e->pid == 6175 && e->task_context);
	e = find(TFS_SEND_RESET, "::1", 39207, "::1", 56456);
	CHECK(e && e->ipver == 6 && !strcmp(e->comm, "rs-linger0"));
	e = find(TFS_SEND_RESET, "10.1.2.3", 8080, "10.9.8.7", 40000);
	CHECK(e && !e->task_context && e->pid == 0 && !strcmp(e->comm, "<idle>"));
	e = find(TFS_RECV_RESET, "127.0.0.1", 46658, "127.0.0.1", 44333);
	CHECK(e && !e->has_cookie);
	tracefs_close(t);
}

static void test_lines(void)
{
	static const char good[] =
		" my-pr dash-77  [003] ..s1.  12.000001: tcp_send_reset: skbaddr=0000000000000001 "
		"skaddr=0000000000000002 src=[2001:db8::1]:443 dest=[2001:db8::2]:5000 state=TCP_ESTABLISHED reason=TCP_ABORT_ON_DATA";
	struct tfs_event ev;

	CHECK_EQ_INT(tfs_parse_line(good, strlen(good), &ev), TFS_LINE_EVENT);
	CHECK_EQ_STR(ev.comm, "my-pr dash");
	CHECK_EQ_INT(ev.pid, 77);
	CHECK_EQ_INT(ev.cpu, 3);
	CHECK_EQ_INT(ev.ts_ns, 12000001000LL);
	CHECK_EQ_INT(ev.sport, 443);
	CHECK_EQ_INT(ev.dport, 5000);
	CHECK_EQ_STR(ev.reason, "TCP_ABORT_ON_DATA");
	CHECK(!ev.task_context);
	/* every prefix without both addresses is rejected or not ours (and
	 * none is read past len: ASan) */
	size_t whole = (size_t)(strstr(good, " state=") - good) - 4; /* "5000" */
	for (size_t n = 0; n < sizeof(good) - 1; n++) {
		char *cut = malloc(n ? n : 1);
		memcpy(cut, good, n);
		enum tfs_line r = tfs_parse_line(cut, n, &ev);
		CHECK(r == TFS_LINE_BAD || r == TFS_LINE_OTHER || n >= whole);
		CHECK(n >= whole || r != TFS_LINE_EVENT);
		free(cut);
	}
	static const char *const bad[] = {
		"x-1 [000] ..... 1.5: tcp_send_reset: src=1.2.3.4:99999 dest=1.2.3.4:1",
		"x-1 [000] ..... 1.5: tcp_send_reset: src=1.2.3.4 dest=1.2.3.4:1",
		"x-1 [000] ..... 1.5: tcp_send_reset: src=[::1:1 dest=1.2.3.4:1",
		"x-1 [000] ..... abc: tcp_send_reset: src=1.2.3.4:1 dest=1.2.3.4:1",
		"x [000] ..... 1.5: tcp_send_reset: src=1.2.3.4:1 dest=1.2.3.4:1",
		"x-1 000 ..... 1.5: tcp_send_reset: src=1.2.3.4:1 dest=1.2.3.4:1",
		"x-1 [000] ..... 1.5: tcp_send_reset: skaddr=zz src=1.2.3.4:1 dest=1.2.3.4:1",
		"x-1 [000] ..... 1.5: inet_sock_set_state: family=AF_INET sport=1",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_EQ_INT(tfs_parse_line(bad[i], strlen(bad[i]), &ev), TFS_LINE_BAD);
	static const char sctp[] = "x-1 [000] ..... 1.5: inet_sock_set_state: family=AF_INET protocol=IPPROTO_SCTP sport=1 dport=2 saddr=1.1.1.1 daddr=2.2.2.2 saddrv6=::1 daddrv6=::1";
	CHECK_EQ_INT(tfs_parse_line(sctp, strlen(sctp), &ev), TFS_LINE_OTHER);
	CHECK_EQ_INT(tfs_parse_line("# tracer: nop", 13, &ev), TFS_LINE_OTHER);
	static const char tgid[] = "  nginx-12  (   10) [001] ..... 5.000000: tcp_send_reset: src=1.2.3.4:80 dest=5.6.7.8:9 state=TCP_CLOSE reason=NO_SOCKET";
	CHECK_EQ_INT(tfs_parse_line(tgid, strlen(tgid), &ev), TFS_LINE_EVENT);
	CHECK_EQ_INT(ev.pid, 12);
	CHECK_EQ_INT(ev.tgid, 10);
	CHECK_EQ_STR(ev.comm, "nginx");
	static const char notgid[] = "  <idle>-0  (-------) [001] ..s1. 5.000000: tcp_send_reset: src=1.2.3.4:80 dest=5.6.7.8:9 state=TCP_CLOSE reason=NO_SOCKET";
	CHECK_EQ_INT(tfs_parse_line(notgid, strlen(notgid), &ev), TFS_LINE_EVENT);
	CHECK_EQ_INT(ev.pid, 0);
	CHECK_EQ_INT(ev.tgid, 0);
	static const char plain[] = "  nginx-12 [001] ..... 5.000000: tcp_send_reset: src=1.2.3.4:80 dest=5.6.7.8:9 state=TCP_CLOSE reason=NO_SOCKET";
	CHECK_EQ_INT(tfs_parse_line(plain, strlen(plain), &ev), TFS_LINE_EVENT);
	CHECK_EQ_INT(ev.tgid, 0);
}

static void test_symbolic(void)
{
	struct tfs_symtab tab;
	static const char f1[] = "\"x=%s\", __print_symbolic(REC->reason, { 0, \"A\" }, { 0x10, \"B\" })";
	static const char f2[] = "\"x=%s\", __print_symbolic(REC->reason, { 0, \"A\" }, { 1, \"B\"";
	static const char f3[] = "\"x=%d\", REC->reason";

	CHECK_EQ_INT(tfs_parse_symbolic(f1, strlen(f1), "reason", &tab), 2);
	CHECK_EQ_STR(tfs_sym_name(&tab, 16), "B");
	CHECK_EQ_INT(tfs_parse_symbolic(f2, strlen(f2), "reason", &tab), -1);
	CHECK_EQ_INT(tfs_parse_symbolic(f3, strlen(f3), "reason", &tab), 0);
	CHECK_EQ_INT(tfs_parse_symbolic(f1, strlen(f1), "state", &tab), 0);
}

int main(void)
{
	test_recorded();
	test_old_kernel();
	test_lines();
	test_symbolic();
	return unit_done("watch_tracefs");
}
