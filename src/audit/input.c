/* input: reading a configuration file, recognising it by content, and the
 * duration syntaxes of each product. */
#include "audit/audit.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <fcntl.h>

#include "util/cursor.h"
#include "util/util.h"

const char *const audit_format_name[] = { "unknown", "nginx", "haproxy", "envoy", "sysctl" };

char *audit_read_file(void *ctx, const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	size_t got = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	(void)ctx;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL;
		goto fail;
	}
	if ((uint64_t)st.st_size > AUDIT_MAX_FILE_BYTES) {
		errno = EFBIG;
		goto fail;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf)
		goto fail;
	while (got < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(fd);
	*len = got;
	return buf;
fail:
	{
		int e = errno;

		free(buf);
		close(fd);
		errno = e;
	}
	return NULL;
}

static bool starts_word(struct cur l, const char *w)
{
	size_t n = strlen(w);

	return cur_left(&l) >= n && !memcmp(l.p, w, n) &&
	       (cur_left(&l) == n || l.p[n] == ' ' || l.p[n] == '\t' || l.p[n] == '\r');
}

/* By content: the first meaningful lines decide. */
enum audit_format audit_sniff(const char *buf, size_t n)
{
	struct cur c = cur_make(buf, n), l;
	unsigned sysctl = 0, other = 0, semi = 0, haproxy = 0, envoy = 0;

	while (cur_line(&c, &l)) {
		struct cur t = l;

		cur_skip_blank(&t);
		if (cur_eof(&t) || *t.p == '#' || *t.p == ';' || *t.p == '\r')
			continue;
		if (l.p == t.p && (starts_word(l, "global") || starts_word(l, "defaults") ||
				   starts_word(l, "frontend") || starts_word(l, "backend") ||
				   starts_word(l, "listen")))
			haproxy++;
		if (cur_skip_past(&(struct cur){ t.p, t.end }, "static_resources:") ||
		    cur_skip_past(&(struct cur){ t.p, t.end }, "http_connection_manager") ||
		    cur_skip_past(&(struct cur){ t.p, t.end }, "\"static_resources\""))
			envoy++;
		struct cur k = t, key = cur_until(&k, "= \t");
		cur_skip_blank(&k);
		if (cur_char(&k, '=') && cur_left(&key) > 4 &&
		    (!memcmp(key.p, "net.", 4) || !memcmp(key.p, "net/", 4) ||
		     !memcmp(key.p, "kernel", 6) || !memcmp(key.p, "vm.", 3) || !memcmp(key.p, "fs.", 3) ||
		     !memcmp(key.p, "dev.", 4) || !memcmp(key.p, "user.", 5)))
			sysctl++;
		else
			other++;
		const char *e = t.end;
		while (e > t.p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			e--;
		if (e > t.p && (e[-1] == ';' || e[-1] == '{' || e[-1] == '}'))
			semi++;
	}
	if (envoy)
		return AUDIT_FMT_ENVOY;
	if (haproxy)
		return AUDIT_FMT_HAPROXY;
	if (sysctl && sysctl >= other)
		return AUDIT_FMT_SYSCTL;
	if (semi)
		return AUDIT_FMT_NGINX;
	return AUDIT_FMT_UNKNOWN;
}

int audit_parse_file(const char *path, struct audit_hop *h, struct audit_err *e)
{
	struct audit_io io = { audit_read_file, NULL };
	size_t n = 0;
	char *buf = audit_read_file(NULL, path, &n);
	int rc = -1;

	memset(e, 0, sizeof(*e));
	fmt_buf(e->file, sizeof(e->file), "%s", path);
	if (!buf) {
		fmt_buf(e->msg, sizeof(e->msg), "cannot read: %s", strerror(errno));
		return -1;
	}
	switch (audit_sniff(buf, n)) {
	case AUDIT_FMT_NGINX: rc = audit_parse_nginx(buf, n, path, &io, h, e); break;
	case AUDIT_FMT_HAPROXY: rc = audit_parse_haproxy(buf, n, path, h, e); break;
	case AUDIT_FMT_ENVOY: rc = audit_parse_envoy(buf, n, path, h, e); break;
	case AUDIT_FMT_SYSCTL: rc = audit_parse_sysctl(buf, n, path, h, e); break;
	default:
		fmt_buf(e->msg, sizeof(e->msg),
			"not a configuration audit knows (nginx, HAProxy, Envoy, sysctl)");
	}
	free(buf);
	return rc;
}

/* A number with an optional fraction: digits only, no sign, no exponent. */
static int num(struct cur *c, double *out)
{
	uint64_t ip = 0, fp = 0, scale = 1;
	bool any = false;

	if (!cur_eof(c) && *c->p >= '0' && *c->p <= '9') {
		if (cur_u64(c, &ip) || ip > 1000000000000ull)
			return -1;
		any = true;
	}
	if (!cur_eof(c) && *c->p == '.') {
		c->p++;
		while (!cur_eof(c) && *c->p >= '0' && *c->p <= '9') {
			if (scale < 1000000000ull) {
				fp = fp * 10 + (uint64_t)(*c->p - '0');
				scale *= 10;
			}
			c->p++;
			any = true;
		}
	}
	if (!any)
		return -1;
	*out = (double)ip + (double)fp / (double)scale;
	return 0;
}

static const struct { const char *u; double s; } units[] = {
	{ "ms", 0.001 }, { "us", 0.000001 }, { "s", 1 }, { "m", 60 }, { "h", 3600 }, { "d", 86400 },
	{ "w", 604800 }, { "M", 2592000 }, { "y", 31536000 },
};

int audit_duration(const char *s, size_t n, enum audit_dur style, double *out)
{
	struct cur c = cur_make(s, n);
	double total = 0;
	unsigned parts = 0;

	if (style == AUDIT_DUR_ENVOY && n >= 2 && (s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
		c = cur_make(s + 1, n - 2);
	while (!cur_eof(&c)) {
		double v, mul = style == AUDIT_DUR_HAPROXY ? 0.001 : 1;
		bool unit = false;

		if (num(&c, &v))
			return -1;
		for (unsigned i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t ul = strlen(units[i].u);

			if (cur_left(&c) >= ul && !memcmp(c.p, units[i].u, ul)) {
				if (style == AUDIT_DUR_HAPROXY && units[i].u[0] == 'w')
					break;
				if (style != AUDIT_DUR_NGINX && (units[i].u[0] == 'M' || units[i].u[0] == 'y' ||
								 units[i].u[0] == 'w'))
					break;
				mul = units[i].s;
				c.p += ul;
				unit = true;
				break;
			}
		}
		if (style == AUDIT_DUR_ENVOY && (!unit || mul != 1))
			return -1;   /* protobuf JSON durations are "<seconds>s" */
		if (!unit && parts)
			return -1;
		total += v * mul;
		parts++;
		if (style != AUDIT_DUR_NGINX && !cur_eof(&c))
			return -1;
	}
	if (!parts || total > 1e12)
		return -1;
	*out = total;
	return 0;
}
