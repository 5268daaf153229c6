/* tracefs_parse: event format files and trace_pipe text lines, parsed with
 * a bounded cursor. Nothing here touches the file system. */
#include "sources/tracefs.h"

#include <arpa/inet.h>
#include <string.h>

const char *const tfs_kind_name[TFS__COUNT] = {
	"tcp_send_reset", "tcp_receive_reset", "inet_sock_set_state", "task_newtask",
};

/* A span of text: [p, p + n). */
struct span {
	const char *p;
	size_t n;
};

static bool span_eq(struct span s, const char *lit)
{
	size_t l = strlen(lit);

	return s.n == l && !memcmp(s.p, lit, l);
}

static const char *span_find(const char *p, size_t n, const char *needle)
{
	size_t l = strlen(needle);

	if (!l || n < l)
		return NULL;
	for (size_t i = 0; i + l <= n; i++)
		if (p[i] == needle[0] && !memcmp(p + i, needle, l))
			return p + i;
	return NULL;
}

/* Unsigned number in base 10 or 16 filling the whole span. */
static int span_u64(struct span s, int base, uint64_t *out)
{
	uint64_t v = 0;

	if (!s.n || s.n > 20)
		return -1;
	for (size_t i = 0; i < s.n; i++) {
		unsigned d;
		char c = s.p[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return -1;
		if (v > (UINT64_MAX - d) / (uint64_t)base)
			return -1;
		v = v * (uint64_t)base + d;
	}
	*out = v;
	return 0;
}

static void span_copy(char *dst, size_t size, struct span s)
{
	size_t n = s.n < size - 1 ? s.n : size - 1;

	memcpy(dst, s.p, n);
	dst[n] = '\0';
}

int tfs_parse_addr(const char *s, size_t len, struct ipaddr *a, uint8_t *ipver)
{
	char buf[INET6_ADDRSTRLEN + 1];
	unsigned char b[16];

	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, b) == 1) {
		a->b[10] = a->b[11] = 0xff;
		memcpy(a->b + 12, b, 4);
		*ipver = 4;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, b) == 1) {
		memcpy(a->b, b, 16);
		*ipver = 6;
		return 0;
	}
	return -1;
}

/* "1.2.3.4:80" or "[::1]:80" (%pISpc) */
static int parse_addrport(struct span s, struct ipaddr *a, uint16_t *port, uint8_t *ipver)
{
	const char *colon = NULL;
	struct span host = s;
	uint64_t v;

	if (s.n && s.p[0] == '[') {
		const char *rb = memchr(s.p, ']', s.n);

		if (!rb || (size_t)(rb - s.p) + 1 >= s.n || rb[1] != ':')
			return -1;
		host = (struct span){ s.p + 1, (size_t)(rb - s.p) - 1 };
		colon = rb + 1;
	} else {
		for (size_t i = s.n; i > 0; i--)
			if (s.p[i - 1] == ':') {
				colon = s.p + i - 1;
				break;
			}
		if (!colon)
			return -1;
		host.n = (size_t)(colon - s.p);
	}
	struct span ps = { colon + 1, (size_t)(s.p + s.n - colon - 1) };
	if (span_u64(ps, 10, &v) || v > 65535)
		return -1;
	*port = (uint16_t)v;
	return tfs_parse_addr(host.p, host.n, a, ipver);
}

const char *tfs_sym_name(const struct tfs_symtab *tab, long long v)
{
	for (unsigned i = 0; i < tab->n; i++)
		if (tab->e[i].val == v)
			return tab->e[i].name;
	return NULL;
}

bool tfs_sym_has(const struct tfs_symtab *tab, const char *name)
{
	for (unsigned i = 0; i < tab->n; i++)
		if (!strcmp(tab->e[i].name, name))
			return true;
	return false;
}

static size_t skip_ws(const char *p, size_t i, size_t n)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n'))
		i++;
	return i;
}

int tfs_parse_symbolic(const char *fmt, size_t len, const char *field,
		       struct tfs_symtab *out)
{
	char key[64];
	size_t klen = 0, i;
	const char *at;

	out->n = 0;
	klen = strlen("__print_symbolic(REC->") + strlen(field) + 1;
	if (klen >= sizeof(key))
		return -1;
	memcpy(key, "__print_symbolic(REC->", 22);
	memcpy(key + 22, field, strlen(field));
	key[klen - 1] = ',';
	key[klen] = '\0';
	at = span_find(fmt, len, key);
	if (!at)
		return 0;
	i = (size_t)(at - fmt) + klen;
	/* pairs: { VALUE, "NAME" } separated by commas, ended by ')' */
	for (;;) {
		struct span v, name;
		uint64_t u;

		i = skip_ws(fmt, i, len);
		if (i < len && fmt[i] == ')')
			return (int)out->n;
		if (i < len && fmt[i] == ',') {
			i++;
			continue;
		}
		if (i >= len || fmt[i] != '{')
			return -1;
		i = skip_ws(fmt, i + 1, len);
		v.p = fmt + i;
		while (i < len && fmt[i] != ',' && fmt[i] != '}')
			i++;
		if (i >= len || fmt[i] != ',')
			return -1;
		v.n = (size_t)(fmt + i - v.p);
		while (v.n && v.p[v.n - 1] == ' ')
			v.n--;
		i = skip_ws(fmt, i + 1, len);
		if (i >= len || fmt[i] != '"')
			return -1;
		name.p = fmt + ++i;
		while (i < len && fmt[i] != '"')
			i++;
		if (i >= len)
			return -1;
		name.n = (size_t)(fmt + i - name.p);
		i = skip_ws(fmt, i + 1, len);
		if (i >= len || fmt[i] != '}')
			return -1;
		i++;
		if (out->n >= TFS_MAX_SYMS || !name.n || name.n >= TFS_NAME_MAX)
			return -1;
		if (v.n > 2 && v.p[0] == '0' && (v.p[1] == 'x' || v.p[1] == 'X')) {
			if (span_u64((struct span){ v.p + 2, v.n - 2 }, 16, &u))
				return -1;
		} else if (span_u64(v, 10, &u)) {
			u = (uint64_t)out->n | (1ull << 62); /* symbolic: unknown value */
		}
		out->e[out->n].val = (long long)u;
		span_copy(out->e[out->n].name, TFS_NAME_MAX, name);
		out->n++;
	}
}

int tfs_parse_format(const char *text, size_t len, struct tfs_format *f)
{
	size_t i = 0;
	bool named = false;

	memset(f, 0, sizeof(*f));
	f->id = -1;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		struct span line = { text + i, nl ? (size_t)(nl - text - i) : len - i };
		uint64_t v;

		i += line.n + 1;
		if (line.n > 6 && !memcmp(line.p, "name: ", 6)) {
			named = true;
		} else if (line.n > 4 && !memcmp(line.p, "ID: ", 4)) {
			if (!span_u64((struct span){ line.p + 4, line.n - 4 }, 10, &v) && v < 1u << 30)
				f->id = (int)v;
		} else if (line.n > 7 && !memcmp(line.p, "\tfield:", 7)) {
			const char *semi = memchr(line.p, ';', line.n);
			size_t e, b;

			if (!semi)
				continue;
			e = (size_t)(semi - line.p);
			if (e && line.p[e - 1] == ']') {  /* "saddr[28]" */
				while (e && line.p[e - 1] != '[')
					e--;
				if (e)
					e--;
			}
			b = e;
			while (b && line.p[b - 1] != ' ' && line.p[b - 1] != ':')
				b--;
			struct span fname = { line.p + b, e - b };
			if (span_eq(fname, "reason"))
				f->has_reason = true;
			else if (span_eq(fname, "sock_cookie"))
				f->has_cookie = true;
		} else if (line.n > 11 && !memcmp(line.p, "print fmt: ", 11)) {
			if (tfs_parse_symbolic(line.p + 11, line.n - 11, "reason", &f->reasons) < 0)
				f->reasons.n = 0;
		}
	}
	if (!named)
		return -1;
	f->present = true;
	return 0;
}

/* ---- trace_pipe lines ---- */

/* "SECS.FRACTION" -> ns */
static int parse_ts(struct span s, int64_t *ns)
{
	const char *dot = memchr(s.p, '.', s.n);
	uint64_t sec, frac;
	size_t fd;

	if (!dot)
		return -1;
	fd = (size_t)(s.p + s.n - dot - 1);
	if (fd == 0 || fd > 9 || span_u64((struct span){ s.p, (size_t)(dot - s.p) }, 10, &sec) ||
	    span_u64((struct span){ dot + 1, fd }, 10, &frac) || sec > 9000000000ull)
		return -1;
	for (size_t k = fd; k < 9; k++)
		frac *= 10;
	*ns = (int64_t)(sec * 1000000000ull + frac);
	return 0;
}

/* The last whitespace-separated token of [p, p+*n); shrinks *n before it. */
static struct span last_token(const char *p, size_t *n)
{
	size_t e = *n, b;

	while (e && p[e - 1] == ' ')
		e--;
	b = e;
	while (b && p[b - 1] != ' ')
		b--;
	*n = b;
	return (struct span){ p + b, e - b };
}

/* "  comm-with-dashes-PID  [001] ..s1.  1234.567890" */
static int parse_header(const char *p, size_t n, struct tfs_event *ev)
{
	struct span ts = last_token(p, &n), tok;
	uint64_t v;

	if (!ts.n || parse_ts(ts, &ev->ts_ns))
		return -1;
	tok = last_token(p, &n);
	ev->task_context = false;
	if (tok.n && tok.p[0] != '[') {  /* the irq-info flags */
		ev->task_context = tok.n >= 3 && tok.p[2] == '.';
		tok = last_token(p, &n);
	}
	if (tok.n < 3 || tok.p[0] != '[' || tok.p[tok.n - 1] != ']' ||
	    span_u64((struct span){ tok.p + 1, tok.n - 2 }, 10, &v) || v > 65535)
		return -1;
	ev->cpu = (int)v;
	while (n && p[n - 1] == ' ')
		n--;
	ev->tgid = 0;
	if (n && p[n - 1] == ')') {      /* record-tgid: "(  123)", "(-------)" */
		size_t close = n - 1;

		while (n && p[n - 1] != '(')
			n--;
		if (!n)
			return -1;
		size_t d = n;
		while (d < close && p[d] == ' ')
			d++;
		if (d < close && !span_u64((struct span){ p + d, close - d }, 10, &v) && v <= 1u << 30)
			ev->tgid = (int)v;
		n--;
		while (n && p[n - 1] == ' ')
			n--;
	}
	size_t b = 0, dash = n;
	while (b < n && p[b] == ' ')
		b++;
	while (dash > b && p[dash - 1] != '-')
		dash--;
	if (dash <= b || span_u64((struct span){ p + dash, n - dash }, 10, &v) || v > 1u << 30)
		return -1;
	ev->pid = (int)v;
	span_copy(ev->comm, sizeof(ev->comm), (struct span){ p + b, dash - 1 - b });
	return 0;
}

struct kv_addrs {
	bool have_src, have_dest;       /* src=/dest= seen */
	int family;                     /* 0 unknown, 4, 6 */
	struct ipaddr s4, d4, s6, d6;
	bool have_s4, have_d4, have_s6, have_d6;
};

static int body_pair(struct span k, struct span v, struct tfs_event *ev, struct kv_addrs *ka)
{
	uint64_t u;
	uint8_t ver;

	if (span_eq(k, "src") || span_eq(k, "dest")) {
		bool src = k.p[0] == 's';
		if (parse_addrport(v, src ? &ev->src : &ev->dst, src ? &ev->sport : &ev->dport, &ver))
			return -1;
		ev->ipver = ver;
		*(src ? &ka->have_src : &ka->have_dest) = true;
	} else if (span_eq(k, "sport") || span_eq(k, "dport")) {
		if (span_u64(v, 10, &u) || u > 65535)
			return -1;
		*(k.p[0] == 's' ? &ev->sport : &ev->dport) = (uint16_t)u;
	} else if (span_eq(k, "family")) {
		ka->family = span_eq(v, "AF_INET6") ? 6 : span_eq(v, "AF_INET") ? 4 : 0;
	} else if (span_eq(k, "saddr") || span_eq(k, "daddr")) {
		bool s = k.p[0] == 's';
		if (tfs_parse_addr(v.p, v.n, s ? &ka->s4 : &ka->d4, &ver))
			return -1;
		*(s ? &ka->have_s4 : &ka->have_d4) = true;
	} else if (span_eq(k, "saddrv6") || span_eq(k, "daddrv6")) {
		bool s = k.p[0] == 's';
		if (tfs_parse_addr(v.p, v.n, s ? &ka->s6 : &ka->d6, &ver))
			return -1;
		*(s ? &ka->have_s6 : &ka->have_d6) = true;
	} else if (span_eq(k, "skaddr")) {
		if (span_u64(v, 16, &ev->skaddr))
			return -1;
	} else if (span_eq(k, "sock_cookie")) {
		if (span_u64(v, 16, &ev->cookie))
			return -1;
		ev->has_cookie = true;
	} else if (span_eq(k, "reason")) {
		span_copy(ev->reason, sizeof(ev->reason), v);
	} else if (span_eq(k, "state") || span_eq(k, "newstate")) {
		span_copy(ev->state, sizeof(ev->state), v);
	} else if (span_eq(k, "oldstate")) {
		span_copy(ev->oldstate, sizeof(ev->oldstate), v);
	} else if (span_eq(k, "protocol")) {
		if (!span_eq(v, "IPPROTO_TCP"))
			return 1;
	}
	return 0;
}

static bool is_unspec_v4(const struct ipaddr *a)
{
	static const uint8_t zero[4];

	return !memcmp(a->b + 12, zero, 4);
}

static int parse_body(const char *p, size_t n, struct tfs_event *ev)
{
	struct kv_addrs ka;
	size_t i = 0;

	memset(&ka, 0, sizeof(ka));
	while (i < n) {
		struct span k, v;
		const char *eq;
		int rc;

		i = skip_ws(p, i, n);
		if (i >= n)
			break;
		k.p = p + i;
		while (i < n && p[i] != ' ')
			i++;
		eq = memchr(k.p, '=', (size_t)(p + i - k.p));
		if (!eq)
			return -1;
		k.n = (size_t)(eq - k.p);
		v = (struct span){ eq + 1, (size_t)(p + i - eq - 1) };
		rc = body_pair(k, v, ev, &ka);
		if (rc)
			return rc;
	}
	if (ka.have_src || ka.have_dest)
		return ka.have_src && ka.have_dest ? 0 : -1;
	/* sport/dport + saddr/daddr/saddrv6/daddrv6: the family decides */
	if (ka.family == 0)
		ka.family = ka.have_s4 && !is_unspec_v4(&ka.s4) ? 4 : 6;
	if (ka.family == 4 && ka.have_s4 && ka.have_d4) {
		ev->src = ka.s4, ev->dst = ka.d4, ev->ipver = 4;
	} else if (ka.family == 6 && ka.have_s6 && ka.have_d6) {
		ev->src = ka.s6, ev->dst = ka.d6;
		ev->ipver = ka.s6.b[10] == 0xff && ka.s6.b[11] == 0xff &&
			    !memcmp(ka.s6.b, "\0\0\0\0\0\0\0\0\0\0", 10) ? 4 : 6;
	} else {
		return -1;
	}
	return 0;
}

/* The rightmost " KEY=" in [p, p + n): where its value starts, or NULL. */
static const char *rfind_key(const char *p, size_t n, const char *key)
{
	size_t l = strlen(key);

	for (size_t i = n; i >= l; i--)
		if (!memcmp(p + i - l, key, l))
			return p + i;
	return NULL;
}

/* "pid=%d comm=%s clone_flags=%llx oom_score_adj=%hd", in the creating
 * task's context (the header's pid). A comm may hold spaces and "=", so
 * the fields after it are found from the right. */
static int parse_newtask(const char *p, size_t n, struct tfs_event *ev)
{
	const char *adj = rfind_key(p, n, " oom_score_adj="), *fl, *cm;
	uint64_t v, flags;

	if (!adj)
		return -1;
	fl = rfind_key(p, (size_t)(adj - p) - strlen(" oom_score_adj="), " clone_flags=");
	if (!fl || strncmp(p, "pid=", 4))
		return -1;
	if (span_u64((struct span){ fl, (size_t)(adj - strlen(" oom_score_adj=") - fl) }, 16, &flags))
		return -1;
	cm = span_find(p, (size_t)(fl - p), " comm=");
	if (!cm || span_u64((struct span){ p + 4, (size_t)(cm - (p + 4)) }, 10, &v) || !v ||
	    v > 1u << 30)
		return -1;
	ev->child_pid = (int)v;
	ev->parent_pid = ev->pid;
	ev->thread = (flags & 0x00010000) != 0;   /* CLONE_THREAD: the creator's process */
	return 0;
}

enum tfs_line tfs_parse_line(const char *line, size_t len, struct tfs_event *ev)
{
	static const char *const marker[TFS__COUNT] = {
		": tcp_send_reset: ", ": tcp_receive_reset: ", ": inet_sock_set_state: ",
		": task_newtask: ",
	};
	const char *at = NULL;
	int k, rc;

	while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
		len--;
	if (!len || line[0] == '#')
		return TFS_LINE_OTHER;
	for (k = 0; k < TFS__COUNT; k++) {
		at = span_find(line, len, marker[k]);
		if (at)
			break;
	}
	if (!at)
		return TFS_LINE_OTHER;
	memset(ev, 0, sizeof(*ev));
	ev->kind = (enum tfs_kind)k;
	if (parse_header(line, (size_t)(at - line), ev))
		return TFS_LINE_BAD;
	size_t off = (size_t)(at - line) + strlen(marker[k]);
	rc = ev->kind == TFS_FORK ? parse_newtask(line + off, len - off, ev)
				  : parse_body(line + off, len - off, ev);
	if (rc > 0)
		return TFS_LINE_OTHER;
	return rc ? TFS_LINE_BAD : TFS_LINE_EVENT;
}
