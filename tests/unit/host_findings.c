/* host_findings: every rule of the host decision table fires on its own
 * evidence, stays quiet below its threshold, and reports counters that
 * grew before the run once as history; and the host text parsers. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sched.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/host.h"
#include "sources/conntrack.h"
#include "sources/procnet.h"
#include "unit.h"

static struct host_sample *P, *C;
static struct host_finding F[256];

static void reset(void)
{
	memset(P, 0, sizeof(*P));
	memset(C, 0, sizeof(*C));
	P->ts_ns = 1000000000000LL;
	C->ts_ns = P->ts_ns + 5000000000LL;   /* a 5 s interval */
	P->netns = C->netns = 4026531840u;
}

static void both(const char *name, uint64_t before, uint64_t now)
{
	ctrset_set(&P->ctr, name, before);
	ctrset_set(&C->ctr, name, now);
}

static unsigned eval(void)
{
	return host_findings_eval(P, C, F, 256);
}

static const struct host_finding *find(unsigned n, enum host_finding_id id)
{
	for (unsigned i = 0; i < n; i++)
		if (F[i].id == id)
			return &F[i];
	return NULL;
}

static unsigned count_id(unsigned n, enum host_finding_id id)
{
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++)
		k += F[i].id == id;
	return k;
}

/* a drawn increase: tests must be able to fail on a wrong rate */
static uint64_t draw(uint64_t lo, uint64_t hi)
{
	return lo + (uint64_t)rand() % (hi - lo + 1);
}

static void test_counter_rule(enum host_finding_id id, const char *ctr)
{
	uint64_t base = draw(0, 1000), d = draw(1, 500);
	unsigned n;
	const struct host_finding *f;

	reset();
	both(ctr, base, base);
	CHECK_EQ_INT(count_id(eval(), id), 0);      /* no increase: quiet */
	both(ctr, base, base + d);
	n = eval();
	f = find(n, id);
	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_EQ_INT(f->count, d);
	CHECK(fabs(f->rate_per_s - (double)d / 5.0) < 1e-9);
	CHECK_EQ_INT(f->where.netns, id == HF_OOM_KILL ? 0 : 4026531840u);   /* vmstat is host-wide */
	CHECK_EQ_STR(f->v[0].name, ctr);
	CHECK_EQ_INT(f->v[0].delta, d);
	/* history: the first sample alone */
	n = host_findings_eval(NULL, C, F, 256);
	f = find(n, id);
	CHECK(f != NULL && f->state == HFS_HISTORY && !f->has_rate && f->count == base + d);
}

static void test_listen(void)
{
	unsigned n;
	const struct host_finding *f;
	uint64_t backlog = draw(16, 4096);

	test_counter_rule(HF_LISTEN_OVERFLOW, "TcpExt.ListenOverflows");
	reset();
	both("TcpExt.ListenOverflows", 10, 11);   /* one overflow in the interval is a finding */
	C->socks.nl = 2;
	C->socks.l[0].port = 80, C->socks.l[0].queue = 1, C->socks.l[0].backlog = 128;
	C->socks.l[1].port = 8080, C->socks.l[1].queue = (uint32_t)backlog, C->socks.l[1].backlog = (uint32_t)backlog;
	C->socks.l[1].addr.b[10] = C->socks.l[1].addr.b[11] = 0xff;
	C->socks.l[1].pid = 77;
	strcpy(C->socks.l[1].comm, "srv");
	n = eval();
	CHECK_EQ_INT(count_id(n, HF_LISTEN_OVERFLOW), 1);   /* the full listener named once */
	f = find(n, HF_LISTEN_OVERFLOW);
	CHECK(f && !strcmp(f->where.listener, "0.0.0.0:8080") && f->where.pid == 77);
	/* a listener at its backlog with no counter increase is still a finding */
	both("TcpExt.ListenOverflows", 11, 11);
	n = eval();
	f = find(n, HF_LISTEN_OVERFLOW);
	CHECK(f && f->count == 0 && !strcmp(f->trigger, "accept queue at its backlog"));
	C->socks.l[1].queue = (uint32_t)backlog - 1;
	CHECK_EQ_INT(count_id(eval(), HF_LISTEN_OVERFLOW), 0);
}

static void test_syn(void)
{
	unsigned n;
	const struct host_finding *f;
	uint64_t d = draw(1, 100);

	test_counter_rule(HF_SYN_QUEUE_DROP, "TcpExt.TCPReqQFullDrop");
	reset();
	both("TcpExt.TCPReqQFullDoCookies", 0, d);
	both("TcpExt.SyncookiesSent", 0, d);      /* the same cookies: not counted twice */
	n = eval();
	f = find(n, HF_SYN_QUEUE_DROP);
	CHECK(f && f->count == d);
	reset();
	C->km.n = 1;
	C->km.e[0].kind = KM_SYN_FLOOD;
	strcpy(C->km.e[0].port, "[::]:8443");
	f = find(eval(), HF_SYN_QUEUE_DROP);
	CHECK(f && !strcmp(f->where.listener, "[::]:8443") && strstr(f->detail, "SYN flooding"));
}

/* ListenDrops counts every SYN or handshake the listener dropped: each
 * accept-queue overflow (ListenOverflows) and each SYN-queue drop
 * (TCPReqQFullDrop, or, with syncookies off, tcp_max_syn_backlog's last
 * quarter, which has no counter of its own). Drops beyond the overflows
 * are the SYN queue's, never an accept-queue overflow. */
static void test_listen_drops_syn_side(void)
{
	unsigned n;
	const struct host_finding *f;
	uint64_t o = draw(1, 50), q = draw(1, 50), r = draw(1, 50), base = draw(0, 1000);

	/* a SYN flood, syncookies off, the queue over the backlog */
	reset();
	both("TcpExt.ListenOverflows", base, base);
	both("TcpExt.ListenDrops", base, base + q);
	both("TcpExt.TCPReqQFullDrop", 0, q);
	n = eval();
	CHECK_EQ_INT(count_id(n, HF_LISTEN_OVERFLOW), 0);
	f = find(n, HF_SYN_QUEUE_DROP);
	CHECK(f && f->count == q);
	/* tcp_max_syn_backlog's last quarter: ListenDrops alone */
	reset();
	both("TcpExt.ListenOverflows", base, base);
	both("TcpExt.ListenDrops", base, base + r);
	both("TcpExt.TCPReqQFullDrop", 0, 0);
	n = eval();
	CHECK_EQ_INT(count_id(n, HF_LISTEN_OVERFLOW), 0);
	f = find(n, HF_SYN_QUEUE_DROP);
	CHECK(f && f->count == r && fabs(f->rate_per_s - (double)r / 5.0) < 1e-9);
	/* accept-queue overflows alone: no SYN-queue finding */
	reset();
	both("TcpExt.ListenOverflows", base, base + o);
	both("TcpExt.ListenDrops", base, base + o);
	n = eval();
	f = find(n, HF_LISTEN_OVERFLOW);
	CHECK(f && f->count == o);
	CHECK_EQ_INT(count_id(n, HF_SYN_QUEUE_DROP), 0);
	/* both at once: each its own share */
	reset();
	both("TcpExt.ListenOverflows", base, base + o);
	both("TcpExt.ListenDrops", base, base + o + q + r);
	both("TcpExt.TCPReqQFullDrop", 0, q);
	n = eval();
	f = find(n, HF_LISTEN_OVERFLOW);
	CHECK(f && f->count == o);
	f = find(n, HF_SYN_QUEUE_DROP);
	CHECK(f && f->count == q + r);
	/* history splits the same way */
	n = host_findings_eval(NULL, C, F, 256);
	f = find(n, HF_LISTEN_OVERFLOW);
	CHECK(f && f->state == HFS_HISTORY && f->count == base + o);
	f = find(n, HF_SYN_QUEUE_DROP);
	CHECK(f && f->state == HFS_HISTORY && f->count == q + r);
}

/* tcp_mem and tcp_max_orphans exist only in the initial network namespace:
 * read from another one, they come from there (root; skipped otherwise). */
static void test_initns_sysctls(void)
{
	const char *const paths[2] = { "/proc/sys/net/ipv4/tcp_mem", "/proc/sys/net/ipv4/tcp_max_orphans" };
	char want[256], got[256];
	long n;
	int fds[2], st = 0;
	pid_t pid;
	FILE *f = fopen(paths[1], "r");

	if (geteuid() || !f) {
		if (f)
			fclose(f);
		printf("host_findings: initial-namespace sysctls not tested (needs root in the initial namespace)\n");
		return;
	}
	n = (long)fread(want, 1, sizeof(want) - 1, f);
	fclose(f);
	want[n > 0 ? n : 0] = '\0';
	/* this namespace has them: nothing opened */
	CHECK_EQ_INT(host_initns_open(paths, fds, 2), 0);
	CHECK(fds[0] == -1 && fds[1] == -1);
	pid = fork();
	if (pid == 0) {
		int bad = 0;

		if (unshare(CLONE_NEWNET))
			_exit(77);   /* no namespaces here */
		bad |= access(paths[1], F_OK) == 0;   /* the kernel's view in a new namespace */
		bad |= host_initns_open(paths, fds, 2) != 2;
		bad |= fds[1] < 0 || host_initns_read(fds[1], got, sizeof(got)) <= 0 || strcmp(got, want);
		/* read again from the start, still the initial namespace's value */
		bad |= fds[1] < 0 || host_initns_read(fds[1], got, sizeof(got)) <= 0 || strcmp(got, want);
		bad |= access(paths[1], F_OK) == 0;   /* and back in the new namespace */
		_exit(bad);
	}
	CHECK(pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 77)
		printf("host_findings: no network namespaces here: initial-namespace sysctls not tested\n");
	else
		CHECK_EQ_INT(WEXITSTATUS(st), 0);
}

static void test_conntrack(void)
{
	const struct host_finding *f;
	uint64_t max = draw(1000, 1000000), at = max * 9 / 10 + (max % 10 ? 1 : 0);

	test_counter_rule(HF_CONNTRACK_FULL, "conntrack.stat_drop");
	test_counter_rule(HF_CONNTRACK_FULL, "conntrack.stat_insert_failed");
	reset();
	both("conntrack.entries_limit", max, max);
	both("conntrack.entries", at - 10, at - 1);
	CHECK(at - 1 < (max * 9 + 9) / 10 ? find(eval(), HF_CONNTRACK_FULL) == NULL : 1);
	both("conntrack.entries", at - 10, at);
	f = find(eval(), HF_CONNTRACK_FULL);
	CHECK(f && f->count == 0 && fabs(f->rate_per_s - 10 / 5.0) < 1e-9);
}

static void test_oom(void)
{
	unsigned n;
	const struct host_finding *f;

	test_counter_rule(HF_OOM_KILL, "vmstat.oom_kill");
	reset();
	both("vmstat.oom_kill", 3, 4);
	C->cg.n = 1;
	strcpy(C->cg.c[0].path, "/app.slice/web");
	C->cg.c[0].version = 2;
	C->cg.c[0].oom_kill = 2;
	C->cg.c[0].limit = 268435456;
	P->cg = C->cg;
	P->cg.c[0].oom_kill = 1;
	C->km.n = 1;
	C->km.e[0].kind = KM_OOM_KILL;
	C->km.e[0].pid = 4242;
	strcpy(C->km.e[0].comm, "java");
	strcpy(C->km.e[0].cgroup, "/app.slice/web");
	n = eval();
	CHECK_EQ_INT(count_id(n, HF_OOM_KILL), 1);   /* log, cgroup and host: one kill */
	f = find(n, HF_OOM_KILL);
	CHECK(f && f->where.pid == 4242 && !strcmp(f->where.comm, "java") &&
	      !strcmp(f->where.cgroup, "/app.slice/web") && f->where.cgroup_version == 2);
	/* without the log: the cgroup */
	C->km.n = 0;
	f = find(eval(), HF_OOM_KILL);
	CHECK(f && f->where.pid < 0 && !strcmp(f->where.cgroup, "/app.slice/web") && f->count == 1);
}

static void test_fds(void)
{
	const struct host_finding *f;
	uint64_t lim = draw(100, 100000);

	reset();
	C->fds.n = 1;
	C->fds.top[0].pid = 9;
	C->fds.top[0].limit = lim;
	C->fds.top[0].fds = (lim * 9 + 9) / 10 - 1;
	if (C->fds.top[0].fds * 100 < 90 * lim)
		CHECK(find(eval(), HF_FD_EXHAUSTION) == NULL);
	C->fds.top[0].fds = (lim * 9 + 9) / 10;
	f = find(eval(), HF_FD_EXHAUSTION);
	CHECK(f && f->where.pid == 9 && f->where.netns == 0);
	reset();
	both("filefd.maximum", 1000, 1000);
	both("filefd.allocated", 800, 950);
	f = find(eval(), HF_FD_EXHAUSTION);
	CHECK(f && f->where.pid < 0 && fabs(f->rate_per_s - 30) < 1e-9);
}

static void test_orphans_mem(void)
{
	reset();
	both("sysctl.tcp_max_orphans", 1000, 1000);
	both("sockstat.TCP.orphan", 0, 199);
	CHECK(find(eval(), HF_ORPHANS) == NULL);
	both("sockstat.TCP.orphan", 0, 200);   /* 20 %: netdata's warning */
	CHECK(find(eval(), HF_ORPHANS) != NULL);
	test_counter_rule(HF_TCP_MEMORY, "TcpExt.TCPMemoryPressures");
	test_counter_rule(HF_TCP_MEMORY, "TcpExt.TCPAbortOnMemory");
	reset();
	both("sysctl.tcp_mem_pressure", 5000, 5000);
	both("sockstat.TCP.mem", 10, 4999);
	CHECK(find(eval(), HF_TCP_MEMORY) == NULL);
	both("sockstat.TCP.mem", 10, 5000);
	CHECK(find(eval(), HF_TCP_MEMORY) != NULL);
}

static void test_closewait(void)
{
	const struct host_finding *f;
	unsigned pile = (unsigned)draw(16, 1000);

	reset();
	C->socks.ncwp = P->socks.ncwp = 1;
	C->socks.cw[0].pid = P->socks.cw[0].pid = 55;
	P->socks.cw[0].count = 10, C->socks.cw[0].count = 13;   /* grew by 3: below both */
	CHECK(find(eval(), HF_CLOSE_WAIT) == NULL);
	C->socks.cw[0].count = 14;                              /* grew by 4 */
	f = find(eval(), HF_CLOSE_WAIT);
	CHECK(f && f->count == 4 && f->where.pid == 55);
	P->socks.cw[0].count = C->socks.cw[0].count = pile;     /* a steady pile */
	f = find(eval(), HF_CLOSE_WAIT);
	CHECK(f && f->count == 0 && f->v[0].value == pile);
}

static void test_track(void)
{
	struct host_track *t = calloc(1, sizeof(*t));
	struct host_finding x;

	memset(&x, 0, sizeof(x));
	x.id = HF_ABORT_ON_DATA;
	x.where.pid = -1;
	x.state = HFS_HISTORY;
	host_track_interval(t, &x, 1);
	CHECK(x.state == HFS_HISTORY);
	x.state = HFS_NEW;
	host_track_interval(t, &x, 1);
	CHECK(x.state == HFS_NEW);
	x.state = HFS_NEW;
	host_track_interval(t, &x, 1);
	CHECK(x.state == HFS_ONGOING);
	host_track_interval(t, NULL, 0);
	x.state = HFS_NEW;
	host_track_interval(t, &x, 1);
	CHECK(x.state == HFS_NEW);
	CHECK_EQ_INT(host_track_current(t), 1);
	CHECK_EQ_INT(t->n, 2);
	free(t);
}

static void test_table(void)
{
	unsigned n;
	const struct host_rule *r = host_rules(&n);

	CHECK_EQ_INT(n, HF__COUNT);
	for (unsigned i = 0; i < n; i++) {
		CHECK(r[i].id == i && r[i].name && r[i].kernel_path && r[i].fix && r[i].eval);
		CHECK_EQ_STR(host_finding_name(r[i].id), r[i].name);
	}
	/* a quiet host: no finding at all */
	reset();
	both("TcpExt.ListenOverflows", 5, 5);
	both("vmstat.oom_kill", 0, 0);
	CHECK_EQ_INT(eval(), 0);
}

static void test_parsers(void)
{
	static struct ctrset s;
	uint64_t v;
	const char netstat[] = "TcpExt: SyncookiesSent ListenOverflows\nTcpExt: 0 17\n"
			       "IpExt: InNoRoutes\nIpExt: 3\n";
	const char snmp[] = "Tcp: RtoAlgorithm MaxConn OutRsts\nTcp: 1 -1 99\n";
	const char snmp6[] = "Ip6InReceives                   \t12\nUdp6InDatagrams 4\n";
	const char sockstat[] = "sockets: used 11\nTCP: inuse 1 orphan 2 tw 0 alloc 8 mem 35\n";
	const char ct[] = "entries  clashres found\n0000000a  00000001 00000002\n0000000a  00000003 00000004\n";
	const char filenr[] = "542\t0\t2470938\n";
	const char *const fn[] = { "filefd.allocated", NULL, "filefd.maximum" };

	ctrset_clear(&s);
	CHECK_EQ_INT(procnet_parse_pairs(netstat, strlen(netstat), &s), 3);
	CHECK(ctrset_get(&s, "TcpExt.ListenOverflows", &v) && v == 17);
	CHECK(procnet_parse_pairs(snmp, strlen(snmp), &s) == 2);   /* MaxConn -1 skipped */
	CHECK(ctrset_get(&s, "Tcp.OutRsts", &v) && v == 99);
	CHECK(procnet_parse_pairs("TcpExt: A B\nTcpExt: 1\n", 21, &s) < 0);
	CHECK(procnet_parse_pairs("TcpExt: A\nIpExt: 1\n", 19, &s) < 0);
	CHECK_EQ_INT(procnet_parse_snmp6(snmp6, strlen(snmp6), &s), 2);
	CHECK(ctrset_get(&s, "Ip6.InReceives", &v) && v == 12);
	CHECK_EQ_INT(procnet_parse_sockstat(sockstat, strlen(sockstat), "sockstat", &s), 6);
	CHECK(ctrset_get(&s, "sockstat.TCP.orphan", &v) && v == 2);
	CHECK(conntrack_parse_stat(ct, strlen(ct), &s) == 3);
	CHECK(ctrset_get(&s, "conntrack.entries", &v) && v == 10);
	CHECK(ctrset_get(&s, "conntrack.stat_found", &v) && v == 6);
	CHECK(conntrack_parse_stat("a b\n1 zz\n", 9, &s) < 0);
	CHECK_EQ_INT(procnet_parse_numbers(filenr, strlen(filenr), fn, 3, &s), 2);
	CHECK(ctrset_get(&s, "filefd.maximum", &v) && v == 2470938);
	/* the kernel log */
	struct kmsg_event ev;
	uint64_t seq, ts;
	const char *msg;
	size_t ml;
	const char rec[] = "3,812,90813223,-;Out of memory: Killed process 4242 (java) total-vm:1kB";
	CHECK(kmsg_parse_record(rec, strlen(rec), &seq, &ts, &msg, &ml) == 0 && seq == 812);
	CHECK(kmsg_classify(msg, ml, &ev) == 1 && ev.kind == KM_OOM_KILL && ev.pid == 4242 &&
	      !strcmp(ev.comm, "java"));
	const char info[] = "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,"
			    "oom_memcg=/a,task_memcg=/a/b,task=java,pid=4242,uid=0";
	CHECK(kmsg_classify(info, strlen(info), &ev) == 1 && ev.kind == KM_OOM_INFO &&
	      !strcmp(ev.cgroup, "/a/b"));
	const char syn[] = "TCP: request_sock_TCP: Possible SYN flooding on port [::]:8080. Sending cookies.";
	CHECK(kmsg_classify(syn, strlen(syn), &ev) == 1 && !strcmp(ev.port, "[::]:8080"));
	CHECK(kmsg_classify("hello", 5, &ev) == 0);
	CHECK(kmsg_parse_record("3,x,1,-;m", 9, &seq, &ts, &msg, &ml) < 0);
	/* cgroups */
	char path[192];
	uint8_t ver;
	const char pc[] = "9:name=systemd:/\n4:memory:/process_api/x\n0::/\n";
	CHECK(cgmem_parse_pid_cgroup(pc, strlen(pc), path, sizeof(path), &ver) && ver == 1 &&
	      !strcmp(path, "/process_api/x"));
	CHECK(cgmem_parse_pid_cgroup("0::/a.slice\n", 12, path, sizeof(path), &ver) && ver == 2 &&
	      !strcmp(path, "/a.slice"));
	struct cgmem_mounts m;
	const char mi[] = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
			  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
	CHECK(cgmem_parse_mountinfo(mi, strlen(mi), &m) == 0 && !strcmp(m.v1, "/sys/fs/cgroup/memory") &&
	      !strcmp(m.v2, "/sys/fs/cgroup/unified"));
	const char mi2[] = "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n";
	CHECK(cgmem_parse_mountinfo(mi2, strlen(mi2), &m) == 0 && !m.v1[0] && !strcmp(m.v2, "/sys/fs/cgroup"));
	uint64_t soft;
	const char lim[] = "Max cpu time  unlimited unlimited seconds\nMax open files            1024                 524288               files\n";
	CHECK(fds_parse_limits(lim, strlen(lim), &soft) == 0 && soft == 1024);
}

int main(void)
{
	unsigned seed = (unsigned)time(NULL);

	srand(seed);
	printf("host_findings: seed %u\n", seed);
	P = calloc(1, sizeof(*P));
	C = calloc(1, sizeof(*C));
	test_table();
	test_listen();
	test_syn();
	test_listen_drops_syn_side();
	test_initns_sysctls();
	test_conntrack();
	test_oom();
	test_fds();
	test_orphans_mem();
	test_closewait();
	test_counter_rule(HF_ABORT_ON_CLOSE, "TcpExt.TCPAbortOnClose");
	test_counter_rule(HF_ABORT_ON_DATA, "TcpExt.TCPAbortOnData");
	test_counter_rule(HF_ABORT_ON_LINGER, "TcpExt.TCPAbortOnLinger");
	test_counter_rule(HF_ABORT_ON_TIMEOUT, "TcpExt.TCPAbortOnTimeout");
	test_counter_rule(HF_TIME_WAIT, "TcpExt.TCPTimeWaitOverflow");
	test_track();
	test_parsers();
	free(P);
	free(C);
	return unit_done("host_findings");
}
