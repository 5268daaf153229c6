/* tracefs: rstscope's own tracefs instance (or a recorded replay directory)
 * read as a stream of reset and socket-state events. */
#include "sources/tracefs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/util.h"

#define TFS_LINE_MAX 4096
#define TFS_BUF (64 * 1024)
#define TFS_MAX_CPUS 512

static const char *const event_path[TFS__COUNT] = {
	"tcp/tcp_send_reset", "tcp/tcp_receive_reset", "sock/inet_sock_set_state",
	"task/task_newtask",
};

struct tracefs {
	bool replay;
	char inst[256];            /* instance dir; "" in replay */
	int pipe_fd;
	bool eof;
	int64_t offset_ns;         /* wall - trace clock */
	clockid_t clock;
	struct tfs_format fmt[TFS__COUNT];
	struct tracefs_stats st;
	int stats_fd[TFS_MAX_CPUS];
	int ncpu_fd;
	pid_t guard;
	/* carry of a partial line between reads */
	char line[TFS_LINE_MAX];
	size_t line_len;
	bool line_skip;            /* dropping the rest of an overlong line */
	char buf[TFS_BUF];
};

/* Read a whole small file into buf (NUL-terminated). Length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t size)
{
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (got + 1 < size) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

static int write_str(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		rc = -1;
	if (close(fd))
		rc = -1;
	return rc;
}

static int load_formats(struct tracefs *t, const char *base, char *err, size_t errsz)
{
	static char text[32768];

	for (int k = 0; k < TFS__COUNT; k++) {
		char path[512];

		fmt_buf(path, sizeof(path), "%s/events/%s/format", base, event_path[k]);
		if (read_small(path, text, sizeof(text)) < 0 ||
		    tfs_parse_format(text, strlen(text), &t->fmt[k])) {
			if (k == TFS_SEND_RESET) {
				fmt_buf(err, errsz, "cannot read event format '%s': %s", path,
					strerror(errno ? errno : EINVAL));
				return -1;
			}
			memset(&t->fmt[k], 0, sizeof(t->fmt[k]));
		}
	}
	return 0;
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void measure_offset(struct tracefs *t)
{
	int64_t a = clock_ns(CLOCK_REALTIME), m = clock_ns(t->clock), b = clock_ns(CLOCK_REALTIME);

	t->offset_ns = a + (b - a) / 2 - m;
}

static struct tracefs *alloc_tracefs(void)
{
	struct tracefs *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->pipe_fd = -1;
	t->guard = -1;
	for (int i = 0; i < TFS_MAX_CPUS; i++)
		t->stats_fd[i] = -1;
	return t;
}

static struct tracefs *open_replay(const char *dir, char *err, size_t errsz)
{
	struct tracefs *t = alloc_tracefs();
	char path[512], clk[128];
	long long off = 0;

	if (!t) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	t->replay = true;
	if (load_formats(t, dir, err, errsz))
		goto fail;
	fmt_buf(path, sizeof(path), "%s/clock", dir);
	if (read_small(path, clk, sizeof(clk)) > 0 && sscanf(clk, "boot %lld", &off) == 1)
		t->offset_ns = off;
	fmt_buf(path, sizeof(path), "%s/trace", dir);
	t->pipe_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->pipe_fd < 0) {
		fmt_buf(err, errsz, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	return t;
fail:
	tracefs_close(t);
	return NULL;
}

/* How long process pid has run, in ns (now on CLOCK_BOOTTIME less field 22
 * of /proc/PID/stat, its start in clock ticks since boot); -1 when it is
 * gone or a zombie, -2 when /proc cannot tell. */
static int64_t proc_age_ns(long pid)
{
	char path[64], buf[1024];
	const char *p;
	unsigned long long ticks;
	long hz = sysconf(_SC_CLK_TCK);

	fmt_buf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return errno == ENOENT || errno == ESRCH ? -1 : -2;
	/* the comm may hold spaces and parentheses: fields follow the last ')' */
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ' || hz <= 0)
		return -2;
	if (p[2] == 'Z' || p[2] == 'X')
		return -1;
	p += 2;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return -2;
		p++;
	}
	if (sscanf(p, "%llu", &ticks) != 1)
		return -2;
	return clock_ns(CLOCK_BOOTTIME) - (int64_t)(ticks * (1000000000ull / (unsigned long)hz));
}

/* Does the instance "rstscope-<pid>" made at made_ns (its directory's mtime,
 * CLOCK_REALTIME) still belong to a live rstscope? Its pid must run an
 * rstscope binary that is older than the instance (a second of slack for
 * clock steps); a pid reused by another program, or by a later rstscope,
 * owns nothing. Whatever /proc cannot tell is taken as alive. */
static bool owner_alive(long pid, int64_t made_ns)
{
	char path[64], exe[512];
	const char *base;
	ssize_t n;
	int64_t age;

	if (kill((pid_t)pid, 0) && errno != EPERM)
		return false;
	age = proc_age_ns(pid);
	if (age == -1)
		return false;
	if (age >= 0 && age + 1000000000LL < clock_ns(CLOCK_REALTIME) - made_ns)
		return false;
	fmt_buf(path, sizeof(path), "/proc/%ld/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		return errno != ENOENT;   /* EACCES: not ours to tell */
	exe[n] = '\0';
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return !strncmp(base, "rstscope", 8);
}

int tracefs_remove_stale(const char *mount)
{
	char path[512];
	struct dirent *d;
	DIR *dir;
	int removed = 0;

	fmt_buf(path, sizeof(path), "%s/instances", mount);
	dir = opendir(path);
	if (!dir)
		return 0;
	while ((d = readdir(dir))) {
		uint64_t pid;
		struct stat sb;

		if (strncmp(d->d_name, "rstscope-", 9) ||
		    parse_u64_range(d->d_name + 9, 1, 1u << 30, &pid) || (pid_t)pid == getpid())
			continue;
		fmt_buf(path, sizeof(path), "%s/instances/%s", mount, d->d_name);
		if (stat(path, &sb) ||
		    owner_alive((long)pid, (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec))
			continue;
		/* stop the events first: a ring that still records holds no reader */
		fmt_buf(path, sizeof(path), "%s/instances/%s/tracing_on", mount, d->d_name);
		write_str(path, "0");
		fmt_buf(path, sizeof(path), "%s/instances/%s", mount, d->d_name);
		if (!rmdir(path)) {
			removed++;
			warnx_("removed the tracefs instance '%s' of a dead rstscope (pid %lu)", path,
			       (unsigned long)pid);
		} else {
			warnx_("cannot remove the tracefs instance '%s' of a dead rstscope (pid %lu): %s",
			       path, (unsigned long)pid, strerror(errno));
		}
	}
	closedir(dir);
	return removed;
}

static int open_stats(struct tracefs *t)
{
	char path[512];

	for (int cpu = 0; cpu < TFS_MAX_CPUS; cpu++) {
		fmt_buf(path, sizeof(path), "%s/per_cpu/cpu%d/stats", t->inst, cpu);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			break;
		t->stats_fd[t->ncpu_fd++] = fd;
	}
	return t->ncpu_fd;
}

static const char *find_mount(const char *want, bool *no_rights)
{
	static const char *const cand[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char path[512];

	if (want)
		return want;
	for (size_t i = 0; i < 2; i++) {
		fmt_buf(path, sizeof(path), "%s/instances", cand[i]);
		/* the effective rights: access() would judge by the real uid only
		 * and ignore capabilities (CAP_DAC_OVERRIDE) */
		if (!faccessat(AT_FDCWD, path, F_OK, AT_EACCESS))
			return cand[i];
	}
	if (mount("nodev", cand[0], "tracefs", 0, NULL) == 0)
		return cand[0];
	if (errno == EPERM || errno == EACCES)
		*no_rights = true;
	return NULL;
}

struct tracefs *tracefs_open(const struct tracefs_opts *o, bool *no_rights,
			     char *err, size_t errsz)
{
	struct tracefs *t = NULL;
	const char *mnt;
	char path[512], num[32];

	*no_rights = false;
	if (o->replay_dir)
		return open_replay(o->replay_dir, err, errsz);
	mnt = find_mount(o->mount, no_rights);
	if (!mnt) {
		fmt_buf(err, errsz, "cannot find or mount tracefs at '/sys/kernel/tracing': %s",
			strerror(errno));
		return NULL;
	}
	t = alloc_tracefs();
	if (!t) {
		fmt_buf(err, errsz, "out of memory");
		return NULL;
	}
	tracefs_remove_stale(mnt);
	fmt_buf(t->inst, sizeof(t->inst), "%s/instances/rstscope-%ld", mnt, (long)getpid());
	if (mkdir(t->inst, 0700)) {
		*no_rights = errno == EACCES || errno == EPERM;
		fmt_buf(err, errsz, "cannot create tracefs instance '%s': %s", t->inst, strerror(errno));
		t->inst[0] = '\0';
		goto fail;
	}
	t->clock = CLOCK_BOOTTIME;
	fmt_buf(path, sizeof(path), "%s/trace_clock", t->inst);
	if (write_str(path, "boot")) {
		t->clock = CLOCK_MONOTONIC;
		if (write_str(path, "mono")) {
			fmt_buf(err, errsz, "cannot set '%s' to boot or mono: %s", path, strerror(errno));
			goto fail;
		}
	}
	/* each event names its process too: the task on the CPU is a thread */
	fmt_buf(path, sizeof(path), "%s/options/record-tgid", t->inst);
	if (write_str(path, "1"))
		warnx_("cannot set '%s': %s (threads' resets are owned by the thread)", path, strerror(errno));
	fmt_buf(path, sizeof(path), "%s/buffer_size_kb", t->inst);
	fmt_buf(num, sizeof(num), "%u", o->buffer_kb ? o->buffer_kb : 1024);
	if (write_str(path, num))
		warnx_("cannot set '%s': %s (keeping the default)", path, strerror(errno));
	if (load_formats(t, t->inst, err, errsz))
		goto fail;
	for (int k = 0; k < TFS__COUNT; k++) {
		if (!t->fmt[k].present)
			continue;
		fmt_buf(path, sizeof(path), "%s/events/%s/enable", t->inst, event_path[k]);
		if (write_str(path, "1")) {
			fmt_buf(err, errsz, "cannot enable '%s': %s", path, strerror(errno));
			goto fail;
		}
	}
	fmt_buf(path, sizeof(path), "%s/trace_pipe", t->inst);
	t->pipe_fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (t->pipe_fd < 0) {
		fmt_buf(err, errsz, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	open_stats(t);
	measure_offset(t);
	return t;
fail:
	tracefs_close(t);
	return NULL;
}

void tracefs_close(struct tracefs *t)
{
	if (!t)
		return;
	if (t->pipe_fd >= 0)
		close(t->pipe_fd);
	for (int i = 0; i < t->ncpu_fd; i++)
		close(t->stats_fd[i]);
	if (t->inst[0] && rmdir(t->inst) && errno != ENOENT && t->guard < 0)
		warnx_("cannot remove tracefs instance '%s': %s", t->inst, strerror(errno));
	free(t);
}

int tracefs_fd(const struct tracefs *t)
{
	return t->pipe_fd;
}

bool tracefs_eof(const struct tracefs *t)
{
	return t->eof;
}

int64_t tracefs_to_wall(const struct tracefs *t, int64_t trace_ns)
{
	return trace_ns + t->offset_ns;
}

const struct tfs_format *tracefs_format(const struct tracefs *t, enum tfs_kind k)
{
	return &t->fmt[k];
}

const char *tracefs_instance(const struct tracefs *t)
{
	return t->inst;
}

static int one_line(struct tracefs *t, const char *p, size_t n, tracefs_event_fn fn, void *ctx)
{
	struct tfs_event ev;

	t->st.lines++;
	switch (tfs_parse_line(p, n, &ev)) {
	case TFS_LINE_EVENT:
		t->st.events[ev.kind]++;
		fn(&ev, ctx);
		return 1;
	case TFS_LINE_BAD:
		t->st.bad_lines++;
		return 0;
	default:
		return 0;
	}
}

int tracefs_read(struct tracefs *t, tracefs_event_fn fn, void *ctx)
{
	int events = 0;

	if (!t->replay)
		measure_offset(t);
	for (int round = 0; round < 16; round++) {
		ssize_t n = read(t->pipe_fd, t->buf, sizeof(t->buf));
		size_t i = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n < 0)
			return -1;
		if (n == 0) {
			if (t->replay)
				t->eof = true;
			break;
		}
		while (i < (size_t)n) {
			const char *nl = memchr(t->buf + i, '\n', (size_t)n - i);
			size_t len = nl ? (size_t)(nl - t->buf) - i : (size_t)n - i;

			if (t->line_skip) {
				/* the tail of an overlong line */
			} else if (t->line_len + len >= sizeof(t->line)) {
				t->st.long_lines++;
				t->line_skip = true;
				t->line_len = 0;
			} else {
				memcpy(t->line + t->line_len, t->buf + i, len);
				t->line_len += len;
			}
			i += len;
			if (!nl)
				break;
			i++;
			if (!t->line_skip)
				events += one_line(t, t->line, t->line_len, fn, ctx);
			t->line_len = 0;
			t->line_skip = false;
		}
	}
	if (t->eof && t->line_len && !t->line_skip) {
		events += one_line(t, t->line, t->line_len, fn, ctx);
		t->line_len = 0;
	}
	return events;
}

/* per_cpu/cpuN/stats: "overrun: N" and "dropped events: N" */
static void read_cpu_stats(int fd, uint64_t *overrun, uint64_t *dropped)
{
	char buf[1024];
	ssize_t n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		unsigned long long v;

		if (nl)
			*nl = '\0';
		if (sscanf(line, "overrun: %llu", &v) == 1)
			*overrun += v;
		else if (sscanf(line, "dropped events: %llu", &v) == 1)
			*dropped += v;
		line = nl ? nl + 1 : NULL;
	}
}

void tracefs_stats(struct tracefs *t, struct tracefs_stats *s)
{
	if (t->ncpu_fd) {
		t->st.overrun = t->st.dropped = 0;
		for (int i = 0; i < t->ncpu_fd; i++)
			read_cpu_stats(t->stats_fd[i], &t->st.overrun, &t->st.dropped);
	}
	*s = t->st;
}

int tracefs_guard(struct tracefs *t)
{
	int p[2];
	pid_t pid;

	if (t->replay || !t->inst[0])
		return 0;
	if (pipe(p))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		char c;

		/* keep only the read end: EOF means the watcher is gone */
		close(p[1]);
		if (t->pipe_fd >= 0)
			close(t->pipe_fd);
		for (int i = 0; i < t->ncpu_fd; i++)
			close(t->stats_fd[i]);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		prctl(PR_SET_NAME, "rstscope-guard", 0, 0, 0);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		/* the watcher closed trace_pipe when it exited */
		for (int i = 0; i < 50 && rmdir(t->inst) && errno == EBUSY; i++)
			usleep(20000);
		_exit(0);
	}
	close(p[0]);
	fcntl(p[1], F_SETFD, FD_CLOEXEC);
	/* p[1] stays open for this process's life on purpose */
	t->guard = pid;
	return 0;
}
