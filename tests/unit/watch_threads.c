/* watch_threads: a thread-per-connection server's thread closes its socket
 * with data unread and exits before its reset is read: the reset is still
 * owned by the server process, placed in its namespace and cgroup, when
 * the thread's creation (task_newtask, CLONE_THREAD) was seen, even when
 * the thread was gone before its creation was read, or when the thread
 * still lives. That holds whatever tgid the trace line prints: none
 * ("-------"), or a stale one (the kernel's saved-tgid map is global and
 * never cleared, so on a host whose pids wrapped it names the pid's earlier
 * owner: the thread id itself, or another process). A new process (no
 * CLONE_THREAD) is its own; a thread gone whose creation was not seen is
 * as the trace printed it, else the thread id. A pid reused (a thread's pid
 * as a new process, a process's as a thread) is the new task's. Pids,
 * comms, clone flags, the printed tgids and the order are drawn (seed
 * printed). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sources/procctx.h"
#include "sources/tracefs.h"
#include "fakeproc.h"
#include "unit.h"
#include "watch/join.h"

static char root[256];

static void put(const char *rel, const char *text)
{
	fp_put(root, rel, text);
}

static void mkproc(int pid, int tgid, const char *comm, const char *cgroup)
{
	char rel[512], text[256];

	snprintf(rel, sizeof(rel), "%s/%d", root, pid);
	mkdir(rel, 0755);
	snprintf(rel, sizeof(rel), "%d/status", pid);
	snprintf(text, sizeof(text), "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%d\nNgid:\t0\nPid:\t%d\n",
		 comm, tgid, pid);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%d/comm", pid);
	snprintf(text, sizeof(text), "%s\n", comm);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%d/cgroup", pid);
	snprintf(text, sizeof(text), "0::%s\n", cgroup);
	put(rel, text);
	snprintf(rel, sizeof(rel), "%s/%d/ns", root, pid);
	mkdir(rel, 0755);
	snprintf(rel, sizeof(rel), "%d/ns/net", pid);
	put(rel, "");
}

static void rmproc(int pid)
{
	static const char *const files[] = { "status", "comm", "cgroup", "ns/net", "ns", "" };
	char path[512];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%d/%s", root, pid, files[i]);
		if (remove(path))
			CHECK(0);
	}
}

static uint64_t netns_of(int pid)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%d/ns/net", root, pid);
	return stat(path, &st) ? 0 : (uint64_t)st.st_ino;
}

static void line(char *out, size_t size, const char *comm, int tid, const char *tgid,
		 const char *body)
{
	snprintf(out, size, " %s-%d (%s) [001] ...1. 500.000100: %s", comm, tid, tgid, body);
}

enum seen {
	SEEN_NONE,        /* the creation was never read; the thread gone at its reset */
	SEEN_NONE_LIVE,   /* never read; the thread still lives when its reset is read */
	SEEN_LIVE,        /* read while the thread lived */
	SEEN_GONE,        /* read after the thread exited; the trace names the creator's process */
	SEEN_GONE_NOTGID, /* read after it exited; the trace could not name the process */
	SEEN_PROCESS,     /* a new process, not a thread */
	SEEN__COUNT
};

/* The tgid a trace line prints for a task: none, a stale one of another
 * process (drawn), or the pid itself (it was a process's once). */
static const char *printed_tgid(char *tg, size_t size, int pid, int srv, int draw)
{
	if (draw == 0)
		return "-------";
	snprintf(tg, size, "%d", draw == 1 ? srv + 100001 + rand() % 50000 : pid);
	return tg;
}

/* One run: the server pid, a thread (or child process) of it, its reset;
 * the tgids printed on the creation line (cdraw, for the server) and the
 * reset line (rdraw, for the thread): 0 none, 1 another process, 2 the
 * task's own pid; the creation line's 3: the true one. */
static void run(int srv, int tid, const char *comm, enum seen seen, int cdraw, int rdraw)
{
	char buf[512], cg[64], tg[16], rtg[16];
	const char *rprinted;
	struct sockowner_opts oo = { .proc_root = root };
	struct sockowner *so = sockowner_new(&oo);
	struct join_ctx_cache *cc = calloc(1, sizeof(*cc));
	struct tfs_event ev;
	struct kernel_reset r;
	uint64_t ns, flags;
	bool thread = seen != SEEN_PROCESS;

	CHECK(so && cc);
	if (!so || !cc)
		return;
	snprintf(cg, sizeof(cg), "/lab.slice/srv-%d.scope", srv);
	mkproc(srv, srv, comm, cg);
	mkproc(tid, thread ? srv : tid, comm, cg);
	ns = netns_of(srv);
	if (seen == SEEN_GONE || seen == SEEN_GONE_NOTGID)
		rmproc(tid);   /* it exited before its creation was read */
	if (seen == SEEN_GONE_NOTGID && cdraw == 3)
		cdraw = 0;
	/* drawn other flags; CLONE_THREAD (0x10000) only for a thread */
	flags = ((uint64_t)rand() << 8 | (uint64_t)rand()) & ~(uint64_t)0x10000;
	if (thread)
		flags |= 0x10000;
	if (seen != SEEN_NONE && seen != SEEN_NONE_LIVE) {
		char body[200];

		snprintf(body, sizeof(body), "task_newtask: pid=%d comm=%s clone_flags=%llx oom_score_adj=%d",
			 tid, comm, (unsigned long long)flags, rand() % 2001 - 1000);
		snprintf(tg, sizeof(tg), "%d", srv);
		line(buf, sizeof(buf), comm, srv,
		     cdraw == 3 ? tg : printed_tgid(tg, sizeof(tg), srv, srv, cdraw), body);
		CHECK_EQ_INT(tfs_parse_line(buf, strlen(buf), &ev), TFS_LINE_EVENT);
		CHECK_EQ_INT(ev.kind, TFS_FORK);
		CHECK_EQ_INT(ev.parent_pid, srv);
		CHECK_EQ_INT(ev.child_pid, tid);
		CHECK(ev.thread == thread);
		join_on_fork(&ev, so, cc);
	}
	if (seen != SEEN_GONE && seen != SEEN_GONE_NOTGID && seen != SEEN_NONE_LIVE)
		rmproc(tid);   /* the thread closed its socket and exited */
	if (!thread && rdraw == 2)
		rdraw = 1;     /* a process's own pid is no stale tgid */
	rprinted = printed_tgid(rtg, sizeof(rtg), tid, srv, rdraw);
	line(buf, sizeof(buf), rdraw ? comm : "<...>", tid, rprinted,
	     "tcp_send_reset: skbaddr=0000000000000001 skaddr=0000000000000002 "
	     "src=10.99.2.2:80 dest=10.99.1.2:41000 state=TCP_CLOSE reason=TCP_ABORT_ON_CLOSE");
	CHECK_EQ_INT(tfs_parse_line(buf, strlen(buf), &ev), TFS_LINE_EVENT);
	CHECK_EQ_INT(ev.tgid, rdraw ? atoi(rprinted) : 0);
	join_reset_from_trace(&ev, 1000, so, cc, &r);
	CHECK(r.by_closer);
	if (seen != SEEN_NONE && seen != SEEN_PROCESS) {
		CHECK_EQ_INT(r.pid, srv);
		CHECK_EQ_INT(r.netns, ns);
		CHECK_EQ_STR(r.cgroup, cg);
		CHECK_EQ_STR(r.comm, comm);
		CHECK(!r.owner_gone);
	} else if (seen == SEEN_PROCESS || !rdraw) {
		CHECK_EQ_INT(r.pid, tid);   /* its own process, or nothing said more */
		CHECK(r.owner_gone);
	} else {
		CHECK_EQ_INT(r.pid, atoi(rprinted));   /* only the trace said */
	}
	if (seen == SEEN_NONE_LIVE)
		rmproc(tid);
	rmproc(srv);
	sockowner_free(so);
	free(cc);
}

/* A creation line of child by creator (printed tgid ptg, "-------" or a
 * number), read into cc. */
static void create(struct sockowner *so, struct join_ctx_cache *cc, int creator, const char *ptg,
		   int child, const char *comm, bool thread)
{
	char buf[512], body[200];
	struct tfs_event ev;

	snprintf(body, sizeof(body), "task_newtask: pid=%d comm=%s clone_flags=%x oom_score_adj=0",
		 child, comm, thread ? 0x3d0f00 : 0x1200011);
	line(buf, sizeof(buf), comm, creator, ptg, body);
	CHECK_EQ_INT(tfs_parse_line(buf, strlen(buf), &ev), TFS_LINE_EVENT);
	join_on_fork(&ev, so, cc);
}

/* A pid reused: pid p first a thread of process a (or a process of its
 * own), exits with a, then the pid is made again as the other kind (a
 * process of its own, or a thread of process b); a reset from p, gone,
 * whose line prints the earlier owner's tgid, is the new task's. */
static void reuse(int a, const char *comm, int thread_first)
{
	struct sockowner_opts oo = { .proc_root = root };
	struct sockowner *so = sockowner_new(&oo);
	struct join_ctx_cache *cc = calloc(1, sizeof(*cc));
	int p = a + 1 + rand() % 300, b = p + 1 + rand() % 300, want;
	char buf[512], tg[16], atg[16];
	struct tfs_event ev;
	struct kernel_reset r;

	CHECK(so && cc);
	if (!so || !cc)
		return;
	snprintf(atg, sizeof(atg), "%d", a);
	mkproc(a, a, comm, "/a.scope");
	if (thread_first)
		create(so, cc, a, atg, p, comm, true);
	else
		create(so, cc, a, atg, p, comm, false);
	rmproc(a);
	mkproc(b, b, comm, "/b.scope");
	snprintf(tg, sizeof(tg), "%d", b);
	if (thread_first) {
		create(so, cc, b, "-------", p, comm, false);   /* p is now a process */
		want = p;
		snprintf(tg, sizeof(tg), "%d", a);              /* the trace's stale tgid */
	} else {
		create(so, cc, b, tg, p, comm, true);           /* p is now b's thread */
		want = b;
		snprintf(tg, sizeof(tg), "%d", p);              /* it was a process */
	}
	line(buf, sizeof(buf), comm, p, tg,
	     "tcp_send_reset: skbaddr=0000000000000001 skaddr=0000000000000002 "
	     "src=10.99.2.2:80 dest=10.99.1.2:41001 state=TCP_CLOSE reason=TCP_ABORT_ON_CLOSE");
	CHECK_EQ_INT(tfs_parse_line(buf, strlen(buf), &ev), TFS_LINE_EVENT);
	join_reset_from_trace(&ev, 1000, so, cc, &r);
	CHECK_EQ_INT(r.pid, want);
	if (want == b)
		CHECK_EQ_STR(r.cgroup, "/b.scope");
	rmproc(b);
	sockowner_free(so);
	free(cc);
}

int main(void)
{
	static const char *const comms[] = { "python3", "java", "my server", "srv=x pid=1" };
	unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
	const char *env = getenv("SEED");

	if (env)
		seed = (unsigned)strtoul(env, NULL, 10);
	printf("watch_threads: SEED=%u\n", seed);
	srand(seed);
	snprintf(root, sizeof(root), "/tmp/rstscope-threads.XXXXXX");
	CHECK(mkdtemp(root) != NULL);
	for (int i = 0; i < 40; i++) {
		int srv = 1000 + rand() % 100000, tid = srv + 1 + rand() % 500;
		const char *comm = comms[rand() % 4];

		run(srv, tid, comm, (enum seen)(i % SEEN__COUNT), rand() % 4, rand() % 3);
	}
	for (int i = 0; i < 20; i++)
		reuse(1000 + rand() % 100000, comms[rand() % 4], rand() % 2);
	/* the creation line with a comm of spaces and '=' */
	{
		static const char l[] = " a b-7 (7) [000] ..... 1.0: task_newtask: pid=8 comm=x pid=3 "
					"clone_flags=1 y clone_flags=3d0f00 oom_score_adj=0";
		struct tfs_event ev;

		CHECK_EQ_INT(tfs_parse_line(l, strlen(l), &ev), TFS_LINE_EVENT);
		CHECK_EQ_INT(ev.parent_pid, 7);
		CHECK_EQ_INT(ev.child_pid, 8);
		CHECK(ev.thread);
		for (size_t n = 0; n < sizeof(l) - 1; n++) {
			char *cut = malloc(n ? n : 1);

			memcpy(cut, l, n);
			tfs_parse_line(cut, n, &ev);   /* never past n (ASan) */
			free(cut);
		}
	}
	rmdir(root);
	return unit_done("watch_threads");
}
