/* cgroupmem: memory cgroups (v1 and v2) found from mountinfo, walked for
 * their OOM kills and limits. */
#include "sources/cgroupmem.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sources/counters.h"
#include "util/cursor.h"
#include "util/util.h"

/* mountinfo escapes blanks in paths as \040 */
static void unescape(struct cur t, char *out, size_t size)
{
	size_t o = 0;

	while (!cur_eof(&t) && o + 1 < size) {
		if (cur_left(&t) >= 4 && t.p[0] == '\\' && t.p[1] >= '0' && t.p[1] <= '3') {
			out[o++] = (char)((t.p[1] - '0') * 64 + (t.p[2] - '0') * 8 + (t.p[3] - '0'));
			t.p += 4;
		} else {
			out[o++] = *t.p++;
		}
	}
	out[o] = '\0';
}

int cgmem_parse_mountinfo(const char *buf, size_t len, struct cgmem_mounts *m)
{
	struct cur c = cur_make(buf, len), line;

	memset(m, 0, sizeof(*m));
	while (cur_line(&c, &line)) {
		struct cur tok, mnt = { NULL, NULL }, fstype, opts;
		int i = 0;

		/* id parent maj:min root mountpoint opts [optional...] - fstype source superopts */
		while (cur_token(&line, &tok)) {
			if (i == 4)
				mnt = tok;
			if (cur_eq(tok, "-"))
				break;
			i++;
		}
		if (!mnt.p || !cur_token(&line, &fstype) || !cur_token(&line, &tok) ||
		    !cur_token(&line, &opts))
			continue;
		if (cur_eq(fstype, "cgroup2") && !m->v2[0]) {
			unescape(mnt, m->v2, sizeof(m->v2));
		} else if (cur_eq(fstype, "cgroup") && !m->v1[0]) {
			struct cur o = opts, opt;

			while (!cur_eof(&o)) {
				opt = cur_until(&o, ",");
				cur_char(&o, ',');
				if (cur_eq(opt, "memory"))
					unescape(mnt, m->v1, sizeof(m->v1));
			}
		}
	}
	return m->v1[0] || m->v2[0] ? 0 : -1;
}

static void map_path(const char *mnt, const char *sys_root, char *out, size_t size)
{
	if (sys_root && strcmp(sys_root, "/sys") && !strncmp(mnt, "/sys/", 5))
		fmt_buf(out, size, "%s/%s", sys_root, mnt + 5);
	else
		fmt_buf(out, size, "%s", mnt);
}

static uint64_t kv_value(const char *buf, size_t len, const char *key, bool *found)
{
	struct cur c = cur_make(buf, len), line, k, v;
	uint64_t x;

	while (cur_line(&c, &line))
		if (cur_token(&line, &k) && cur_eq(k, key) && cur_token(&line, &v) &&
		    !cur_whole_u64(v, 0, UINT64_MAX, &x)) {
			*found = true;
			return x;
		}
	return 0;
}

/* The number a one-number file (memory.max, memory.failcnt, ...) of dir
 * starts with: 0, or -1 when absent, empty or not a number ("max"). */
static int file_u64(const char *dir, const char *name, uint64_t *v)
{
	char path[1024], buf[64];
	long n;
	struct cur c, t;

	fmt_buf(path, sizeof(path), "%s/%s", dir, name);
	if ((n = ctr_read_file(path, buf, sizeof(buf))) <= 0)
		return -1;
	c = cur_make(buf, (size_t)n);
	return cur_token(&c, &t) && !cur_whole_u64(t, 0, UINT64_MAX, v) ? 0 : -1;
}

/* One cgroup directory: 1 when it has memory files, 0 when not. */
static int read_one(const char *dir, const char *rel, uint8_t version, struct cgmem *out)
{
	char path[1024], buf[4096];
	long n;
	bool found = false, f2 = false;
	uint64_t v;

	memset(out, 0, sizeof(*out));
	fmt_buf(out->path, sizeof(out->path), "%s", rel[0] ? rel : "/");
	out->version = version;
	if (version == 2) {
		fmt_buf(path, sizeof(path), "%s/memory.events", dir);
		if ((n = ctr_read_file(path, buf, sizeof(buf))) < 0)
			return 0;
		out->oom_kill = kv_value(buf, (size_t)n, "oom_kill", &found);
		out->failcnt = kv_value(buf, (size_t)n, "max", &f2);
		if (!file_u64(dir, "memory.max", &v))   /* "max": no limit */
			out->limit = v;
		return 1;
	}
	fmt_buf(path, sizeof(path), "%s/memory.oom_control", dir);
	if ((n = ctr_read_file(path, buf, sizeof(buf))) < 0)
		return 0;
	out->oom_kill = kv_value(buf, (size_t)n, "oom_kill", &found);
	if (!file_u64(dir, "memory.failcnt", &v))
		out->failcnt = v;
	/* v1 says "no limit" with a page-rounded LONG_MAX */
	if (!file_u64(dir, "memory.limit_in_bytes", &v) && v < (1ULL << 62))
		out->limit = v;
	return 1;
}

static void walk(const char *dir, const char *rel, uint8_t version, int depth, struct cgmem_list *out)
{
	DIR *d;
	struct dirent *e;

	if (out->n >= CGMEM_MAX) {
		out->truncated++;
		return;
	}
	if (read_one(dir, rel, version, &out->c[out->n]))
		out->n++;
	if (depth >= CGMEM_DEPTH || !(d = opendir(dir)))
		return;
	while ((e = readdir(d))) {
		char sub[1024], subrel[CGMEM_PATH];

		if (e->d_name[0] == '.' || e->d_type != DT_DIR)
			continue;
		fmt_buf(sub, sizeof(sub), "%s/%s", dir, e->d_name);
		if (fmt_buf(subrel, sizeof(subrel), "%s/%s", rel, e->d_name) >= sizeof(subrel) - 1) {
			out->truncated++;
			continue;
		}
		walk(sub, subrel, version, depth + 1, out);
	}
	closedir(d);
}

static int by_path(const void *a, const void *b)
{
	const struct cgmem *x = a, *y = b;

	if (x->version != y->version)
		return x->version - y->version;
	return strcmp(x->path, y->path);
}

int cgmem_scan(const struct cgmem_mounts *m, const char *sys_root, struct cgmem_list *out)
{
	char dir[512];
	DIR *d;

	out->n = out->truncated = 0;
	out->v1 = out->v2 = false;
	if (m->v1[0]) {
		map_path(m->v1, sys_root, dir, sizeof(dir));
		if ((d = opendir(dir))) {
			closedir(d);
			out->v1 = true;
			walk(dir, "", 1, 0, out);
		}
	}
	if (m->v2[0]) {
		map_path(m->v2, sys_root, dir, sizeof(dir));
		if ((d = opendir(dir))) {
			closedir(d);
			out->v2 = true;
			walk(dir, "", 2, 0, out);
		}
	}
	qsort(out->c, out->n, sizeof(out->c[0]), by_path);
	return out->v1 || out->v2 ? (int)out->n : -1;
}

int cgmem_read(const struct cgmem_mounts *m, const char *sys_root, const char *path,
	       struct cgmem *out)
{
	char mnt[512], dir[1024];
	const char *rel = path && strcmp(path, "/") ? path : "";

	memset(out, 0, sizeof(*out));
	if (!path || path[0] != '/' || strstr(path, "/.."))
		return -1;
	for (uint8_t v = 1; v <= 2; v++) {
		const char *root = v == 1 ? m->v1 : m->v2;

		if (!root[0])
			continue;
		map_path(root, sys_root, mnt, sizeof(mnt));
		fmt_buf(dir, sizeof(dir), "%s%s", mnt, rel);
		if (read_one(dir, rel, v, out))
			return 0;
	}
	return -1;
}

const struct cgmem *cgmem_find(const struct cgmem_list *l, uint8_t v, const char *path)
{
	struct cgmem key;

	memset(&key, 0, sizeof(key));
	key.version = v;
	fmt_buf(key.path, sizeof(key.path), "%s", path);
	return bsearch(&key, l->c, l->n, sizeof(l->c[0]), by_path);
}

bool cgmem_parse_pid_cgroup(const char *buf, size_t len, char *path, size_t size, uint8_t *version)
{
	struct cur c = cur_make(buf, len), line;
	bool v2 = false;

	path[0] = '\0';
	while (cur_line(&c, &line)) {
		struct cur id = cur_until(&line, ":"), ctrl, p;

		if (!cur_char(&line, ':'))
			continue;
		ctrl = cur_until(&line, ":");
		if (!cur_char(&line, ':'))
			continue;
		p = line;
		(void)id;
		/* a controller list: "memory" or "cpu,memory" */
		struct cur cl = ctrl, one;
		bool mem = false;
		while (!cur_eof(&cl)) {
			one = cur_until(&cl, ",");
			cur_char(&cl, ',');
			mem |= cur_eq(one, "memory");
		}
		if (mem) {
			cur_copy(p, path, size);
			*version = 1;
			return true;
		}
		if (cur_left(&ctrl) == 0 && !v2) {
			cur_copy(p, path, size);
			*version = 2;
			v2 = true;
		}
	}
	return v2;
}

bool cgmem_of_pid(const char *proc_root, int pid, char *path, size_t size, uint8_t *version)
{
	char p[512], buf[4096];
	long n;

	fmt_buf(p, sizeof(p), "%s/%d/cgroup", proc_root, pid);
	if ((n = ctr_read_file(p, buf, sizeof(buf))) < 0 && n != -EFBIG /* a prefix will do */) {
		path[0] = '\0';
		*version = 0;
		return false;
	}
	return cgmem_parse_pid_cgroup(buf, strlen(buf), path, size, version);
}
