/* fds: open descriptors against RLIMIT_NOFILE, a bounded rotating scan. */
#include "sources/fds.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sources/counters.h"
#include "util/cursor.h"
#include "util/util.h"

int fds_parse_limits(const char *buf, size_t len, uint64_t *soft)
{
	struct cur c = cur_make(buf, len), line, t;

	while (cur_line(&c, &line)) {
		if (!cur_lit(&line, "Max open files"))
			continue;
		if (!cur_token(&line, &t))
			return -1;
		if (cur_eq(t, "unlimited")) {
			*soft = 0;
			return 0;
		}
		return cur_whole_u64(t, 0, UINT64_MAX, soft);
	}
	return -1;
}

static int worse(const void *a, const void *b)
{
	const struct fdproc *x = a, *y = b;
	/* by fds / limit, descending; no limit last */
	double rx = x->limit ? (double)x->fds / (double)x->limit : 0;
	double ry = y->limit ? (double)y->fds / (double)y->limit : 0;

	return rx < ry ? 1 : rx > ry ? -1 : x->pid - y->pid;
}

static int by_pid(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static void keep(struct fds_result *out, const struct fdproc *p)
{
	if (out->n < FDS_TOP) {
		out->top[out->n++] = *p;
		return;
	}
	/* replace the least full when p is fuller */
	unsigned least = 0;
	for (unsigned i = 1; i < out->n; i++)
		if (worse(&out->top[i], &out->top[least]) > 0)
			least = i;
	if (worse(p, &out->top[least]) < 0)
		out->top[least] = *p;
}

static bool scan_one(const char *root, int pid, struct fdproc *p)
{
	char path[512], buf[4096];
	long n;
	DIR *d;
	struct dirent *e;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	fmt_buf(path, sizeof(path), "%s/%d/limits", root, pid);
	if ((n = ctr_read_file(path, buf, sizeof(buf))) < 0 || fds_parse_limits(buf, (size_t)n, &p->limit))
		return false;
	fmt_buf(path, sizeof(path), "%s/%d/fd", root, pid);
	if (!(d = opendir(path)))
		return false;
	while ((e = readdir(d)) && p->fds < FDS_COUNT_CAP)
		if (e->d_name[0] != '.')
			p->fds++;
	closedir(d);
	fmt_buf(path, sizeof(path), "%s/%d/comm", root, pid);
	if ((n = ctr_read_file(path, buf, sizeof(buf))) > 0) {
		buf[strcspn(buf, "\n")] = '\0';
		fmt_buf(p->comm, sizeof(p->comm), "%s", buf);
	}
	return true;
}

int fds_scan_run(struct fds_scan *s, const char *proc_root, unsigned max_procs,
		 struct fds_result *out)
{
	DIR *d = opendir(proc_root);
	struct dirent *e;
	int *pids = NULL;
	unsigned np = 0, cap = 0, start = 0;

	memset(out, 0, sizeof(*out));
	if (!d)
		return -errno;
	while ((e = readdir(d)) && np < (1u << 22)) {
		uint64_t pid;

		if (parse_u64_range(e->d_name, 1, 1u << 30, &pid))
			continue;
		if (np == cap) {
			int *x = realloc(pids, (cap ? cap * 2 : 1024) * sizeof(*pids));
			if (!x)
				break;
			pids = x;
			cap = cap ? cap * 2 : 1024;
		}
		pids[np++] = (int)pid;
	}
	closedir(d);
	if (np)   /* qsort's base must not be NULL, even for no elements */
		qsort(pids, np, sizeof(*pids), by_pid);
	out->procs = np;
	while (start < np && pids[start] < s->next_pid)
		start++;
	if (!max_procs)
		max_procs = 1024;
	for (unsigned k = 0; k < np && k < max_procs; k++) {
		int pid = pids[(start + k) % np];
		struct fdproc p;

		out->scanned++;
		if (scan_one(proc_root, pid, &p))
			keep(out, &p);
		else
			out->unreadable++;
		s->next_pid = pid + 1;
	}
	out->partial = out->scanned < np;
	qsort(out->top, out->n, sizeof(out->top[0]), worse);
	free(pids);
	return 0;
}
