/* nginx: the idle timeouts of an nginx configuration, includes resolved.
 * Client side: keepalive_timeout (http, server, location; default 75 s),
 * the smallest found (the earliest close any client meets). Upstream side:
 * an upstream block with keepalive keeps idle connections for its
 * keepalive_timeout (default 60 s, nginx 1.15.3+), the largest found;
 * only with proxy_http_version 1.1 are they reused at all.
 * https://nginx.org/en/docs/http/ngx_http_upstream_module.html#keepalive */
#include "audit/audit.h"

#include <errno.h>
#include <glob.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "util/cursor.h"
#include "util/util.h"

#define NGX_MAX_ARGS 8
#define NGX_MAX_DEPTH 32
#define NGX_DEFAULT_KEEPALIVE 75.0
#define NGX_DEFAULT_UPSTREAM_KEEPALIVE 60.0
#define NGX_DEFAULT_READ 60.0

struct ngx {
	const struct audit_io *io;
	struct audit_err *e;
	const char *top;                 /* the first file, for includes */
	unsigned files;
	char ctx[NGX_MAX_DEPTH][16];     /* block names, outermost first */
	unsigned depth;
	struct audit_val down, up, read; /* s < 0: not seen */
	bool pooled, http11, in_pool_upstream;
	double up_pending;               /* this upstream's keepalive_timeout */
	char up_pending_src[224];
	bool up_has_keepalive;
};

struct tok {
	const char *p;
	size_t n;
	unsigned line;
};

static int fail(struct ngx *x, const char *file, unsigned line, const char *msg, struct tok *t)
{
	fmt_buf(x->e->file, sizeof(x->e->file), "%s", file);
	x->e->line = line;
	if (t)
		fmt_buf(x->e->msg, sizeof(x->e->msg), "%s '%.*s'", msg, (int)(t->n > 60 ? 60 : t->n), t->p);
	else
		fmt_buf(x->e->msg, sizeof(x->e->msg), "%s", msg);
	return -1;
}

/* The next token: a word, a quoted string (quotes dropped), or one of ; { }.
 * Returns 1, 0 at the end, -1 on an unterminated quote. */
static int next_tok(struct cur *c, unsigned *line, struct tok *t)
{
	for (;;) {
		while (!cur_eof(c) && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n')) {
			if (*c->p == '\n')
				(*line)++;
			c->p++;
		}
		if (cur_eof(c))
			return 0;
		if (*c->p != '#')
			break;
		while (!cur_eof(c) && *c->p != '\n')
			c->p++;
	}
	t->line = *line;
	if (*c->p == ';' || *c->p == '{' || *c->p == '}') {
		t->p = c->p++;
		t->n = 1;
		return 1;
	}
	if (*c->p == '"' || *c->p == '\'') {
		char q = *c->p++;

		t->p = c->p;
		while (!cur_eof(c) && *c->p != q) {
			if (*c->p == '\\' && cur_left(c) > 1)
				c->p++;
			if (*c->p == '\n')
				(*line)++;
			c->p++;
		}
		if (cur_eof(c))
			return -1;
		t->n = (size_t)(c->p - t->p);
		c->p++;
		return 1;
	}
	t->p = c->p;
	/* memchr, not strchr: a NUL byte is text, never the end of a word */
	while (!cur_eof(c) && !memchr(" \t\r\n;{}#", *c->p, 8))
		c->p++;
	if (c->p == t->p)
		c->p++;
	t->n = (size_t)(c->p - t->p);
	return 1;
}

static bool tok_is(const struct tok *t, const char *s)
{
	return t->n == strlen(s) && !memcmp(t->p, s, t->n);
}

static bool in_ctx(const struct ngx *x, const char *name)
{
	return x->depth && !strcmp(x->ctx[x->depth - 1], name);
}

static int parse_buf(struct ngx *x, const char *buf, size_t n, const char *file, unsigned level);

static int include(struct ngx *x, const char *file, struct tok *arg, unsigned level)
{
	char pat[512], dir[512], rel[512];
	glob_t g;
	int rc = 0, gr;
	bool wild;

	if (!x->io)
		return 0;
	if (level >= AUDIT_INCLUDE_DEPTH)
		return fail(x, file, arg->line, "includes nested too deep at", arg);
	fmt_buf(rel, sizeof(rel), "%.*s", (int)arg->n, arg->p);
	wild = strpbrk(rel, "*?[") != NULL;
	for (int pass = 0; pass < 2; pass++) {
		const char *base = pass == 0 ? file : x->top;

		fmt_buf(dir, sizeof(dir), "%s", base);
		const char *d = dirname(dir);

		if (rel[0] == '/')
			fmt_buf(pat, sizeof(pat), "%s", rel);
		else if (!strcmp(d, ".") && base[0] != '.')
			fmt_buf(pat, sizeof(pat), "%s", rel);   /* sources read as the user named them */
		else
			fmt_buf(pat, sizeof(pat), "%s/%s", d, rel);
		gr = glob(pat, 0, NULL, &g);
		if (gr == 0)
			break;
		globfree(&g);
		if (rel[0] == '/' || !strcmp(file, x->top))
			break;
	}
	if (gr == GLOB_NOMATCH) {
		if (wild)
			return 0;
		return fail(x, file, arg->line, "include names no file:", arg);
	}
	if (gr)
		return fail(x, file, arg->line, "cannot expand include", arg);
	for (size_t i = 0; i < g.gl_pathc && !rc; i++) {
		size_t len = 0;
		char *b;

		if (++x->files > AUDIT_MAX_FILES) {
			rc = fail(x, file, arg->line, "too many included files at", arg);
			break;
		}
		b = x->io->read(x->io->ctx, g.gl_pathv[i], &len);
		if (!b) {
			char msg[160];

			fmt_buf(msg, sizeof(msg), "cannot read include (%s):", strerror(errno));
			rc = fail(x, file, arg->line, msg, arg);
			break;
		}
		rc = parse_buf(x, b, len, g.gl_pathv[i], level + 1);
		free(b);
	}
	globfree(&g);
	return rc;
}

static int timeval(struct ngx *x, const char *file, struct tok *a, double *out)
{
	if (audit_duration(a->p, a->n, AUDIT_DUR_NGINX, out))
		return fail(x, file, a->line, "invalid time", a);
	return 0;
}

static int directive(struct ngx *x, const char *file, struct tok *a, unsigned na, unsigned level)
{
	char src[224];
	double v;

	fmt_buf(src, sizeof(src), "%s:%u", file, a[0].line);
	if (tok_is(&a[0], "include") && na == 2)
		return include(x, file, &a[1], level);
	if (in_ctx(x, "upstream")) {
		if (tok_is(&a[0], "keepalive") && na >= 2)
			x->up_has_keepalive = true;
		if (tok_is(&a[0], "keepalive_timeout") && na >= 2) {
			if (timeval(x, file, &a[1], &v))
				return -1;
			x->up_pending = v;
			fmt_buf(x->up_pending_src, sizeof(x->up_pending_src), "%s", src);
		}
		return 0;
	}
	if (tok_is(&a[0], "keepalive_timeout") && na >= 2) {
		if (timeval(x, file, &a[1], &v))
			return -1;
		if (x->down.s < 0 || v < x->down.s)
			audit_val_set(&x->down, v, "keepalive_timeout", src);
	} else if (tok_is(&a[0], "proxy_read_timeout") && na >= 2) {
		if (timeval(x, file, &a[1], &v))
			return -1;
		if (x->read.s < 0 || v > x->read.s)
			audit_val_set(&x->read, v, "proxy_read_timeout", src);
	} else if (tok_is(&a[0], "proxy_http_version") && na >= 2 && tok_is(&a[1], "1.1")) {
		x->http11 = true;
	}
	return 0;
}

static void upstream_end(struct ngx *x, const char *file, unsigned line)
{
	char src[224];
	double v = x->up_pending;

	if (x->up_has_keepalive) {
		if (v < 0) {
			v = NGX_DEFAULT_UPSTREAM_KEEPALIVE;
			fmt_buf(src, sizeof(src), "the default of nginx 1.15.3+ (upstream at %s:%u)", file, line);
		} else {
			fmt_buf(src, sizeof(src), "%s", x->up_pending_src);
		}
		if (x->up.s < 0 || v > x->up.s)
			audit_val_set(&x->up, v, "upstream keepalive_timeout", src);
		x->pooled = true;
	}
	x->up_pending = -1;
	x->up_has_keepalive = false;
}

static int parse_buf(struct ngx *x, const char *buf, size_t n, const char *file, unsigned level)
{
	struct cur c = cur_make(buf, n);
	struct tok a[NGX_MAX_ARGS], t;
	unsigned na = 0, line = 1, base = x->depth, open_line[NGX_MAX_DEPTH] = { 0 };
	int r;

	while ((r = next_tok(&c, &line, &t)) > 0) {
		if (tok_is(&t, ";") && t.n == 1 && t.p[0] == ';') {
			if (!na)
				return fail(x, file, t.line, "unexpected ';'", NULL);
			if (directive(x, file, a, na, level))
				return -1;
			na = 0;
		} else if (t.n == 1 && t.p[0] == '{') {
			if (!na)
				return fail(x, file, t.line, "unexpected '{'", NULL);
			if (x->depth >= NGX_MAX_DEPTH)
				return fail(x, file, t.line, "blocks nested too deep", NULL);
			fmt_buf(x->ctx[x->depth], sizeof(x->ctx[0]), "%.*s", (int)a[0].n, a[0].p);
			open_line[x->depth] = a[0].line;
			x->depth++;
			if (in_ctx(x, "upstream")) {
				x->up_pending = -1;
				x->up_has_keepalive = false;
			}
			na = 0;
		} else if (t.n == 1 && t.p[0] == '}') {
			if (na)
				return fail(x, file, t.line, "directive without ';' before '}':", &a[0]);
			if (x->depth <= base)
				return fail(x, file, t.line, "unexpected '}'", NULL);
			if (in_ctx(x, "upstream"))
				upstream_end(x, file, open_line[x->depth - 1]);
			x->depth--;
		} else {
			if (na == NGX_MAX_ARGS)
				continue;   /* arguments past the ones we read */
			a[na++] = t;
		}
	}
	if (r < 0)
		return fail(x, file, line, "unterminated quoted string", NULL);
	if (na)
		return fail(x, file, a[0].line, "unexpected end of file, expecting ';' after", &a[0]);
	if (x->depth > base)
		return fail(x, file, open_line[x->depth - 1], "unexpected end of file: block not closed:",
			    &(struct tok){ x->ctx[x->depth - 1], strlen(x->ctx[x->depth - 1]), 0 });
	return 0;
}

int audit_parse_nginx(const char *buf, size_t n, const char *name, const struct audit_io *io,
		      struct audit_hop *h, struct audit_err *e)
{
	struct ngx *x = calloc(1, sizeof(*x));
	char src[224];
	int rc;

	if (!x) {
		fmt_buf(e->msg, sizeof(e->msg), "out of memory");
		return -1;
	}
	x->io = io;
	x->e = e;
	x->top = name;
	x->files = 1;
	x->down.s = x->up.s = x->read.s = x->up_pending = -1;
	rc = parse_buf(x, buf, n, name, 0);
	if (!rc) {
		audit_hop_init(h, "nginx", AUDIT_PROXY, name);
		h->down = x->down;
		if (h->down.s < 0) {
			fmt_buf(src, sizeof(src), "the default of nginx (%s)",
				"https://nginx.org/en/docs/http/ngx_http_core_module.html#keepalive_timeout");
			audit_val_set(&h->down, NGX_DEFAULT_KEEPALIVE, "keepalive_timeout", src);
		}
		h->ka_off = h->down.s == 0;
		if (x->pooled && x->http11) {
			h->up = x->up;
			h->reuse = true;
		} else {
			audit_val_set(&h->up, 0, "upstream keepalive", x->pooled ? x->up.src : name);
			fmt_buf(h->note, sizeof(h->note), "%s",
				x->pooled ? "an upstream has keepalive but proxy_http_version is not 1.1: "
					    "upstream connections are not reused"
					  : "no upstream keepalive: a new upstream connection per request");
		}
		if (x->read.s < 0) {
			fmt_buf(src, sizeof(src), "the default of nginx");
			audit_val_set(&x->read, NGX_DEFAULT_READ, "proxy_read_timeout", src);
		}
		h->info[h->n_info++] = x->read;
	}
	free(x);
	return rc;
}
