/* join: trace events -> kernel resets with their owners. */
#include "watch/join.h"

#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "sources/procctx.h"
#include "util/util.h"

int join_local_addrs(struct ipaddr *a, size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa))
		return -1;
	for (i = ifa; i && n < max; i = i->ifa_next) {
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
	return (int)n;
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

static const char *proc_root(const struct sockowner *so)
{
	return so ? sockowner_proc_root(so) : NULL;
}

static int tid_find(const struct join_ctx_cache *cc, int tid)
{
	if (!cc || tid <= 0)
		return -1;
	const struct join_tid *e = &cc->t[(unsigned)tid % JOIN_TID_SLOTS];

	return e->tid == tid ? e->tgid : -1;
}

/* tid belongs to tgid from now on (a new task on a reused pid replaces the
 * old one's entry) */
static void tid_note(struct join_ctx_cache *cc, int tid, int tgid)
{
	if (cc && tid > 0 && tgid > 0)
		cc->t[(unsigned)tid % JOIN_TID_SLOTS] = (struct join_tid){ tid, tgid };
}

/* The process of task tid: as learned when it was created (or first read),
 * else from the live task's status (kept), else as the trace printed it
 * (trace_tgid, 0 for none: the kernel's saved tgid, stale when the pid was
 * reused since); -1 when nothing says. */
static int tid_proc(int tid, int trace_tgid, const struct sockowner *so,
		    struct join_ctx_cache *cc)
{
	int tgid;

	if ((tgid = tid_find(cc, tid)) > 0)
		return tgid;
	if ((tgid = procctx_tgid(proc_root(so), tid)) > 0) {
		tid_note(cc, tid, tgid);
		return tgid;
	}
	return trace_tgid > 0 ? trace_tgid : -1;
}

/* The process of the task on the CPU (trace events name a thread); the
 * thread id itself when nothing says more. */
static int task_proc(const struct tfs_event *ev, const struct sockowner *so,
		     struct join_ctx_cache *cc)
{
	int tgid = tid_proc(ev->pid, ev->tgid, so, cc);

	return tgid > 0 ? tgid : ev->pid;
}

static void owner_of(const struct tfs_event *ev, int64_t wall_ns, struct sockowner *so,
		     struct join_ctx_cache *cc, struct kernel_reset *out)
{
	struct sock_key k;
	struct sock_owner own;

	memset(out, 0, sizeof(*out));
	out->dir = ev->kind == TFS_SEND_RESET ? KRESET_SENT : KRESET_RECEIVED;
	out->wall_ns = wall_ns;
	out->src = ev->src, out->dst = ev->dst;
	out->sport = ev->sport, out->dport = ev->dport;
	out->ipver = ev->ipver;
	fmt_buf(out->reason, sizeof(out->reason), "%s", ev->reason);
	if (ev->kind == TFS_SEND_RESET)
		fmt_buf(out->state, sizeof(out->state), "%s", ev->state);
	out->pid = -1;
	make_key(&k, &ev->src, ev->sport, &ev->dst, ev->dport);
	/* sent from the close() path: the task on the CPU is the closer; a
	 * kernel without reasons: any send in task context is the task's own */
	if (ev->kind == TFS_SEND_RESET && ev->task_context &&
	    (!ev->reason[0] || join_closer_reason(ev->reason))) {
		out->pid = task_proc(ev, so, cc);
		out->by_closer = true;
		fmt_buf(out->comm, sizeof(out->comm), "%s", ev->comm);
		/* a thread gone unnamed: the process that held the socket */
		if (out->pid == ev->pid && so && join_pid_gone(proc_root(so), out->pid) &&
		    sockowner_lookup(so, &k, wall_ns, &own) && own.pid > 0) {
			out->pid = own.pid;
			fmt_buf(out->comm, sizeof(out->comm), "%s", own.comm);
		}
		fresh_comm(so, out->pid, out->comm, sizeof(out->comm));
		if (so)
			sockowner_note(so, &k, out->pid, ev->comm, wall_ns);
		return;
	}
	if (so && (ev->kind == TFS_RECV_RESET || ev->skaddr || ev->dport == 0) &&
	    sockowner_lookup(so, &k, wall_ns, &own)) {
		out->pid = own.pid;
		out->netns = own.netns;
		fmt_buf(out->comm, sizeof(out->comm), "%s", own.comm);
	}
}

#define JOIN_NETS_MIN_NS (1000LL * 1000000)

/* 127.0.0.0/8 and ::1: every namespace has them. */
static bool everywhere(const struct ipaddr *a)
{
	static const uint8_t v6lo[16] = { [15] = 1 };

	return (ipaddr_is_v4(a) && a->b[12] == 127) || !memcmp(a->b, v6lo, 16);
}

static struct procctx *cache_find(struct join_ctx_cache *cc, int pid)
{
	for (unsigned i = 0; cc && i < JOIN_CTX_SLOTS; i++)
		if (cc->e[i].pid == pid && pid > 0)
			return &cc->e[i].c;
	return NULL;
}

/* Remember where pid lives, read now (once per pid while it is cached). */
static void cache_note(struct join_ctx_cache *cc, const struct sockowner *so, int pid)
{
	struct procctx c;

	if (!cc || pid <= 0 || cache_find(cc, pid))
		return;
	if (!procctx_of(so ? sockowner_proc_root(so) : NULL, pid, &c))
		return;
	cc->e[cc->next].pid = pid;
	cc->e[cc->next].c = c;
	cc->next = (cc->next + 1) % JOIN_CTX_SLOTS;
}

bool join_on_state(const struct tfs_event *ev, struct sockowner *so, struct join_ctx_cache *cc,
		   int64_t now_ns)
{
	struct sock_key k;

	if (ev->kind != TFS_SET_STATE || !so)
		return false;
	if (ev->task_context && !strcmp(ev->state, "TCP_LISTEN"))
		cache_note(cc, so, task_proc(ev, so, cc));  /* a server placed when it starts listening */
	if (!ev->sport || !ev->dport)
		return false;
	if (ev->task_context) {
		/* connect(), close(), shutdown(): the task acts on its socket */
		char comm[17];
		int pid = task_proc(ev, so, cc);

		fmt_buf(comm, sizeof(comm), "%s", ev->comm);
		fresh_comm(so, pid, comm, sizeof(comm));
		make_key(&k, &ev->src, ev->sport, &ev->dst, ev->dport);
		sockowner_note(so, &k, pid, comm, now_ns);
		cache_note(cc, so, pid);
		return false;
	}
	/* a passive open completed in softirq: the owner accepts it later */
	return !strcmp(ev->state, "TCP_ESTABLISHED") && !strcmp(ev->oldstate, "TCP_SYN_RECV");
}

void join_on_fork(const struct tfs_event *ev, const struct sockowner *so,
		  struct join_ctx_cache *cc)
{
	int tgid;

	if (ev->kind != TFS_FORK || !cc || ev->child_pid <= 0)
		return;
	if (!ev->thread) {
		tid_note(cc, ev->child_pid, ev->child_pid);   /* a process of its own */
		return;
	}
	/* a thread: its creator's process (the event's task is the creator),
	 * else the thread's own status while it lives */
	tgid = tid_proc(ev->parent_pid, ev->tgid, so, cc);
	if (tgid <= 0)
		tgid = procctx_tgid(proc_root(so), ev->child_pid);
	if (tgid <= 0 || tgid == ev->child_pid)
		return;
	tid_note(cc, ev->child_pid, tgid);
	cache_note(cc, so, tgid);
}

bool join_pid_gone(const char *proc_root, int pid)
{
	char path[512];
	struct stat st;

	if (pid <= 0)
		return false;
	if (!proc_root)
		proc_root = "/proc";
	if (stat(proc_root, &st))   /* no /proc to ask (a replay without one) */
		return false;
	fmt_buf(path, sizeof(path), "%s/%d", proc_root, pid);
	return stat(path, &st) && errno == ENOENT;
}

void join_reset_from_trace(const struct tfs_event *ev, int64_t wall_ns, struct sockowner *so,
			   struct join_ctx_cache *cc, struct kernel_reset *out)
{
	struct procctx now, *pc = NULL;

	owner_of(ev, wall_ns, so, cc, out);
	/* the owner's namespace and cgroup: read now, else as last seen */
	if (out->pid >= 0) {
		if (procctx_of(so ? sockowner_proc_root(so) : NULL, out->pid, &now) && now.netns)
			pc = &now;
		else
			pc = cache_find(cc, out->pid);
	}
	if (out->pid >= 0)
		out->owner_gone = join_pid_gone(so ? sockowner_proc_root(so) : NULL, out->pid);
	if (pc) {
		out->netns = pc->netns;
		fmt_buf(out->cgroup, sizeof(out->cgroup), "%s", pc->cgroup);
		fmt_buf(out->container, sizeof(out->container), "%s", pc->container);
	}
	/* no process to ask (NO_SOCKET, a time-wait socket): the namespace
	 * that holds the address the reset came from */
	if (!out->netns && cc && cc->nets && !everywhere(&out->src)) {
		out->netns = netns_of_addr(cc->nets, &out->src);
		/* a namespace made since the last look: look again, once a second */
		if (!out->netns && wall_ns - cc->nets_read_ns >= JOIN_NETS_MIN_NS) {
			cc->nets_read_ns = wall_ns;
			netns_refresh(cc->nets);
			out->netns = netns_of_addr(cc->nets, &out->src);
		}
	}
}
