/* sampler: one host_sample from every source, live or from a recorded
 * snapshot directory (DIR/0, DIR/1, ...: proc/, sys/, kmsg, netlink/,
 * time). Each source says whether it was read, missing or refused. */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <stdio.h>
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

/* recorded netlink replies, written (--record) and read back (--replay) */
#define SAVE_MAX (4u << 20)

struct host_sampler {
	struct host_sampler_opts o;
	char proc[512], sys[512];
	unsigned next, replay_len;
	struct kmsg_src *kmsg;
	int kmsg_err;
	struct fds_scan fds;
	uint8_t *nl;              /* SAVE_MAX: netlink replies to record or replay */
	int record_err;
	int initns_fd[2];         /* tcp_mem, tcp_max_orphans opened in the initial netns */
	char buf[1 << 17];
};

static const char *const initns_rel[2] = { "sys/net/ipv4/tcp_mem", "sys/net/ipv4/tcp_max_orphans" };

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
	if ((o->replay_dir || o->save_dir) && !(s->nl = malloc(SAVE_MAX))) {
		fmt_buf(err, errsz, "out of memory");
		free(s);
		return NULL;
	}
	if (o->save_dir && mkdir(o->save_dir, 0755) && errno != EEXIST) {
		fmt_buf(err, errsz, "cannot create '%s': %s", o->save_dir, strerror(errno));
		free(s->nl);
		free(s);
		return NULL;
	}
	if (o->replay_dir) {
		s->replay_len = (unsigned)count_replay(o->replay_dir);
		if (!s->replay_len) {
			fmt_buf(err, errsz, "no snapshot '%s/0' to replay", o->replay_dir);
			free(s->nl);
			free(s);
			return NULL;
		}
		return s;
	}
	fmt_buf(s->proc, sizeof(s->proc), "%s", o->proc_root ? o->proc_root : "/proc");
	fmt_buf(s->sys, sizeof(s->sys), "%s", o->sys_root ? o->sys_root : "/sys");
	s->kmsg = kmsg_open(&s->kmsg_err);   /* before any privilege is dropped */
	if (!strcmp(s->proc, "/proc")) {
		const char *const paths[2] = { "/proc/sys/net/ipv4/tcp_mem", "/proc/sys/net/ipv4/tcp_max_orphans" };

		if (host_initns_open(paths, s->initns_fd, 2) < 0) {
			fmt_buf(err, errsz, "cannot return to this network namespace after reading the initial one's sysctls");
			host_sampler_free(s);
			return NULL;
		}
	}
	return s;
}

void host_sampler_free(struct host_sampler *s)
{
	if (!s)
		return;
	kmsg_close(s->kmsg);
	for (int i = 0; i < 2; i++)
		if (s->initns_fd[i] > 0)
			close(s->initns_fd[i]);
	free(s->nl);
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

/* Write len bytes to path (created or replaced). 0 or -errno. */
static int write_file(const char *path, const void *p, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), err = 0;

	if (fd < 0)
		return -errno;
	for (size_t off = 0; off < len;) {
		ssize_t n = write(fd, (const char *)p + off, len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (close(fd) && !err)
		err = -errno;
	return err;
}

/* --record: rel ("time", "netlink/sock_diag", ...) of this sample to
 * <save_dir>/<sample>/rel, the layout --replay reads; a failure is said
 * once per run and the run goes on. */
static void record(struct host_sampler *s, const char *rel, const void *p, size_t len)
{
	static const char *const sub[] = { "", "/netlink" };
	char path[700];
	int r = 0;

	for (size_t i = 0; i < 2 && !r; i++) {
		fmt_buf(path, sizeof(path), "%s/%u%s", s->o.save_dir, s->next - 1, sub[i]);
		if (mkdir(path, 0755) && errno != EEXIST)
			r = -errno;
	}
	if (!r) {
		fmt_buf(path, sizeof(path), "%s/%u/%s", s->o.save_dir, s->next - 1, rel);
		r = write_file(path, p, len);
	}
	if (r && !s->record_err) {
		s->record_err = r;
		warnx_("host: cannot record '%s': %s", path, strerror(-r));
	}
}

/* The replies without their NLMSG_DONE and acknowledgements (an
 * NLMSG_ERROR of 0): what is left is the replies proper, which the parsers
 * read to the end (a DONE in the middle would end them). Returns the new
 * length; a message cut short ends the walk. */
static size_t nl_replies_only(uint8_t *p, size_t len)
{
	size_t in = 0, out = 0;

	while (len - in >= NLMSG_HDRLEN) {
		struct nlmsghdr h;
		size_t step;
		int32_t e = 1;

		memcpy(&h, p + in, sizeof(h));
		if (h.nlmsg_len < NLMSG_HDRLEN || h.nlmsg_len > len - in)
			break;
		step = NLMSG_ALIGN(h.nlmsg_len) < len - in ? NLMSG_ALIGN(h.nlmsg_len) : len - in;
		if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_len >= NLMSG_HDRLEN + sizeof(e))
			memcpy(&e, p + in + NLMSG_HDRLEN, sizeof(e));
		if (h.nlmsg_type != NLMSG_DONE && !(h.nlmsg_type == NLMSG_ERROR && e == 0)) {
			memmove(p + out, p + in, step);
			out += step;
		}
		in += step;
	}
	return out;
}

static void read_files(struct host_sampler *s, const char *proc, struct host_sample *out)
{
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char path[700];
		long n;
		int r = -1;

		int ifd = -1;

		fmt_buf(path, sizeof(path), "%s/%s", proc, files[i].rel);
		for (int j = 0; j < 2; j++)
			if (!strcmp(files[i].rel, initns_rel[j]) && s->initns_fd[j] > 0)
				ifd = s->initns_fd[j];
		if (ifd > 0)   /* host-wide: read in the initial namespace */
			fmt_buf(path, sizeof(path), "%s/%s (initial network namespace)", proc, files[i].rel);
		n = ifd > 0 ? host_initns_read(ifd, s->buf, sizeof(s->buf)) : ctr_read_file(path, s->buf, sizeof(s->buf));
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
		n = ctr_read_file(np, (char *)s->nl, SAVE_MAX);
		if (n < 0) {
			status(out, HS_CONNTRACK_STAT, HSS_MISSING, path, "absent, and no recorded ctnetlink replies");
			return;
		}
		r = conntrack_parse_nl(s->nl, (size_t)n, &out->ctr, &e);
		status(out, HS_CONNTRACK_STAT, r < 0 ? HSS_ERROR : HSS_OK, np,
		       r < 0 ? "malformed ctnetlink replies" : "recorded ctnetlink replies");
		return;
	}
	size_t saved = 0;

	r = conntrack_query_nl(&out->ctr, s->nl, s->o.save_dir ? SAVE_MAX : 0, &saved);
	if (!r) {
		if (s->o.save_dir)
			record(s, "netlink/ctnetlink", s->nl, nl_replies_only(s->nl, saved));
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
		n = ctr_read_file(path, (char *)s->nl, SAVE_MAX);
		if (n >= 0) {
			r = sockdiag_parse(s->nl, (size_t)n, &out->socks);
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
		size_t saved = 0;

		r = sockdiag_dump(&out->socks, s->nl, s->o.save_dir ? SAVE_MAX : 0, &saved);
		if (!r && s->o.save_dir)
			record(s, "netlink/sock_diag", s->nl, nl_replies_only(s->nl, saved));
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
	if (s->o.save_dir) {
		char t[32];

		record(s, "time", t, fmt_buf(t, sizeof(t), "%.6f\n", (double)out->ts_ns / 1e9));
	}
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
