/* procctx: a process's network namespace, cgroup and container. */
#include "sources/procctx.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/util.h"

#define ID_SHORT 12

/* The line's path when its controller list (between the colons) names
 * want ("" for the v2 line). */
static bool line_path(const char *l, size_t n, const char *want, const char **p, size_t *pn)
{
	const char *c1 = memchr(l, ':', n), *c2;
	size_t wl = strlen(want);

	if (!c1 || !(c2 = memchr(c1 + 1, ':', n - (size_t)(c1 + 1 - l))))
		return false;
	*p = c2 + 1;
	*pn = n - (size_t)(c2 + 1 - l);
	if (!wl)
		return c2 == c1 + 1 && c1 - l == 1 && l[0] == '0';
	for (const char *s = c1 + 1; s < c2;) {
		const char *e = memchr(s, ',', (size_t)(c2 - s));

		if (!e)
			e = c2;
		if ((size_t)(e - s) == wl && !memcmp(s, want, wl))
			return true;
		s = e + 1;
	}
	return false;
}

int procctx_parse_cgroup(const char *text, size_t len, char *path, size_t size)
{
	const char *v2 = NULL, *mem = NULL, *p;
	size_t v2n = 0, memn = 0, pn;

	for (size_t at = 0; at < len;) {
		const char *l = text + at, *nl = memchr(l, '\n', len - at);
		size_t n = nl ? (size_t)(nl - l) : len - at;

		if (line_path(l, n, "memory", &p, &pn))
			mem = p, memn = pn;
		else if (line_path(l, n, "", &p, &pn))
			v2 = p, v2n = pn;
		at += n + 1;
	}
	if (!mem && !v2)
		return -1;
	p = mem ? mem : v2;
	pn = mem ? memn : v2n;
	if (!size)
		return -1;
	if (pn >= size)
		pn = size - 1;
	memcpy(path, p, pn);
	path[pn] = '\0';
	return 0;
}

int procctx_tgid(const char *proc_root, int tid)
{
	char path[512], text[2048];
	const char *t;
	ssize_t n;
	int fd;
	long v;

	if (tid <= 0)
		return -1;
	fmt_buf(path, sizeof(path), "%s/%d/status", proc_root ? proc_root : "/proc", tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	t = strstr(text, "\nTgid:");
	if (!t || sscanf(t + 6, "%ld", &v) != 1 || v <= 0 || v > 1L << 30)
		return -1;
	return (int)v;
}

/* Copy up to ID_SHORT hex digits at s (at least 12 of 64 needed). */
static bool hex_id(const char *s, char *out, size_t size, const char *kind)
{
	size_t n = 0;

	while (isxdigit((unsigned char)s[n]))
		n++;
	if (n < 32)
		return false;
	fmt_buf(out, size, "%s:%.*s", kind, ID_SHORT, s);
	return true;
}

/* The component of path that starts with prefix (after a '/' or at 0). */
static const char *component(const char *path, const char *prefix)
{
	size_t pl = strlen(prefix);

	for (const char *c = path; c && *c; c = strchr(c, '/')) {
		if (*c == '/')
			c++;
		if (!strncmp(c, prefix, pl))
			return c + pl;
	}
	return NULL;
}

/* A Kubernetes pod: "pod<uid>" after "kubepods" ("_" for "-" under the
 * systemd driver). */
static bool pod(const char *cg, char *out, size_t size)
{
	const char *k = strstr(cg, "kubepods");
	char uid[40];

	for (const char *p = k; p && (p = strstr(p, "pod")); p += 3) {
		size_t n = 0;

		while (n + 1 < sizeof(uid) &&
		       (isxdigit((unsigned char)p[3 + n]) || p[3 + n] == '-' || p[3 + n] == '_')) {
			uid[n] = p[3 + n] == '_' ? '-' : p[3 + n];
			n++;
		}
		uid[n] = '\0';
		if (n >= 32) {
			fmt_buf(out, size, "pod:%s", uid);
			return true;
		}
	}
	return false;
}

bool procctx_container(const char *cg, char *out, size_t size)
{
	static const struct { const char *prefix, *kind; } ids[] = {
		{ "docker-", "docker" }, { "docker/", "docker" }, { "cri-containerd-", "containerd" },
		{ "containerd-", "containerd" }, { "crio-conmon-", "crio" }, { "crio-", "crio" },
		{ "libpod-conmon-", "podman" }, { "libpod-", "podman" },
	};
	const char *p, *last = NULL;

	out[0] = '\0';
	if (!cg || !*cg)
		return false;
	if (pod(cg, out, size))
		return true;
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		/* "docker/<id>" is a path of two components: look for it whole */
		p = strchr(ids[i].prefix, '/') ? strstr(cg, ids[i].prefix) : component(cg, ids[i].prefix);
		if (p && strchr(ids[i].prefix, '/'))
			p += strlen(ids[i].prefix);
		if (p && hex_id(p, out, size, ids[i].kind))
			return true;
	}
	/* the innermost systemd service */
	for (p = cg; (p = strstr(p, ".service")); p += 8)
		if (p[8] == '\0' || p[8] == '/')
			last = p;
	if (last) {
		const char *s = last;

		while (s > cg && s[-1] != '/')
			s--;
		fmt_buf(out, size, "unit:%.*s", (int)(last + 8 - s), s);
		return true;
	}
	return false;
}

bool procctx_of(const char *proc_root, int pid, struct procctx *out)
{
	char path[512], buf[4096];
	struct stat st;
	ssize_t n;
	int fd;

	memset(out, 0, sizeof(*out));
	if (pid <= 0)
		return false;
	if (!proc_root)
		proc_root = "/proc";
	fmt_buf(path, sizeof(path), "%s/%d/ns/net", proc_root, pid);
	if (stat(path, &st) == 0)
		out->netns = (uint64_t)st.st_ino;
	fmt_buf(path, sizeof(path), "%s/%d/cgroup", proc_root, pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return out->netns != 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n > 0 && procctx_parse_cgroup(buf, (size_t)n, out->cgroup, sizeof(out->cgroup)) == 0)
		procctx_container(out->cgroup, out->container, sizeof(out->container));
	return true;
}
