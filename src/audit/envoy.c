/* envoy: the idle timeouts of an Envoy bootstrap (static_resources), read
 * with a bounded reader for the block subset of YAML Envoy configurations
 * are written in: indentation-based mappings, lists ("- "), plain and
 * quoted scalars, comments, block scalars (skipped), flow collections that
 * end on their line ({ port_value: 80 }, ["*"]). Anchors, aliases, tags,
 * multi-line flow and plain scalars are refused at their line.
 *
 * Client side: each listener's HTTP connection manager keeps an idle
 * downstream connection for common_http_protocol_options.idle_timeout
 * (default 1 h, 0: none), the smallest found; stream_idle_timeout (default
 * 5 min) is shown. Upstream side: each cluster keeps idle pooled
 * connections for typed_extension_protocol_options
 * (envoy.extensions.upstreams.http.v3.HttpProtocolOptions)
 * .common_http_protocol_options.idle_timeout, or the legacy cluster-level
 * common_http_protocol_options.idle_timeout (default 1 h, 0: none), the
 * largest found. A configuration with only tcp_proxy filters is a box
 * closing a flow idle for tcp_proxy's idle_timeout (default 1 h, 0: none).
 * https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts */
#include "audit/audit.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/util.h"

#define Y_MAX_NODES 262144u
#define Y_MAX_DEPTH 64
#define ENVOY_DEFAULT_IDLE 3600.0
#define ENVOY_DEFAULT_STREAM_IDLE 300.0
#define ENVOY_URL "https://www.envoyproxy.io/docs/envoy/latest/faq/configuration/timeouts"

enum ykind { Y_NULL, Y_SCALAR, Y_MAP, Y_LIST };

struct ynode {
	const char *k, *v;          /* key (map entries), scalar value; quotes dropped */
	uint32_t kn, vn, line;
	int32_t first, last, next;  /* children of a map or list; the next sibling */
	uint8_t kind;
};

struct yframe {
	int32_t node;               /* a map or list */
	int indent;                 /* the column of its entries */
};

struct yaml {
	struct ynode *n;
	unsigned nn, cap;
	struct yframe st[Y_MAX_DEPTH];
	unsigned depth;
	int32_t pend;               /* an entry whose value is on the next lines */
	int pend_indent;
	int block;                  /* inside a block scalar: lines indented past this */
	unsigned line;
	const char *name;
	struct audit_err *e;
};

static int yfail(struct yaml *y, unsigned line, const char *msg, const char *p, size_t n)
{
	fmt_buf(y->e->file, sizeof(y->e->file), "%s", y->name);
	y->e->line = line;
	if (p)
		fmt_buf(y->e->msg, sizeof(y->e->msg), "%s '%.*s'", msg, (int)(n > 60 ? 60 : n), p);
	else
		fmt_buf(y->e->msg, sizeof(y->e->msg), "%s", msg);
	return -1;
}

/* A new node under parent (-1: none). */
static int32_t ynew(struct yaml *y, int32_t parent, enum ykind kind)
{
	struct ynode *x;

	if (y->nn >= Y_MAX_NODES) {
		yfail(y, y->line, "too many YAML nodes for audit", NULL, 0);
		return -1;
	}
	if (y->nn == y->cap) {
		unsigned cap = y->cap ? y->cap * 2 : 256;
		struct ynode *n = realloc(y->n, cap * sizeof(*n));

		if (!n) {
			yfail(y, y->line, "out of memory", NULL, 0);
			return -1;
		}
		y->n = n;
		y->cap = cap;
	}
	x = &y->n[y->nn];
	memset(x, 0, sizeof(*x));
	x->kind = (uint8_t)kind;
	x->line = y->line;
	x->first = x->last = x->next = -1;
	if (parent >= 0) {
		struct ynode *p = &y->n[parent];

		if (p->last >= 0)
			y->n[p->last].next = (int32_t)y->nn;
		else
			p->first = (int32_t)y->nn;
		p->last = (int32_t)y->nn;
	}
	return (int32_t)y->nn++;
}

static int ypush(struct yaml *y, int32_t node, int indent)
{
	if (y->depth >= Y_MAX_DEPTH)
		return yfail(y, y->line, "nested too deep for audit", NULL, 0);
	y->st[y->depth].node = node;
	y->st[y->depth].indent = indent;
	y->depth++;
	return 0;
}

static bool is_dash(struct cur t)
{
	return cur_left(&t) >= 1 && t.p[0] == '-' && (cur_left(&t) == 1 || t.p[1] == ' ');
}

/* Past the closing quote of the quoted string at c->p; the inside into *in.
 * -1 when it does not end on its line. */
static int quoted(struct cur *c, struct cur *in)
{
	char q = *c->p++;

	in->p = c->p;
	while (!cur_eof(c)) {
		if (q == '"' && *c->p == '\\' && cur_left(c) > 1) {
			c->p += 2;
			continue;
		}
		if (*c->p == q) {
			if (q == '\'' && cur_left(c) > 1 && c->p[1] == '\'') {
				c->p += 2;
				continue;
			}
			in->end = c->p++;
			return 0;
		}
		c->p++;
	}
	return -1;
}

static bool rest_empty(struct cur c)
{
	cur_skip_blank(&c);
	return cur_eof(&c) || *c.p == '#';
}

static void skip_ws(struct cur *c)
{
	cur_skip_blank(c);
}

/* A plain scalar inside a flow collection: to , ] } (or : then a blank, for
 * a key), trailing blanks dropped. */
static struct cur flow_plain(struct cur *c, bool key)
{
	struct cur s = { c->p, c->p };

	while (!cur_eof(c) && *c->p != ',' && *c->p != ']' && *c->p != '}' &&
	       !(*c->p == '#' && c->p > s.p && (c->p[-1] == ' ' || c->p[-1] == '\t')) &&
	       !(key && *c->p == ':' && (cur_left(c) == 1 || c->p[1] == ' ' || c->p[1] == ',' ||
					 c->p[1] == '}' || c->p[1] == ']')))
		c->p++;
	s.end = c->p;
	while (s.end > s.p && (s.end[-1] == ' ' || s.end[-1] == '\t'))
		s.end--;
	return s;
}

/* A flow collection on one line ("{ address: 0.0.0.0, port_value: 80 }",
 * ["*"]) or a scalar inside one, into node x. */
static int flow(struct yaml *y, int32_t x, struct cur *c, unsigned depth)
{
	char close;

	if (depth >= Y_MAX_DEPTH)
		return yfail(y, y->line, "nested too deep for audit", NULL, 0);
	skip_ws(c);
	if (cur_eof(c))
		return yfail(y, y->line, "a flow collection must end on its line", NULL, 0);
	if (*c->p == '"' || *c->p == '\'') {
		struct cur in;
		const char *s = c->p;

		if (quoted(c, &in))
			return yfail(y, y->line, "a quoted string must end on its line:", s, (size_t)(c->end - s));
		y->n[x].kind = Y_SCALAR;
		y->n[x].v = in.p;
		y->n[x].vn = (uint32_t)(in.end - in.p);
		return 0;
	}
	if (*c->p == '&' || *c->p == '*' || *c->p == '!')
		return yfail(y, y->line, "anchors, aliases and tags are not read:", c->p, cur_left(c));
	if (*c->p != '{' && *c->p != '[') {
		struct cur s = flow_plain(c, false);

		y->n[x].kind = Y_SCALAR;
		y->n[x].v = s.p;
		y->n[x].vn = (uint32_t)(s.end - s.p);
		return 0;
	}
	close = *c->p == '{' ? '}' : ']';
	y->n[x].kind = close == '}' ? Y_MAP : Y_LIST;
	c->p++;
	for (;;) {
		int32_t k;

		skip_ws(c);
		if (cur_eof(c))
			return yfail(y, y->line, "a flow collection must end on its line", NULL, 0);
		if (*c->p == close) {
			c->p++;
			return 0;
		}
		if ((k = ynew(y, x, Y_NULL)) < 0)
			return -1;
		if (close == '}') {
			struct cur key;

			if (*c->p == '"' || *c->p == '\'') {
				const char *s = c->p;

				if (quoted(c, &key))
					return yfail(y, y->line, "a quoted string must end on its line:", s,
						     (size_t)(c->end - s));
			} else {
				key = flow_plain(c, true);
			}
			if (key.end == key.p)
				return yfail(y, y->line, "a flow mapping entry without a key:", c->p, cur_left(c));
			y->n[k].k = key.p;
			y->n[k].kn = (uint32_t)(key.end - key.p);
			skip_ws(c);
			if (cur_char(c, ':')) {
				skip_ws(c);
				if (!cur_eof(c) && *c->p != ',' && *c->p != '}' && flow(y, k, c, depth + 1))
					return -1;
			}
		} else if (flow(y, k, c, depth + 1)) {
			return -1;
		}
		skip_ws(c);
		if (cur_char(c, ','))
			continue;
		if (cur_eof(c) || *c->p != close)
			return yfail(y, y->line, "expected ',' or the end of the flow collection:", c->p,
				     cur_left(c));
	}
}

/* A scalar value (the text after "key: " or "- ") into node x, or the
 * start of a block scalar. */
static int scalar(struct yaml *y, int32_t x, struct cur t, int owner_indent)
{
	struct ynode *n = &y->n[x];

	n->kind = Y_SCALAR;
	if (*t.p == '"' || *t.p == '\'') {
		struct cur c = t, in;

		if (quoted(&c, &in))
			return yfail(y, y->line, "a quoted string must end on its line:", t.p, cur_left(&t));
		if (!rest_empty(c))
			return yfail(y, y->line, "text after a quoted string:", c.p, cur_left(&c));
		n->v = in.p;
		n->vn = (uint32_t)(in.end - in.p);
		return 0;
	}
	if (*t.p == '|' || *t.p == '>') {
		struct cur c = t;

		c.p++;
		while (!cur_eof(&c) && (*c.p == '+' || *c.p == '-' || (*c.p >= '1' && *c.p <= '9')))
			c.p++;
		if (!rest_empty(c))
			return yfail(y, y->line, "not a block scalar:", t.p, cur_left(&t));
		y->block = owner_indent;   /* its text is not read */
		return 0;
	}
	if (*t.p == '{' || *t.p == '[') {
		struct cur c = t;

		if (flow(y, x, &c, 0))
			return -1;
		if (!rest_empty(c))
			return yfail(y, y->line, "text after a flow collection:", c.p, cur_left(&c));
		return 0;
	}
	if (*t.p == '&' || *t.p == '*')
		return yfail(y, y->line, "anchors and aliases are not read:", t.p, cur_left(&t));
	if (*t.p == '!')
		return yfail(y, y->line, "tags are not read:", t.p, cur_left(&t));
	if (*t.p == '?' && (cur_left(&t) == 1 || t.p[1] == ' '))
		return yfail(y, y->line, "complex keys are not read:", t.p, cur_left(&t));
	/* plain: to a comment or the end, trailing blanks dropped */
	const char *e = t.p;
	while (e < t.end && !((*e == '#') && e > t.p && (e[-1] == ' ' || e[-1] == '\t')))
		e++;
	while (e > t.p && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	n->v = t.p;
	n->vn = (uint32_t)(e - t.p);
	return 0;
}

/* "key: value" or "key:" at the start of t: the key and the text after the
 * colon. false when t is not a mapping entry. -1 on a bad quoted key. */
static int split_key(struct yaml *y, struct cur t, struct cur *key, struct cur *rest)
{
	if (*t.p == '"' || *t.p == '\'') {
		struct cur c = t;

		if (quoted(&c, key))
			return yfail(y, y->line, "a quoted string must end on its line:", t.p, cur_left(&t));
		cur_skip_blank(&c);
		if (!cur_char(&c, ':'))
			return 0;
		if (!cur_eof(&c) && *c.p != ' ' && *c.p != '\t')
			return 0;
		*rest = c;
		return 1;
	}
	for (const char *p = t.p; p < t.end; p++) {
		if (*p == '#' && p > t.p && (p[-1] == ' ' || p[-1] == '\t'))
			return 0;
		if (*p == ':' && (p + 1 == t.end || p[1] == ' ' || p[1] == '\t')) {
			const char *e = p;

			while (e > t.p && (e[-1] == ' ' || e[-1] == '\t'))
				e--;
			if (e == t.p)
				return 0;
			key->p = t.p;
			key->end = e;
			rest->p = p + 1;
			rest->end = t.end;
			return 1;
		}
	}
	return 0;
}

/* The content t of one line, at column col, in the container on top. */
static int yline(struct yaml *y, struct cur t, int col)
{
	for (;;) {
		struct yframe *f = &y->st[y->depth - 1];
		struct ynode *cn = &y->n[f->node];
		int32_t x;

		if (is_dash(t)) {
			if (cn->kind != Y_LIST)
				return yfail(y, y->line, "a list item where a mapping key belongs:", t.p, cur_left(&t));
			if ((x = ynew(y, f->node, Y_NULL)) < 0)
				return -1;
			struct cur r = { t.p + 1, t.end };
			cur_skip_blank(&r);
			if (rest_empty(r)) {
				y->pend = x;
				y->pend_indent = col;
				return 0;
			}
			int c2 = col + (int)(r.p - t.p);
			struct cur key, rest;
			int k;

			if (is_dash(r)) {
				y->n[x].kind = Y_LIST;
			} else if ((k = split_key(y, r, &key, &rest)) < 0) {
				return -1;
			} else if (k) {
				y->n[x].kind = Y_MAP;
			} else {
				return scalar(y, x, r, col);
			}
			if (ypush(y, x, c2))
				return -1;
			t = r;
			col = c2;
			continue;
		}
		struct cur key, rest;
		int k = split_key(y, t, &key, &rest);

		if (k < 0)
			return -1;
		if (!k) {
			if (cn->kind == Y_LIST)
				return yfail(y, y->line, "a scalar where a list item belongs:", t.p, cur_left(&t));
			return yfail(y, y->line, "not a 'key: value' line (multi-line scalars are not read):",
				     t.p, cur_left(&t));
		}
		if (cn->kind != Y_MAP)
			return yfail(y, y->line, "a mapping key where a list item belongs:", t.p, cur_left(&t));
		if ((x = ynew(y, f->node, Y_NULL)) < 0)
			return -1;
		y->n[x].k = key.p;
		y->n[x].kn = (uint32_t)(key.end - key.p);
		cur_skip_blank(&rest);
		if (rest_empty(rest)) {
			y->pend = x;
			y->pend_indent = col;
			return 0;
		}
		return scalar(y, x, rest, col);
	}
}

static int yparse(struct yaml *y, const char *buf, size_t n)
{
	struct cur c = cur_make(buf, n), l;
	bool any = false;

	y->pend = -1;
	y->block = -1;
	if (ynew(y, -1, Y_NULL) < 0)   /* the root */
		return -1;
	while (cur_line(&c, &l)) {
		struct cur t = l;
		int col = 0;

		y->line++;
		if (t.end > t.p && t.end[-1] == '\r')
			t.end--;
		while (!cur_eof(&t) && *t.p == ' ') {
			t.p++;
			col++;
		}
		if (y->block >= 0) {
			if (cur_eof(&t) || col > y->block)
				continue;
			y->block = -1;
		}
		if (cur_eof(&t) || *t.p == '#')
			continue;
		if (*t.p == '\t')
			return yfail(y, y->line, "a tab in the indentation", NULL, 0);
		if (col == 0 && cur_left(&t) >= 3 && !memcmp(t.p, "---", 3) && rest_empty((struct cur){ t.p + 3, t.end })) {
			if (any)
				return yfail(y, y->line, "more than one YAML document", NULL, 0);
			continue;
		}
		if (col == 0 && *t.p == '%')
			return yfail(y, y->line, "YAML directives are not read:", t.p, cur_left(&t));
		if (!any) {
			any = true;
			y->n[0].kind = is_dash(t) ? Y_LIST : Y_MAP;
			if (ypush(y, 0, col))
				return -1;
			if (yline(y, t, col))
				return -1;
			continue;
		}
		if (y->pend >= 0) {
			int32_t p = y->pend;
			int pi = y->pend_indent;

			y->pend = -1;
			if (col > pi || (col == pi && is_dash(t) && y->n[y->st[y->depth - 1].node].kind == Y_MAP &&
					 y->n[p].k)) {
				y->n[p].kind = is_dash(t) ? Y_LIST : Y_MAP;
				if (ypush(y, p, col))
					return -1;
				if (yline(y, t, col))
					return -1;
				continue;
			}
		}
		while (y->depth && y->st[y->depth - 1].indent > col)
			y->depth--;
		/* "key:\n- a\n- b" puts the list at the key's own column */
		if (y->depth > 1 && y->st[y->depth - 1].indent == col && !is_dash(t) &&
		    y->n[y->st[y->depth - 1].node].kind == Y_LIST && y->st[y->depth - 2].indent == col)
			y->depth--;
		if (!y->depth || y->st[y->depth - 1].indent != col)
			return yfail(y, y->line, "unexpected indentation:", t.p, cur_left(&t));
		if (yline(y, t, col))
			return -1;
	}
	return 0;
}

/* Lookups. */
static int32_t yget(const struct yaml *y, int32_t m, const char *key)
{
	size_t kl = strlen(key);

	if (m < 0 || y->n[m].kind != Y_MAP)
		return -1;
	for (int32_t i = y->n[m].first; i >= 0; i = y->n[i].next)
		if (y->n[i].kn == kl && !memcmp(y->n[i].k, key, kl))
			return i;
	return -1;
}

static bool yeq(const struct yaml *y, int32_t x, const char *s)
{
	size_t sl = strlen(s);

	return x >= 0 && y->n[x].kind == Y_SCALAR && y->n[x].vn == sl && !memcmp(y->n[x].v, s, sl);
}

static bool ycontains(const struct yaml *y, int32_t x, const char *s)
{
	size_t sl = strlen(s);

	if (x < 0 || y->n[x].kind != Y_SCALAR || y->n[x].vn < sl)
		return false;
	for (uint32_t i = 0; i + sl <= y->n[x].vn; i++)
		if (!memcmp(y->n[x].v + i, s, sl))
			return true;
	return false;
}

/* A Duration at x (0: none) into *v, or the default when x < 0. */
static int ydur(struct yaml *y, int32_t x, const char *param, double dflt, struct audit_val *v)
{
	char src[224];
	double s;

	if (x < 0) {
		fmt_buf(src, sizeof(src), "the default of Envoy (%s)", ENVOY_URL);
		audit_val_set(v, dflt, param, src);
		return 0;
	}
	if (y->n[x].kind != Y_SCALAR)
		return yfail(y, y->n[x].line, "expected a duration such as \"30s\" for", param, strlen(param));
	if (audit_duration(y->n[x].v, y->n[x].vn, AUDIT_DUR_ENVOY, &s))
		return yfail(y, y->n[x].line, "invalid duration (want \"30s\", \"1.5s\"):", y->n[x].v, y->n[x].vn);
	fmt_buf(src, sizeof(src), "%s:%u", y->name, y->n[x].line);
	audit_val_set(v, s == 0 ? AUDIT_NONE : s, param, src);
	return 0;
}

static void keep_min(struct audit_val *acc, const struct audit_val *v)
{
	if (acc->s < 0 || v->s < acc->s)
		*acc = *v;
}

static void keep_max(struct audit_val *acc, const struct audit_val *v)
{
	if (acc->s < 0 || v->s > acc->s)
		*acc = *v;
}

struct env {
	struct audit_val down, up, stream, tcp;
	bool any_hcm, any_tcp;
};

static int filter(struct yaml *y, struct env *x, int32_t f)
{
	int32_t nm = yget(y, f, "name"), tc = yget(y, f, "typed_config"), ty;
	struct audit_val v;

	if (tc < 0)
		tc = yget(y, f, "config");   /* v2 */
	ty = yget(y, tc, "@type");
	if (yeq(y, nm, "envoy.filters.network.http_connection_manager") ||
	    yeq(y, nm, "envoy.http_connection_manager") || ycontains(y, ty, "HttpConnectionManager")) {
		x->any_hcm = true;
		if (ydur(y, yget(y, yget(y, tc, "common_http_protocol_options"), "idle_timeout"),
			 "common_http_protocol_options.idle_timeout", ENVOY_DEFAULT_IDLE, &v))
			return -1;
		keep_min(&x->down, &v);
		if (ydur(y, yget(y, tc, "stream_idle_timeout"), "stream_idle_timeout",
			 ENVOY_DEFAULT_STREAM_IDLE, &v))
			return -1;
		keep_min(&x->stream, &v);
	} else if (yeq(y, nm, "envoy.filters.network.tcp_proxy") || yeq(y, nm, "envoy.tcp_proxy") ||
		   ycontains(y, ty, "tcp_proxy.v3.TcpProxy")) {
		x->any_tcp = true;
		if (ydur(y, yget(y, tc, "idle_timeout"), "tcp_proxy idle_timeout", ENVOY_DEFAULT_IDLE, &v))
			return -1;
		keep_min(&x->tcp, &v);
	}
	return 0;
}

static int chain(struct yaml *y, struct env *x, int32_t fc)
{
	int32_t fl = yget(y, fc, "filters");

	if (fl < 0 || y->n[fl].kind != Y_LIST)
		return 0;
	for (int32_t f = y->n[fl].first; f >= 0; f = y->n[f].next)
		if (filter(y, x, f))
			return -1;
	return 0;
}

static int cluster(struct yaml *y, struct env *x, int32_t cl)
{
	int32_t teo = yget(y, cl, "typed_extension_protocol_options"), at = -1;
	struct audit_val v;

	if (teo >= 0 && y->n[teo].kind == Y_MAP)
		for (int32_t o = y->n[teo].first; o >= 0 && at < 0; o = y->n[o].next)
			at = yget(y, yget(y, o, "common_http_protocol_options"), "idle_timeout");
	if (at < 0)
		at = yget(y, yget(y, cl, "common_http_protocol_options"), "idle_timeout");
	if (ydur(y, at, "cluster common_http_protocol_options.idle_timeout", ENVOY_DEFAULT_IDLE, &v))
		return -1;
	keep_max(&x->up, &v);
	return 0;
}

int audit_parse_envoy(const char *buf, size_t n, const char *name, struct audit_hop *h,
		      struct audit_err *e)
{
	struct yaml *y = calloc(1, sizeof(*y));
	struct env x;
	int32_t sr, ls, cs;
	int rc = -1;

	if (!y) {
		fmt_buf(e->file, sizeof(e->file), "%s", name);
		fmt_buf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	y->name = name;
	y->e = e;
	memset(&x, 0, sizeof(x));
	x.down.s = x.up.s = x.stream.s = x.tcp.s = -1;
	if (yparse(y, buf, n))
		goto out;
	y->line = 0;
	if (y->n[0].kind != Y_MAP) {
		yfail(y, 0, "not an Envoy bootstrap: the top level is not a mapping", NULL, 0);
		goto out;
	}
	sr = yget(y, 0, "static_resources");
	ls = yget(y, sr, "listeners");
	cs = yget(y, sr, "clusters");
	if (ls >= 0 && y->n[ls].kind == Y_LIST)
		for (int32_t l = y->n[ls].first; l >= 0; l = y->n[l].next) {
			int32_t fcs = yget(y, l, "filter_chains");

			if (fcs >= 0 && y->n[fcs].kind == Y_LIST)
				for (int32_t fc = y->n[fcs].first; fc >= 0; fc = y->n[fc].next)
					if (chain(y, &x, fc))
						goto out;
			if (chain(y, &x, yget(y, l, "default_filter_chain")))
				goto out;
		}
	if (x.any_hcm && cs >= 0 && y->n[cs].kind == Y_LIST)
		for (int32_t c = y->n[cs].first; c >= 0; c = y->n[c].next)
			if (cluster(y, &x, c))
				goto out;
	if (x.any_hcm) {
		audit_hop_init(h, "envoy", AUDIT_PROXY, name);
		h->down = x.down;
		if (x.up.s < 0 && ydur(y, -1, "cluster common_http_protocol_options.idle_timeout",
				       ENVOY_DEFAULT_IDLE, &x.up))
			goto out;
		h->up = x.up;
		h->reuse = true;
		h->info[h->n_info++] = x.stream;
		if (x.any_tcp) {
			h->info[h->n_info++] = x.tcp;
			fmt_buf(h->note, sizeof(h->note), "tcp_proxy listeners too: their idle_timeout is shown, "
				"not judged");
		}
	} else if (x.any_tcp) {
		audit_hop_init(h, "envoy", AUDIT_BOX, name);
		h->box = x.tcp;
		fmt_buf(h->note, sizeof(h->note), "%s", isinf(x.tcp.s)
			? "tcp_proxy idle_timeout 0: flows are never closed for being idle"
			: "tcp_proxy: one upstream connection per client connection");
	} else {
		yfail(y, 0, "no static listener with an http_connection_manager or tcp_proxy filter "
			    "(listeners from xDS are not read)", NULL, 0);
		goto out;
	}
	rc = 0;
out:
	free(y->n);
	free(y);
	return rc;
}
