/* sampler: one host_sample from every source, live or from a recorded
 * snapshot directory (DIR/0, DIR/1, ...: proc/, sys/, kmsg, netlink/,
 * time). Each source says whether it was read, missing or refused. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host/host.h"
#include "sources/conntrack.h"
#include "sources/procnet.h"
#include "util/cursor.h"
#include "util/util.h"

#define SAVE_MAX (4u << 20)

struct host_sampler {
	struct host_sampler_opts o;
	char proc[512], sys[512];
	unsigned next, replay_len;
	struct kmsg_src *kmsg;
	int kmsg_err;
	struct fds_scan fds;
	char buf[1 << 17];
};

enum parse { P_PAIRS, P_SNMP6, P_SOCKSTAT, P_KV, P_NUMBERS };

static const char *const n_filenr[] = { "filefd.allocated", NULL, "filefd.maximum" };
static const char *const n_tcpmem[] = { "sysctl.tcp_mem_min", "sysctl.tcp_mem_pressure", "sysctl.tcp_mem_max" };
static const char *const n_orphans[] = { "sysctl.tcp_max_orphans" };
static const char *const n_ctcount[] = { "conntrack.entries" };
static const char *const n_ctmax[] = { "conntrack.entries_limit" };

static const struct {
	enum host_source_id id;
	const char *rel;          /* below the proc root */
	enum parse how;
	const char *prefix;
	const char *const *names;
	unsigned n;
} files[] = {
	{ HS_NETSTAT, "net/netstat", P_PAIRS, NULL, NULL, 0 },
	{ HS_SNMP, "net/snmp", P_PAIRS, NULL, NULL, 0 },
	{ HS_SNMP6, "net/snmp6", P_SNMP6, NULL, NULL, 0 },
	{ HS_SOCKSTAT, "net/sockstat", P_SOCKSTAT, "sockstat", NULL, 0 },
	{ HS_SOCKSTAT6, "net/sockstat6", P_SOCKSTAT, "sockstat6", NULL, 0 },
	{ HS_VMSTAT, "vmstat", P_KV, "vmstat", NULL, 0 },
	{ HS_FILE_NR, "sys/fs/file-nr", P_NUMBERS, NULL, n_filenr, 3 },
	{ HS_TCP_SYSCTL, "sys/net/ipv4/tcp_mem", P_NUMBERS, NULL, n_tcpmem, 3 },
	{ HS_TCP_SYSCTL, "sys/net/ipv4/tcp_max_orphans", P_NUMBERS, NULL, n_orphans, 1 },
	{ HS_CONNTRACK_COUNT, "sys/net/netfilter/nf_conntrack_count", P_NUMBERS, NULL, n_ctcount, 1 },
	{ HS_CONNTRACK_COUNT, "sys/net/netfilter/nf_conntrack_max", P_NUMBERS, NULL, n_ctmax, 1 },
};

static const char *const source_names[HS__COUNT] = {
	[HS_NETSTAT] = "netstat", [HS_SNMP] = "snmp", [HS_SNMP6] = "snmp6",
	[HS_SOCKSTAT] = "sockstat", [HS_SOCKSTAT6] = "sockstat6", [HS_VMSTAT] = "vmstat",
	[HS_FILE_NR] = "file-nr", [HS_TCP_SYSCTL] = "tcp-sysctl",
	[HS_CONNTRACK_COUNT] = "conntrack-count", [HS_CONNTRACK_STAT] = "conntrack-stat",
	[HS_CGROUP_MEMORY] = "cgroup-memory", [HS_KMSG] = "kmsg",
	[HS_PROCESS_FDS] = "process-fds", [HS_SOCK_DIAG] = "sock-diag",
};

const char *host_source_name(enum host_source_id id)
{
	return (unsigned)id < HS__COUNT ? source_names[id] : "?";
}

const char *host_source_state_name(enum host_source_state st)
{
	static const char *const n[] = { "ok", "missing", "needs-rights", "partial", "error" };

	return (unsigned)st < 5 ? n[st] : "?";
}

static enum host_source_state state_of(long err)
{
	return err == -ENOENT || err == -ENOTDIR ? HSS_MISSING :
	       err == -EACCES || err == -EPERM ? HSS_NO_RIGHTS : HSS_ERROR;
}

/* A source made of several files takes the worst state of them. */
static void status(struct host_sample *s, enum host_source_id id, enum host_source_state st,
		   const char *where, const char *detail)
{
	struct host_source_status *x = &s->src[id];

	if (x->where[0] && st <= x->state)
		return;
	x->state = st;
	fmt_buf(x->where, sizeof(x->where), "%s", where);
	fmt_buf(x->detail, sizeof(x->detail), "%s", detail ? detail : "");
}

static int count_replay(const char *dir)
{
	unsigned n = 0;

	for (; n < 100000; n++) {
		char p[600];
		struct stat st;

		fmt_buf(p, sizeof(p), "%s/%u", dir, n);
		if (stat(p, &st) || !S_ISDIR(st.st_mode))
			break;
	}
	return (int)n;
}

struct host_sampler *host_sampler_new(const struct host_sampler_opts *o, char *err, size_t errsz)
{
	struct host_sampler *s = calloc(1, sizeof(*s));

	if (!s) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	s->o = *o;
	if (!s->o.max_procs)
		s->o.max_procs = 1024;
	if (o->replay_dir) {
		s->replay_len = (unsigned)count_replay(o->replay_dir);
		if (!s->replay_len) {
			fmt_buf(err, errsz, "no snapshot '%s/0' to replay", o->replay_dir);
			free(s);
			return NULL;
		}
		return s;
	}
	fmt_buf(s->proc, sizeof(s->proc), "%s", o->proc_root ? o->proc_root : "/proc");
	fmt_buf(s->sys, sizeof(s->sys), "%s", o->sys_root ? o->sys_root : "/sys");
	s->kmsg = kmsg_open(&s->kmsg_err);   /* before any privilege is dropped */
	return s;
}

void host_sampler_free(struct host_sampler *s)
{
	if (!s)
		return;
	kmsg_close(s->kmsg);
	free(s);
}

unsigned host_sampler_replay_len(const struct host_sampler *s)
{
	return s->replay_len;
}

static int64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static uint64_t netns_of(const char *proc)
{
	char p[600], link[64];
	ssize_t n;
	struct cur c;
	uint64_t ino;

	fmt_buf(p, sizeof(p), "%s/self/ns/net", proc);
	n = readlink(p, link, sizeof(link) - 1);
	if (n <= 0)
		return 0;
	c = cur_make(link, (size_t)n);
	if (!cur_lit(&c, "net:[") || cur_u64(&c, &ino) || !cur_char(&c, ']'))
		return 0;
	return ino;
}

static void read_files(struct host_sampler *s, const char *proc, struct host_sample *out)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[700];
		long n;
		int r = -1;

		fmt_buf(path, sizeof(path), "%s/%s", proc, files[i].rel);
		n = ctr_read_file(path, s->buf, sizeof(s->buf));
		if (n < 0) {
			status(out, files[i].id, state_of(n), path, strerror((int)-n));
			continue;
		}
		switch (files[i].how) {
		case P_PAIRS: r = procnet_parse_pairs(s->buf, (size_t)n, &out->ctr); break;
		case P_SNMP6: r = procnet_parse_snmp6(s->buf, (size_t)n, &out->ctr); break;
		case P_SOCKSTAT: r = procnet_parse_sockstat(s->buf, (size_t)n, files[i].prefix, &out->ctr); break;
		case P_KV: r = procnet_parse_kv(s->buf, (size_t)n, files[i].prefix, &out->ctr); break;
		case P_NUMBERS:
			r = procnet_parse_numbers(s->buf, (size_t)n, files[i].names, files[i].n, &out->ctr);
			break;
		}
		status(out, files[i].id, r < 0 ? HSS_ERROR : HSS_OK, path, r < 0 ? "not in the expected format" : NULL);
	}
}

static void read_conntrack(struct host_sampler *s, const char *proc, const char *snap,
			   struct host_sample *out)
{
	char path[700];
	long n;
	int e, r;

	fmt_buf(path, sizeof(path), "%s/net/stat/nf_conntrack", proc);
	n = ctr_read_file(path, s->buf, sizeof(s->buf));
	if (n >= 0) {
		r = conntrack_parse_stat(s->buf, (size_t)n, &out->ctr);
		status(out, HS_CONNTRACK_STAT, r < 0 ? HSS_ERROR : HSS_OK, path,
		       r < 0 ? "not in the expected format" : NULL);
		return;
	}
	if (snap) {   /* a replay: the recorded ctnetlink replies, if any */
		char np[700];

		fmt_buf(np, sizeof(np), "%s/netlink/ctnetlink", snap);
		n = ctr_read_file(np, s->buf, sizeof(s->buf));
		if (n < 0) {
			status(out, HS_CONNTRACK_STAT, HSS_MISSING, path, "absent, and no recorded ctnetlink replies");
			return;
		}
		r = conntrack_parse_nl((const uint8_t *)s->buf, (size_t)n, &out->ctr, &e);
		status(out, HS_CONNTRACK_STAT, r < 0 ? HSS_ERROR : HSS_OK, np,
		       r < 0 ? "malformed ctnetlink replies" : "recorded ctnetlink replies");
		return;
	}
	r = conntrack_query_nl(&out->ctr, NULL, 0, NULL);
	if (!r) {
		status(out, HS_CONNTRACK_STAT, HSS_OK, "ctnetlink", "/proc/net/stat/nf_conntrack absent: read over ctnetlink");
	} else {
		char d[200];

		fmt_buf(d, sizeof(d), "/proc/net/stat/nf_conntrack absent; ctnetlink: %s%s", strerror(-r),
			r == -EPERM ? " (needs CAP_NET_ADMIN)" : "");
		status(out, HS_CONNTRACK_STAT, r == -EPERM ? HSS_NO_RIGHTS : HSS_MISSING, "ctnetlink", d);
	}
}

static void read_cgroups(const char *proc, const char *sys, struct host_sample *out)
{
	static char mi[1 << 18];
	char path[700], d[200];
	struct cgmem_mounts m;
	long n;
	int r;

	fmt_buf(path, sizeof(path), "%s/self/mountinfo", proc);
	n = ctr_read_file(path, mi, sizeof(mi));
	if (n < 0 && n != -EFBIG) {
		status(out, HS_CGROUP_MEMORY, state_of(n), path, strerror((int)-n));
		return;
	}
	if (cgmem_parse_mountinfo(mi, strlen(mi), &m)) {
		status(out, HS_CGROUP_MEMORY, HSS_MISSING, path, "no cgroup v1 memory or cgroup2 mount");
		return;
	}
	r = cgmem_scan(&m, sys, &out->cg);
	fmt_buf(d, sizeof(d), "%s%s%s%s: %u cgroups with memory files%s", m.v1[0] ? "v1 memory at " : "", m.v1,
		m.v1[0] && m.v2[0] ? ", v2 at " : m.v2[0] ? "v2 at " : "", m.v2, out->cg.n,
		out->cg.truncated ? " (more not read: the cap)" : "");
	status(out, HS_CGROUP_MEMORY, r < 0 ? HSS_MISSING : out->cg.truncated ? HSS_PARTIAL : HSS_OK,
	       m.v1[0] ? m.v1 : m.v2, d);
}

static void read_kmsg(struct host_sampler *s, const char *snap, struct host_sample *out)
{
	char path[700], d[200];
	int r;

	if (snap) {
		fmt_buf(path, sizeof(path), "%s/kmsg", snap);
		r = kmsg_read_file(path, &out->km);
		status(out, HS_KMSG, r ? state_of(r) : HSS_OK, path, r ? strerror(-r) : "recorded records");
		return;
	}
	if (!s->kmsg) {
		fmt_buf(d, sizeof(d), "%s%s", strerror(-s->kmsg_err),
			s->kmsg_err == -EACCES || s->kmsg_err == -EPERM ? " (needs root or CAP_SYSLOG)" : "");
		status(out, HS_KMSG, state_of(s->kmsg_err), "/dev/kmsg", d);
		return;
	}
	r = kmsg_read(s->kmsg, &out->km);
	fmt_buf(d, sizeof(d), "records newer than the start, at most %d per sample%s", KMSG_PER_SAMPLE,
		out->km.lost ? "; some were overwritten before they were read" : "");
	status(out, HS_KMSG, r ? state_of(r) : HSS_OK, "/dev/kmsg", r ? strerror(-r) : d);
}

static void fill_cgroups(const char *proc, struct host_sample *out)
{
	for (unsigned i = 0; i < out->fds.n; i++)
		cgmem_of_pid(proc, out->fds.top[i].pid, out->fds.top[i].cgroup,
			     sizeof(out->fds.top[i].cgroup), &out->fds.top[i].cgroup_version);
	for (unsigned i = 0; i < out->socks.nl; i++)
		if (out->socks.l[i].pid > 0)
			cgmem_of_pid(proc, out->socks.l[i].pid, out->socks.l[i].cgroup,
				     sizeof(out->socks.l[i].cgroup), &out->socks.l[i].cgroup_version);
	for (unsigned i = 0; i < out->socks.ncwp; i++)
		if (out->socks.cw[i].pid > 0)
			cgmem_of_pid(proc, out->socks.cw[i].pid, out->socks.cw[i].cgroup,
				     sizeof(out->socks.cw[i].cgroup), &out->socks.cw[i].cgroup_version);
}

static void read_fds(struct host_sampler *s, const char *proc, struct host_sample *out)
{
	char d[200];
	int r = fds_scan_run(&s->fds, proc, s->o.max_procs, &out->fds);

	if (r) {
		status(out, HS_PROCESS_FDS, state_of(r), proc, strerror(-r));
		return;
	}
	fmt_buf(d, sizeof(d), "%u of %u processes scanned this sample%s%s; %u unreadable%s",
		out->fds.scanned, out->fds.procs, out->fds.partial ? " (the cap: a rotating window, " : "",
		out->fds.partial ? "the rest in later samples)" : "", out->fds.unreadable,
		out->fds.unreadable && geteuid() ? " (other users' processes need root)" : "");
	status(out, HS_PROCESS_FDS, out->fds.partial ? HSS_PARTIAL : HSS_OK, proc, d);
}

static void read_socks(struct host_sampler *s, const char *proc, const char *snap, struct host_sample *out)
{
	char path[700], d[200];
	long n;
	int r;

	if (snap) {
		fmt_buf(path, sizeof(path), "%s/netlink/sock_diag", snap);
		n = ctr_read_file(path, s->buf, sizeof(s->buf));
		if (n >= 0) {
			r = sockdiag_parse((const uint8_t *)s->buf, (size_t)n, &out->socks);
			status(out, HS_SOCK_DIAG, r < 0 ? HSS_ERROR : HSS_OK, path, r < 0 ? "malformed replies" : "recorded replies");
		} else {
			bool any = false;

			for (int v6 = 0; v6 < 2; v6++) {
				fmt_buf(path, sizeof(path), "%s/net/tcp%s", proc, v6 ? "6" : "");
				n = ctr_read_file(path, s->buf, sizeof(s->buf));
				if (n >= 0 || n == -EFBIG)
					any |= socklist_parse_proc_tcp(s->buf, strlen(s->buf), &out->socks) >= 0;
			}
			status(out, HS_SOCK_DIAG, any ? HSS_PARTIAL : HSS_MISSING, path,
			       any ? "no recorded replies: proc/net/tcp* (listener backlogs unknown)" : "no recorded replies, no net/tcp");
		}
	} else {
		r = sockdiag_dump(&out->socks, NULL, 0, NULL);
		status(out, HS_SOCK_DIAG, r ? state_of(r) : HSS_OK, "netlink sock_diag", r ? strerror(-r) : "LISTEN and CLOSE_WAIT sockets");
	}
	socklist_owners(&out->socks, proc, s->o.max_procs);
	if (out->socks.unowned || out->socks.truncated) {
		struct host_source_status *x = &out->src[HS_SOCK_DIAG];

		fmt_buf(d, sizeof(d), "%s; %u CLOSE_WAIT sockets without a known owner%s", x->detail,
			out->socks.unowned, out->socks.truncated ? "; more sockets than the caps" : "");
		fmt_buf(x->detail, sizeof(x->detail), "%s", d);
	}
}

int host_sampler_take(struct host_sampler *s, struct host_sample *out)
{
	char snap[600], proc[700], sys[700];
	const char *psnap = NULL;

	memset(out->src, 0, sizeof(out->src));
	ctrset_clear(&out->ctr);
	memset(&out->km, 0, sizeof(out->km));
	memset(&out->socks, 0, offsetof(struct socklist, l));
	out->socks.ncwp = 0;
	out->cg.n = 0;
	out->ts_ns = wall_ns();
	if (s->o.replay_dir) {
		long n;

		if (s->next >= s->replay_len)
			return 1;
		fmt_buf(snap, sizeof(snap), "%s/%u", s->o.replay_dir, s->next);
		fmt_buf(proc, sizeof(proc), "%s/proc", snap);
		fmt_buf(sys, sizeof(sys), "%s/sys", snap);
		psnap = snap;
		/* the recorded time makes replayed rates exact */
		fmt_buf(sys, sizeof(sys), "%s/time", snap);
		n = ctr_read_file(sys, s->buf, sizeof(s->buf));
		if (n > 0) {
			double t;
			s->buf[strcspn(s->buf, "\n")] = '\0';
			if (!parse_seconds(s->buf, 1e11, &t))
				out->ts_ns = (int64_t)(t * 1e9);
		}
		fmt_buf(sys, sizeof(sys), "%s/sys", snap);
	} else {
		fmt_buf(proc, sizeof(proc), "%s", s->proc);
		fmt_buf(sys, sizeof(sys), "%s", s->sys);
	}
	s->next++;
	out->netns = netns_of(proc);
	read_files(s, proc, out);
	read_conntrack(s, proc, psnap, out);
	read_cgroups(proc, sys, out);
	read_kmsg(s, psnap, out);
	read_fds(s, proc, out);
	read_socks(s, proc, psnap, out);
	fill_cgroups(proc, out);
	return 0;
}
