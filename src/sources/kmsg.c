/* kmsg: kernel log records read from /dev/kmsg (or a replay file), and
 * the few messages that are host findings. */
#include "sources/kmsg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sources/counters.h"
#include "util/cursor.h"
#include "util/util.h"

struct kmsg_src {
	int fd;
};

int kmsg_parse_record(const char *buf, size_t len, uint64_t *seq, uint64_t *ts_us,
		      const char **msg, size_t *msglen)
{
	struct cur c = cur_make(buf, len), line, t;
	uint64_t pri;

	if (!cur_line(&c, &line))
		return -1;
	if (cur_u64(&line, &pri) || !cur_char(&line, ',') || cur_u64(&line, seq) ||
	    !cur_char(&line, ',') || cur_u64(&line, ts_us) || !cur_char(&line, ','))
		return -1;
	t = cur_until(&line, ";");
	(void)t;
	if (!cur_char(&line, ';'))
		return -1;
	*msg = line.p;
	*msglen = cur_left(&line);
	return 0;
}

/* "... Killed process 1234 (comm) ..." */
static int oom_kill(struct cur c, struct kmsg_event *ev)
{
	uint64_t pid;
	struct cur comm;

	if (!cur_skip_past(&c, "Killed process ") || cur_u64(&c, &pid) || pid > 1u << 30 ||
	    !cur_lit(&c, " ("))
		return 0;
	comm = cur_until(&c, ")");
	if (!cur_char(&c, ')'))
		return 0;
	ev->kind = KM_OOM_KILL;
	ev->pid = (int)pid;
	cur_copy(comm, ev->comm, sizeof(ev->comm));
	return 1;
}

/* "oom-kill:constraint=...,task_memcg=/x,task=comm,pid=1234,uid=0" */
static int oom_info(struct cur c, struct kmsg_event *ev)
{
	bool have_pid = false;

	if (!cur_skip_past(&c, "oom-kill:"))
		return 0;
	while (!cur_eof(&c)) {
		struct cur kv = cur_until(&c, ","), key;
		uint64_t pid;

		cur_char(&c, ',');
		key = cur_until(&kv, "=");
		if (!cur_char(&kv, '='))
			continue;
		if (cur_eq(key, "task_memcg"))
			cur_copy(kv, ev->cgroup, sizeof(ev->cgroup));
		else if (cur_eq(key, "task"))
			cur_copy(kv, ev->comm, sizeof(ev->comm));
		else if (cur_eq(key, "pid") && !cur_whole_u64(kv, 1, 1u << 30, &pid)) {
			ev->pid = (int)pid;
			have_pid = true;
		}
	}
	if (!have_pid)
		return 0;
	ev->kind = KM_OOM_INFO;
	return 1;
}

/* messages that are a finding by their text alone */
static const struct {
	const char *text;
	enum kmsg_kind kind;
} plain[] = {
	{ "nf_conntrack: table full", KM_CONNTRACK_FULL },
	{ "too many orphaned sockets", KM_ORPHANS },
	{ "out of memory -- consider tuning tcp_mem", KM_TCP_MEM },
};

int kmsg_classify(const char *msg, size_t len, struct kmsg_event *ev)
{
	struct cur c = cur_make(msg, len), t;

	memset(ev, 0, sizeof(*ev));
	ev->pid = -1;
	if (oom_kill(c, ev) || oom_info(c, ev))
		return 1;
	for (size_t i = 0; i < sizeof(plain) / sizeof(plain[0]); i++) {
		t = c;
		if (cur_skip_past(&t, plain[i].text)) {
			ev->kind = plain[i].kind;
			return 1;
		}
	}
	t = c;
	if (cur_skip_past(&t, "Possible SYN flooding on port ")) {
		/* "8080. Sending cookies." or "[::]:8080. Dropping request." */
		struct cur port = t;
		const char *dot = NULL;

		for (const char *p = t.p; p + 1 < t.end; p++)
			if (p[0] == '.' && p[1] == ' ') {
				dot = p;
				break;
			}
		if (dot)
			port.end = dot;
		else if (cur_left(&port) && port.end[-1] == '.')
			port.end--;
		ev->kind = KM_SYN_FLOOD;
		cur_copy(port, ev->port, sizeof(ev->port));
		return 1;
	}
	return 0;
}

void kmsg_events_add(struct kmsg_events *l, const struct kmsg_event *ev)
{
	if (ev->kind == KM_OOM_KILL) {
		/* the oom-kill: line comes just before its Killed process line */
		for (unsigned i = l->n; i-- > 0;)
			if (l->e[i].kind == KM_OOM_INFO && l->e[i].pid == ev->pid) {
				struct kmsg_event m = *ev;

				fmt_buf(m.cgroup, sizeof(m.cgroup), "%s", l->e[i].cgroup);
				l->e[i] = m;
				return;
			}
	}
	if (l->n >= KMSG_EVENTS_MAX) {
		l->dropped++;
		return;
	}
	l->e[l->n++] = *ev;
}

static void one_record(struct kmsg_events *out, const char *buf, size_t len)
{
	uint64_t seq, ts;
	const char *msg;
	size_t ml;
	struct kmsg_event ev;

	if (kmsg_parse_record(buf, len, &seq, &ts, &msg, &ml))
		return;
	out->records++;
	if (kmsg_classify(msg, ml, &ev)) {
		ev.seq = seq;
		ev.ts_us = ts;
		kmsg_events_add(out, &ev);
	}
}

struct kmsg_src *kmsg_open(int *err)
{
	struct kmsg_src *k = calloc(1, sizeof(*k));

	if (!k) {
		*err = -ENOMEM;
		return NULL;
	}
	k->fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (k->fd < 0) {
		*err = -errno;
		free(k);
		return NULL;
	}
	if (lseek(k->fd, 0, SEEK_END) < 0) {   /* only what comes after the start */
		*err = -errno;
		close(k->fd);
		free(k);
		return NULL;
	}
	return k;
}

void kmsg_close(struct kmsg_src *k)
{
	if (!k)
		return;
	if (k->fd >= 0)
		close(k->fd);
	free(k);
}

int kmsg_read(struct kmsg_src *k, struct kmsg_events *out)
{
	char buf[8192];

	for (int i = 0; i < KMSG_PER_SAMPLE; i++) {
		ssize_t n = read(k->fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EPIPE) {   /* overwritten before we read it */
			out->lost++;
			continue;
		}
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		one_record(out, buf, (size_t)n);
	}
	return 0;
}

int kmsg_read_file(const char *path, struct kmsg_events *out)
{
	static char buf[1 << 20];
	long n = ctr_read_file(path, buf, sizeof(buf));
	struct cur c, line;
	unsigned recs = 0;

	if (n < 0 && n != -EFBIG)
		return (int)n;
	c = cur_make(buf, strlen(buf));
	while (cur_line(&c, &line) && recs < KMSG_PER_SAMPLE) {
		if (cur_eof(&line) || line.p[0] == ' ')
			continue;   /* continuation lines ("SUBSYSTEM=...") */
		one_record(out, line.p, cur_left(&line));
		recs++;
	}
	return 0;
}
